package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stalking-hub/hub/internal/vocab"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultsAreTheDevelopmentHub(t *testing.T) {
	t.Chdir(t.TempDir())
	cfg, err := Load("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server.BaseURL != "http://127.0.0.1:8080" || !cfg.DevIDP.Enabled || cfg.Signin.Issuer != "http://127.0.0.1:8080/devidp" {
		t.Fatalf("defaults: %+v", cfg.Server)
	}
	if cfg.Session.Idle.Minutes() != 30 || cfg.Session.Absolute.Hours() != 12 {
		t.Fatalf("session defaults: %+v", cfg.Session)
	}
}

func TestEnvironmentOverrides(t *testing.T) {
	t.Chdir(t.TempDir())
	cfg, err := Load("", env(map[string]string{"HUB_LISTEN": "127.0.0.1:9999", "HUB_DATA_DIR": "/tmp/x", "HUB_SESSION_IDLE_TIMEOUT": "5m"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server.Listen != "127.0.0.1:9999" || cfg.Server.BaseURL != "http://127.0.0.1:9999" || cfg.Signin.Issuer != "http://127.0.0.1:9999/devidp" {
		t.Fatalf("listen override: %+v", cfg.Server)
	}
	if cfg.DatabasePath() != "/tmp/x/hub.db" || cfg.Session.Idle.Minutes() != 5 {
		t.Fatalf("data dir or idle: %s %v", cfg.DatabasePath(), cfg.Session.Idle)
	}
}

func TestSecretFromFile(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secret, []byte("s3cret\n"), 0o600)
	p := write(t, `
[server]
base_url = "https://hub.example.gov.uk"
listen = "0.0.0.0:8443"
[signin]
issuer = "https://login.example.com/tenant/v2.0"
client_id = "hub"
client_secret_file = "`+secret+`"
`)
	cfg, err := Load(p, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Signin.ClientSecret != "s3cret" || cfg.DevIDP.Enabled {
		t.Fatalf("secret %q devidp %v", cfg.Signin.ClientSecret, cfg.DevIDP.Enabled)
	}
}

// Every malformed configuration stops the start with a message naming the key.
func TestMalformedConfigNamesTheKey(t *testing.T) {
	prod := "[signin]\nissuer = \"https://idp.example.com\"\nclient_id = \"hub\"\n"
	cases := []struct {
		name, body string
		env        map[string]string
		want       string
	}{
		{"unknown key", "[server]\nlisten = \"127.0.0.1:1\"\nlisen = 1\n" + prod, nil, `unknown key "server.lisen"`},
		{"unknown section", "[sever]\nlisten = \"x\"\n", nil, `unknown key "sever`},
		{"syntax", "[server\n", nil, "line 2"},
		{"wrong type", "[server]\nreaders = \"many\"\n", nil, "readers"},
		{"bad duration", "[session]\nidle_timeout = \"soon\"\n" + prod, nil, "idle_timeout"},
		{"bad listen", "[server]\nlisten = \"8080\"\n" + prod, nil, "key server.listen"},
		{"bad metrics listen", "[server]\nmetrics_listen = \"9090\"\n" + prod, nil, "key server.metrics_listen"},
		{"bad log level", "[server]\nlog_level = \"loud\"\n" + prod, nil, "key server.log_level"},
		{"bad request log level", "[server]\nrequest_log_level = \"quiet\"\n" + prod, nil, "key server.request_log_level"},
		{"absolute below idle", "[session]\nidle_timeout = \"2h\"\nabsolute_timeout = \"1h\"\n" + prod, nil, "key session.absolute_timeout"},
		{"devidp off loopback", "[server]\nbase_url = \"https://hub.example.gov.uk\"\n[devidp]\nenabled = true\n", nil, "key devidp.enabled"},
		{"no issuer", "[server]\nlisten = \"127.0.0.1:1\"\n", nil, "key signin.issuer"},
		{"audience equals client", prod + "[api]\naudience = \"hub\"\n", nil, "key api.audience"},
		{"bad role map", prod + "[[claims]]\nissuer = \"https://idp.example.com\"\nrole_paths = [\"roles\"]\n[claims.map]\n\"Hub.Boss\" = \"emperor\"\n", nil, `key claims[0].map."Hub.Boss"`},
		{"agency staff without agency", prod + "[[claims]]\nissuer = \"https://idp.example.com\"\nrole_paths = [\"roles\"]\n[claims.map]\n\"H\" = \"agency_staff\"\n", nil, "bare agency_staff takes its agency from the claim at agency_path"},
		{"bad env", prod, map[string]string{"HUB_SERVER_READERS": "lots"}, "HUB_SERVER_READERS (key server.readers)"},
		{"missing secret file", prod + "client_secret_file = \"/nonexistent/secret\"\n", nil, "key signin.client_secret_file"},
		{"webhook timeout too long", prod + "[webhooks]\ntimeout = \"5m\"\n", nil, "key webhooks.timeout"},
		{"webhook alert not an address", prod + "[webhooks]\nalert_to = [\"Ops <ops@example.gov.uk>\"]\n", nil, "key webhooks.alert_to[0]"},
		{"database not a URL we open", prod + "[database]\nurl = \"mysql://hub:pw@db/hub\"\n", nil, `key database.url: want empty or sqlite:`},
		{"database without host", prod + "[database]\nurl = \"postgres:///hub\"\n", nil, "key database.url: name the PostgreSQL server"},
		{"database without name", prod, map[string]string{"HUB_DATABASE_URL": "postgresql://hub@db.internal:5432"}, "key database.url: name the database"},
		{"database sqlite path", prod + "[database]\nurl = \"sqlite:/tmp/other.db\"\n", nil, "key database.url: SQLite is always hub.db in server.data_dir"},
		{"database url file missing", prod + "[database]\nurl_file = \"/nonexistent/db-url\"\n", nil, "key database.url_file"},
		{"webhook private not a bool", prod, map[string]string{"HUB_WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "perhaps"}, "key webhooks.allow_private_networks"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := write(t, c.body)
			_, err := Load(p, env(c.env))
			if err == nil {
				t.Fatal("loaded a malformed configuration")
			}
			if !strings.Contains(err.Error(), c.want) || (c.env == nil && !strings.Contains(err.Error(), p)) {
				t.Fatalf("error %q does not name %q and the file", err, c.want)
			}
		})
	}
}

func TestExampleConfigIsValid(t *testing.T) {
	_, err := Load("../../config.example.toml", env(nil))
	if err != nil {
		t.Fatal(err)
	}
}

func TestMaracPanels(t *testing.T) {
	prod := "[signin]\nissuer = \"https://idp.example.com\"\nclient_id = \"hub\"\n"
	cfg, err := Load(write(t, prod), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Marac.Panels) != 1 || cfg.Marac.Panels[0] != (Panel{ID: "north", Name: "Northshire MARAC", EscalationIncidents: 3}) {
		t.Fatalf("default panels: %+v", cfg.Marac.Panels)
	}
	cfg, err = Load(write(t, prod+"[[marac.panels]]\nid = \"south\"\nname = \"South MARAC\"\n[[marac.panels]]\nid = \"east\"\nname = \"East MARAC\"\nescalation_incidents = 4\n"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := []Panel{{ID: "south", Name: "South MARAC", EscalationIncidents: 3}, {ID: "east", Name: "East MARAC", EscalationIncidents: 4}}
	if len(cfg.Marac.Panels) != 2 || cfg.Marac.Panels[0] != want[0] || cfg.Marac.Panels[1] != want[1] {
		t.Fatalf("panels from the file replace the default, absent threshold is 3: %+v", cfg.Marac.Panels)
	}
	if p, ok := cfg.Panel("east"); !ok || p.EscalationIncidents != 4 {
		t.Fatalf("Panel(east) = %+v %v", p, ok)
	}
	if _, ok := cfg.Panel("north"); ok {
		t.Fatal("the default panel survived a file that lists its own")
	}
	bad := []struct{ body, want string }{
		{"[[marac.panels]]\nid = \"North Panel\"\nname = \"N\"\n", "key marac.panels[0].id"},
		{"[[marac.panels]]\nid = \"n\"\nname = \"N\"\n[[marac.panels]]\nid = \"n\"\nname = \"M\"\n", "key marac.panels[1].id"},
		{"[[marac.panels]]\nid = \"n\"\nname = \" \"\n", "key marac.panels[0].name"},
		{"[[marac.panels]]\nid = \"n\"\nname = \"N\"\nescalation_incidents = -1\n", "key marac.panels[0].escalation_incidents"},
		{"[marac]\npanels = []\n", "key marac.panels"},
	}
	for _, c := range bad {
		if _, err := Load(write(t, prod+c.body), env(nil)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to name %s", c.body, err, c.want)
		}
	}
	if _, err := Load(write(t, prod), env(map[string]string{"HUB_MARAC_PANELS": "x"})); err == nil || !strings.Contains(err.Error(), "marac.panels") {
		t.Errorf("panels from the environment: %v", err)
	}
}

// The lawful bases a hub starts with are the registry's, so each has words
// on every page and report.
func TestDefaultLawfulBasesAreInTheRegistry(t *testing.T) {
	for _, b := range Defaults().Sharing.LawfulBases {
		if !vocab.LawfulBases.Has(b) {
			t.Errorf("default lawful basis %q is not in internal/vocab", b)
		}
	}
}

// The database URL selects the backend, from the file, the environment or
// a secret file; the password it carries appears in no message.
func TestDatabaseURL(t *testing.T) {
	t.Chdir(t.TempDir())
	cfg, err := Load("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Database.Postgres() || cfg.Database.Describe(cfg.DatabasePath()) != "data/hub.db" {
		t.Fatalf("the default is SQLite in the data folder, got %q", cfg.Database.Describe(cfg.DatabasePath()))
	}
	if cfg, err = Load("", env(map[string]string{"HUB_DATABASE_URL": "sqlite:"})); err != nil || cfg.Database.Postgres() {
		t.Fatalf("sqlite: is SQLite: %v", err)
	}
	pg := "postgres://hub:s3cret@db.internal:5432/hub?sslmode=verify-full"
	cfg, err = Load("", env(map[string]string{"HUB_DATABASE_URL": pg}))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Database.Postgres() || cfg.Database.URL != pg {
		t.Fatalf("HUB_DATABASE_URL: %+v", cfg.Database)
	}
	if d := cfg.Database.Describe(cfg.DatabasePath()); strings.Contains(d, "s3cret") || d != "postgres://hub:xxxxx@db.internal:5432/hub" {
		t.Errorf("described as %q", d)
	}
	secret := filepath.Join(t.TempDir(), "db-url")
	os.WriteFile(secret, []byte("postgresql://hub:s3cret@db.internal/hub\n"), 0o600)
	p := write(t, "[signin]\nissuer = \"https://idp.example.com\"\nclient_id = \"hub\"\n[database]\nurl_file = \""+secret+"\"\n")
	if cfg, err = Load(p, env(nil)); err != nil || cfg.Database.URL != "postgresql://hub:s3cret@db.internal/hub" {
		t.Fatalf("url_file: %v %q", err, cfg.Database.URL)
	}
	_, err = Load("", env(map[string]string{"HUB_DATABASE_URL": "postgres://hub:s3cret@/hub"}))
	if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "key database.url") {
		t.Fatalf("a URL without host: %v", err)
	}
	_, err = Load("", env(map[string]string{"HUB_DATABASE_URL": "mysql://hub:s3cret@db/hub"}))
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("a foreign URL: %v", err)
	}
}
