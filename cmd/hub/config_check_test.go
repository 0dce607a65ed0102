package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stalking-hub/hub/internal/identity/oidctest"
)

// config check --online reaches each provider and names what is wrong.
func TestConfigCheckOnline(t *testing.T) {
	good := oidctest.New(t, oidctest.Options{ClientID: "hub", Audience: "hub-api"})
	broken := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(broken.Close)
	dir := t.TempDir()
	check := func(issuers ...string) (string, error) {
		body := "[signin]\nissuer = \"" + issuers[0] + "\"\nclient_id = \"hub\"\n[api]\naudience = \"hub-api\"\n"
		for _, iss := range issuers {
			body += "[[claims]]\nissuer = \"" + iss + "\"\nrole_paths = [\"roles\"]\n"
		}
		file := filepath.Join(dir, "config.toml")
		if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		env := map[string]string{"HUB_DATA_DIR": dir, "HUB_SERVER_AGENCIES": "../../agencies"}
		var out, errs bytes.Buffer
		err := run(context.Background(), []string{"config", "check", "--online", "--config", file}, &out, &errs, func(k string) string { return env[k] })
		return out.String(), err
	}
	out, err := check(good.URL)
	if err != nil || !strings.Contains(out, good.URL+": OK, discovery and 1 signing key(s)") {
		t.Fatalf("a working provider: %v\n%s", err, out)
	}
	out, err = check(good.URL, broken.URL)
	if err == nil || !strings.Contains(out, broken.URL+": NOT OK") || !strings.Contains(out, "discovery at "+broken.URL+"/.well-known/openid-configuration failed") {
		t.Fatalf("a provider that cannot work: %v\n%s", err, out)
	}
}
