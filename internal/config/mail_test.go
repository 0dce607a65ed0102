package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMailDefaultsSendNothing(t *testing.T) {
	t.Chdir(t.TempDir())
	cfg, err := Load("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	m := cfg.Mail
	if m.Host != "" || m.Port != 587 || m.TLS != "opportunistic" || m.RetryBase.Seconds() != 30 || m.MaxAttempts != 12 {
		t.Fatalf("mail defaults: %+v", m)
	}
}

func TestMailFromEnvironmentAndPasswordFile(t *testing.T) {
	t.Chdir(t.TempDir())
	secret := filepath.Join(t.TempDir(), "smtp-password")
	if err := os.WriteFile(secret, []byte("hunter2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load("", env(map[string]string{
		"HUB_MAIL_HOST": "smtp.example.gov.uk", "HUB_MAIL_PORT": "25", "HUB_MAIL_FROM": "hub@example.gov.uk",
		"HUB_MAIL_USERNAME": "hub", "HUB_MAIL_PASSWORD_FILE": secret, "HUB_MAIL_TLS": "mandatory",
		"HUB_MAIL_RETRY_BASE": "1m", "HUB_MAIL_MAX_ATTEMPTS": "3",
	}))
	if err != nil {
		t.Fatal(err)
	}
	m := cfg.Mail
	if m.Host != "smtp.example.gov.uk" || m.Port != 25 || m.From != "hub@example.gov.uk" || m.Username != "hub" ||
		m.Password != "hunter2" || m.TLS != "mandatory" || m.RetryBase.Minutes() != 1 || m.MaxAttempts != 3 {
		t.Fatalf("mail from the environment: %+v", m)
	}
}

func TestMalformedMailNamesTheKey(t *testing.T) {
	prod := "[signin]\nissuer = \"https://idp.example.com\"\nclient_id = \"hub\"\n[mail]\n"
	cases := []struct{ name, body, want string }{
		{"port zero", "port = 0\n", "key mail.port"},
		{"port too high", "port = 70000\n", "key mail.port"},
		{"unknown tls", "tls = \"sometimes\"\n", "key mail.tls"},
		{"retry base zero", "retry_base = \"0s\"\n", "key mail.retry_base"},
		{"no attempts", "max_attempts = 0\n", "key mail.max_attempts"},
		{"send timeout too short", "send_timeout = \"10ms\"\n", "key mail.send_timeout"},
		{"host without from", "host = \"smtp.example.gov.uk\"\n", "key mail.from"},
		{"from with a display name", "host = \"smtp.example.gov.uk\"\nfrom = \"Hub <hub@example.gov.uk>\"\n", "key mail.from"},
		{"username without password", "host = \"smtp.example.gov.uk\"\nfrom = \"hub@example.gov.uk\"\nusername = \"hub\"\n", "key mail.password"},
		{"missing password file", "password_file = \"/nonexistent/smtp\"\n", "key mail.password_file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(write(t, prod+c.body), env(nil))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one naming %q", err, c.want)
			}
		})
	}
}
