// Package config reads the hub's configuration: config.toml, then HUB_*
// environment overrides, then *_file secrets, and checks it whole with Validate.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/notify"
)

// Config is every setting of the hub. The toml tags are the keys of
// config.toml; config.example.toml documents each one.
type Config struct {
	Server   Server   `toml:"server"`
	Database Database `toml:"database"`
	Session  Session  `toml:"session"`
	Signin   Signin   `toml:"signin"`
	API      API      `toml:"api"`
	Claims   []Claims `toml:"claims"`
	DevIDP   DevIDP   `toml:"devidp"`
	Audit    Audit    `toml:"audit"`
	Sharing  Sharing  `toml:"sharing"`
	Sealing  Sealing  `toml:"sealing"`
	Limits   Limits   `toml:"limits"`
	Mail     Mail     `toml:"mail"`
	Marac    Marac    `toml:"marac"`
	Partner  Partner  `toml:"webhooks"`

	// Source is the file the configuration came from, empty for the defaults.
	Source string `toml:"-"`
}

// Server is where the hub listens and keeps its data.
type Server struct {
	Listen    string   `toml:"listen"`
	BaseURL   string   `toml:"base_url"`
	DataDir   string   `toml:"data_dir"`
	Agencies  string   `toml:"agencies"`
	BodyLimit int64    `toml:"body_limit"`
	Readers   int      `toml:"readers"`
	Shutdown  Duration `toml:"shutdown_grace"`
	// MetricsListen, when set, serves /metrics (and, on a loopback
	// address, /debug/pprof/) on a listener of its own instead of to
	// loopback callers of the main one.
	MetricsListen string `toml:"metrics_listen"`
	// LogLevel is the least level logged: debug, info, warn or error.
	LogLevel string `toml:"log_level"`
	// RequestLogLevel is the level of the one line per request; below
	// LogLevel (debug under info), requests are not logged.
	RequestLogLevel string `toml:"request_log_level"`
	// TrustedProxies are the CIDRs of the reverse proxies in front of the
	// hub: only a request from one of them may name the client address in
	// X-Forwarded-For. Without them the peer address is the client's.
	TrustedProxies []string `toml:"trusted_proxies"`
}

// Level parses a log level name: debug, info, warn or error.
func Level(name string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(name)); err != nil || !strings.EqualFold(name, l.String()) {
		return 0, fmt.Errorf("want debug, info, warn or error, got %q", name)
	}
	return l, nil
}

// Session holds the timeouts of a browser session.
type Session struct {
	Idle     Duration `toml:"idle_timeout"`
	Absolute Duration `toml:"absolute_timeout"`
	Reauth   Duration `toml:"fresh_signin"`
}

// Signin is the OpenID provider people sign in with.
type Signin struct {
	Issuer           string   `toml:"issuer"`
	ClientID         string   `toml:"client_id"`
	ClientSecret     string   `toml:"client_secret"`
	ClientSecretFile string   `toml:"client_secret_file"`
	Scopes           []string `toml:"scopes"`
	// ClockLeeway is how far a provider's clock may be from the hub's when
	// token times are checked.
	ClockLeeway Duration `toml:"clock_leeway"`
}

// API is how partner systems' bearer tokens are checked.
type API struct {
	Audience string `toml:"audience"`
}

// Claims maps one issuer's token claims to hub roles and an agency.
// EmailVerifiedRequired (default true) makes memberships follow an e-mail
// address only when the issuer says email_verified; EmailClaims are the
// claims that may hold the address, first present wins (default email).
type Claims struct {
	Issuer                string            `toml:"issuer"`
	RolePaths             []string          `toml:"role_paths"`
	AgencyPath            string            `toml:"agency_path"`
	Map                   map[string]string `toml:"map"`
	EmailVerifiedRequired *bool             `toml:"email_verified_required"`
	EmailClaims           []string          `toml:"email_claims"`
}

// TrustsEmail reports whether the issuer's e-mail addresses pick up
// memberships without email_verified (email_verified_required = false).
func (c Claims) TrustsEmail() bool {
	return c.EmailVerifiedRequired != nil && !*c.EmailVerifiedRequired
}

// DevIDP switches on the embedded development identity provider.
type DevIDP struct {
	Enabled bool `toml:"enabled"`
	// SeedReferrals fills an empty development database with this many
	// synthetic referrals at start, so a newcomer has something to look at;
	// it does nothing unless the development provider is on.
	SeedReferrals int `toml:"seed_referrals"`
}

// Audit configures the audit log's signed checkpoints.
type Audit struct {
	SigningKeyFile     string   `toml:"signing_key_file"`
	CheckpointEvery    int      `toml:"checkpoint_every"`
	CheckpointInterval Duration `toml:"checkpoint_interval"`
}

// Sharing lists the lawful bases an officer may choose to share without consent.
type Sharing struct {
	LawfulBases []string `toml:"lawful_bases"`
}

// Sealing says where the keys that encrypt personal data at rest are kept.
type Sealing struct {
	KeysDir string `toml:"keys_dir"`
	// Create lets the hub make new keys whenever the folder is empty
	// (development). Without it the first keys are made only while nothing
	// is sealed (the first start, or `hub keys init`), so that a lost keys
	// folder stops the start.
	Create bool `toml:"create"`
}

// Limits are the rate limits on sign-in and token endpoints, per client
// address: SigninPerMinute requests to /signin and /auth/callback, and
// FailedTokensPerMinute refused API access tokens, before 429.
type Limits struct {
	SigninPerMinute       int `toml:"signin_per_minute"`
	FailedTokensPerMinute int `toml:"failed_tokens_per_minute"`
}

// Mail is the mail server that notifications go through. With no host the
// outbox still fills (the development mailbox shows it) but nothing is sent.
type Mail struct {
	Host         string   `toml:"host"`
	Port         int      `toml:"port"`
	Username     string   `toml:"username"`
	Password     string   `toml:"password"`
	PasswordFile string   `toml:"password_file"`
	From         string   `toml:"from"`
	TLS          string   `toml:"tls"`
	RetryBase    Duration `toml:"retry_base"`
	MaxAttempts  int      `toml:"max_attempts"`
	// SendTimeout bounds one delivery; a claim on a notification lasts a
	// little longer, so a crashed hub's notifications wait about as long.
	SendTimeout Duration `toml:"send_timeout"`
}

// Marac lists the MARAC panels the coordinator runs meetings for.
type Marac struct {
	Panels []Panel `toml:"panels"`
}

// Panel is one MARAC: its id, its name, and the number of incidents in 12
// months at which a referral is potential escalation (each area sets its own).
type Panel struct {
	ID                  string `toml:"id"`
	Name                string `toml:"name"`
	EscalationIncidents int    `toml:"escalation_incidents"`
}

// DefaultEscalationIncidents is a panel's threshold when its file sets none:
// three incidents in 12 months, the number most areas use.
const DefaultEscalationIncidents = 3

// Duration is a time.Duration written as "30m" in TOML.
type Duration struct{ time.Duration }

// UnmarshalText reads a duration such as "30m" or "12h".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("not a duration like 30m or 12h: %q", b)
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration as "30m0s".
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// DevIssuerPath is where the development identity provider is mounted.
const DevIssuerPath = "/devidp"

// Database says which database the hub keeps its records in.
type Database struct {
	// URL is empty or "sqlite:" for SQLite in server.data_dir (the
	// default), or postgres://USER@HOST:PORT/DB (or postgresql://) for
	// PostgreSQL 15 or later, which several replicas can share.
	URL string `toml:"url"`
	// URLFile, when set, is a file holding the URL, which may carry the
	// database password.
	URLFile string `toml:"url_file"`
}

// Postgres reports whether the URL names a PostgreSQL database.
func (d Database) Postgres() bool {
	return strings.HasPrefix(d.URL, "postgres://") || strings.HasPrefix(d.URL, "postgresql://")
}

// Describe names the database for logs and messages without its password.
func (d Database) Describe(sqlitePath string) string {
	if !d.Postgres() {
		return sqlitePath
	}
	u, err := url.Parse(d.URL)
	if err != nil {
		return "postgresql (unparsable URL)"
	}
	u.RawQuery = ""
	return u.Redacted()
}

// validate holds the URL to the forms the hub opens, without repeating the
// URL in the message: it may carry a password.
func (d Database) validate(bad func(key, format string, args ...any) error) error {
	if d.URL == "" || d.URL == "sqlite:" {
		return nil
	}
	scheme, _, _ := strings.Cut(d.URL, ":")
	if scheme == "sqlite" {
		return bad("database.url", "SQLite is always hub.db in server.data_dir: write sqlite: alone, or set server.data_dir")
	}
	if !d.Postgres() {
		return bad("database.url", "want empty or sqlite: (SQLite in server.data_dir) or postgres://USER@HOST:PORT/DB, got a URL with scheme %q", scheme)
	}
	u, err := url.Parse(d.URL)
	if err != nil {
		return bad("database.url", "not a valid postgres:// URL (check for characters that need escaping in the password)")
	}
	if u.Host == "" {
		return bad("database.url", "name the PostgreSQL server: postgres://USER@HOST:PORT/DB")
	}
	if strings.Trim(u.Path, "/") == "" {
		return bad("database.url", "name the database: postgres://USER@HOST:PORT/DB")
	}
	return nil
}

// DevClientID is the client the hub uses at the development identity provider.
const DevClientID = "hub-dev"

// Defaults returns the built-in development configuration: SQLite under
// ./data, the development identity provider on, listening on loopback.
func Defaults() Config {
	return Config{
		Server: Server{
			Listen:    "127.0.0.1:8080",
			DataDir:   "./data",
			Agencies:  "./agencies",
			BodyLimit: 1 << 20,
			Readers:   4,
			Shutdown:  Duration{10 * time.Second},
			LogLevel:  "info", RequestLogLevel: "info",
		},
		Session: Session{
			Idle:     Duration{30 * time.Minute},
			Absolute: Duration{12 * time.Hour},
			Reauth:   Duration{15 * time.Minute},
		},
		Signin:  Signin{Scopes: []string{"openid", "profile", "email"}, ClockLeeway: Duration{2 * time.Minute}},
		API:     API{Audience: "hub-api"},
		DevIDP:  DevIDP{Enabled: true, SeedReferrals: 40},
		Sealing: Sealing{Create: true},
		Audit: Audit{
			CheckpointEvery:    1000,
			CheckpointInterval: Duration{time.Minute},
		},
		Sharing: Sharing{LawfulBases: []string{"dpa2018_sch8_safeguarding", "crime_and_disorder_act_s115", "vital_interests"}},
		Limits:  Limits{SigninPerMinute: 30, FailedTokensPerMinute: 30},
		Mail:    Mail{Port: 587, TLS: "opportunistic", RetryBase: Duration{30 * time.Second}, MaxAttempts: 12, SendTimeout: Duration{30 * time.Second}},
		Marac:   Marac{Panels: []Panel{{ID: "north", Name: "Northshire MARAC", EscalationIncidents: DefaultEscalationIncidents}}},
		Partner: Partner{Timeout: Duration{15 * time.Second}},
	}
}

// Load reads the configuration. With an empty path it reads ./config.toml when
// present, else the defaults. Environment overrides and secret files follow,
// then Validate. getenv is os.Getenv outside tests.
func Load(path string, getenv func(string) string) (Config, error) {
	cfg := Defaults()
	if path == "" {
		if _, err := os.Stat("config.toml"); err == nil {
			path = "config.toml"
		}
	}
	if path != "" {
		// A file starts from the same defaults but the development provider stays
		// off unless the file asks for it.
		cfg.DevIDP.Enabled = false
		cfg.DevIDP.SeedReferrals = 0
		cfg.Sealing.Create = false
		md, err := toml.DecodeFile(path, &cfg)
		if err != nil {
			var perr toml.ParseError
			if errors.As(err, &perr) {
				if perr.LastKey != "" {
					return Config{}, fmt.Errorf("%s: line %d: key %s: %s", path, perr.Position.Line, perr.LastKey, perr.Message)
				}
				return Config{}, fmt.Errorf("%s: line %d: %s", path, perr.Position.Line, perr.Message)
			}
			return Config{}, fmt.Errorf("%s: %w", path, err)
		}
		if un := md.Undecoded(); len(un) > 0 {
			return Config{}, fmt.Errorf("%s: unknown key %q", path, un[0].String())
		}
		cfg.Source = path
	}
	if err := applyEnv(&cfg, getenv); err != nil {
		return Config{}, err
	}
	if err := readSecrets(&cfg); err != nil {
		if cfg.Source != "" {
			return Config{}, fmt.Errorf("%s: %w", cfg.Source, err)
		}
		return Config{}, err
	}
	cfg.fillDerived()
	if err := cfg.Validate(); err != nil {
		if cfg.Source != "" {
			return Config{}, fmt.Errorf("%s: %w", cfg.Source, err)
		}
		return Config{}, err
	}
	return cfg, nil
}

// applyEnv sets every scalar key from HUB_SECTION_KEY when that variable is
// set, plus the short forms HUB_LISTEN and HUB_DATA_DIR.
func applyEnv(cfg *Config, getenv func(string) string) error {
	short := map[string]string{"HUB_LISTEN": "HUB_SERVER_LISTEN", "HUB_DATA_DIR": "HUB_SERVER_DATA_DIR"}
	lookup := func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		for s, long := range short {
			if long == name {
				return getenv(s)
			}
		}
		return ""
	}
	root := reflect.ValueOf(cfg).Elem()
	for i := 0; i < root.NumField(); i++ {
		section := root.Type().Field(i)
		tag := section.Tag.Get("toml")
		if tag == "-" || section.Type.Kind() != reflect.Struct {
			continue
		}
		sv := root.Field(i)
		for j := 0; j < sv.NumField(); j++ {
			f := sv.Type().Field(j)
			key := tag + "." + f.Tag.Get("toml")
			name := "HUB_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
			v := lookup(name)
			if v == "" {
				continue
			}
			if err := setScalar(sv.Field(j), v); err != nil {
				return fmt.Errorf("environment %s (key %s): %w", name, key, err)
			}
		}
	}
	return nil
}

func setScalar(f reflect.Value, v string) error {
	if u, ok := f.Addr().Interface().(interface{ UnmarshalText([]byte) error }); ok {
		return u.UnmarshalText([]byte(v))
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(v)
	case reflect.Bool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("not true or false: %q", v)
		}
		f.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("not a whole number: %q", v)
		}
		f.SetInt(n)
	case reflect.Slice:
		if f.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("cannot be set from the environment; set it in the file")
		}
		f.Set(reflect.ValueOf(strings.Split(v, ",")))
	default:
		return fmt.Errorf("cannot be set from the environment")
	}
	return nil
}

// readSecrets replaces a secret with the content of its *_file when set.
func readSecrets(cfg *Config) error {
	if cfg.Signin.ClientSecretFile != "" {
		b, err := os.ReadFile(cfg.Signin.ClientSecretFile)
		if err != nil {
			return fmt.Errorf("key signin.client_secret_file: %w", err)
		}
		cfg.Signin.ClientSecret = strings.TrimSpace(string(b))
	}
	if cfg.Database.URLFile != "" {
		b, err := os.ReadFile(cfg.Database.URLFile)
		if err != nil {
			return fmt.Errorf("key database.url_file: %w", err)
		}
		cfg.Database.URL = strings.TrimSpace(string(b))
	}
	if cfg.Mail.PasswordFile != "" {
		b, err := os.ReadFile(cfg.Mail.PasswordFile)
		if err != nil {
			return fmt.Errorf("key mail.password_file: %w", err)
		}
		cfg.Mail.Password = strings.TrimSpace(string(b))
	}
	return nil
}

// fillDerived sets what follows from other keys: the development base URL
// follows the listen address, and the development provider is the sign-in issuer.
func (c *Config) fillDerived() {
	if c.Server.BaseURL == "" {
		c.Server.BaseURL = "http://" + c.Server.Listen
	}
	c.Server.BaseURL = strings.TrimSuffix(c.Server.BaseURL, "/")
	if c.DevIDP.Enabled {
		if c.Signin.Issuer == "" {
			c.Signin.Issuer = c.Server.BaseURL + DevIssuerPath
		}
		if c.Signin.ClientID == "" {
			c.Signin.ClientID = DevClientID
		}
		if c.Signin.Issuer == c.Server.BaseURL+DevIssuerPath && !c.hasClaims(c.Signin.Issuer) {
			c.Claims = append(c.Claims, Claims{Issuer: c.Signin.Issuer, RolePaths: []string{"hub_roles"}, AgencyPath: "hub_agency"})
		}
	}
	if c.Sealing.KeysDir == "" {
		c.Sealing.KeysDir = filepath.Join(c.Server.DataDir, "keys")
	}
	if c.Audit.SigningKeyFile == "" {
		c.Audit.SigningKeyFile = filepath.Join(c.Server.DataDir, "audit-signing.key")
	}
	for i := range c.Marac.Panels {
		if c.Marac.Panels[i].EscalationIncidents == 0 {
			c.Marac.Panels[i].EscalationIncidents = DefaultEscalationIncidents
		}
	}
}

func (c *Config) hasClaims(issuer string) bool {
	for _, cl := range c.Claims {
		if cl.Issuer == issuer {
			return true
		}
	}
	return false
}

// Issuers lists every OpenID provider the configuration names: the sign-in
// issuer first, then each [[claims]] issuer, once each.
func Issuers(c Config) []string {
	out := []string{c.Signin.Issuer}
	for _, cl := range c.Claims {
		if !slices.Contains(out, cl.Issuer) {
			out = append(out, cl.Issuer)
		}
	}
	return out
}

// DatabasePath is the SQLite file under the data folder (unused with
// PostgreSQL).
func (c Config) DatabasePath() string { return filepath.Join(c.Server.DataDir, "hub.db") }

// Validate checks the configuration as a whole and names the first bad key.
func (c Config) Validate() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("key %s: %s", key, fmt.Sprintf(format, args...))
	}
	if _, port, err := net.SplitHostPort(c.Server.Listen); err != nil || port == "" {
		return bad("server.listen", "want host:port, got %q", c.Server.Listen)
	}
	base, err := url.Parse(c.Server.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return bad("server.base_url", "want an absolute http(s) URL, got %q", c.Server.BaseURL)
	}
	if c.Server.DataDir == "" {
		return bad("server.data_dir", "must name a folder")
	}
	if c.Server.Agencies == "" {
		return bad("server.agencies", "must name the folder of agency files")
	}
	if c.Server.BodyLimit < 1024 {
		return bad("server.body_limit", "must be at least 1024 bytes")
	}
	if c.Server.Readers < 1 {
		return bad("server.readers", "must be at least 1")
	}
	if err := c.Database.validate(bad); err != nil {
		return err
	}
	if c.Server.MetricsListen != "" {
		if _, _, err := net.SplitHostPort(c.Server.MetricsListen); err != nil {
			return bad("server.metrics_listen", "want host:port, got %q", c.Server.MetricsListen)
		}
	}
	if _, err := Level(c.Server.LogLevel); err != nil {
		return bad("server.log_level", "%v", err)
	}
	if _, err := Level(c.Server.RequestLogLevel); err != nil {
		return bad("server.request_log_level", "%v", err)
	}
	for i, cidr := range c.Server.TrustedProxies {
		if _, _, err := net.ParseCIDR(cidr); err != nil {
			return bad(fmt.Sprintf("server.trusted_proxies[%d]", i), "want a CIDR such as 10.0.0.0/8 or 192.0.2.7/32, got %q", cidr)
		}
	}
	if c.Session.Idle.Duration <= 0 {
		return bad("session.idle_timeout", "must be positive")
	}
	if c.Session.Absolute.Duration < c.Session.Idle.Duration {
		return bad("session.absolute_timeout", "must be at least session.idle_timeout")
	}
	if c.Session.Reauth.Duration <= 0 {
		return bad("session.fresh_signin", "must be positive")
	}
	if c.DevIDP.SeedReferrals < 0 || c.DevIDP.SeedReferrals > 100000 {
		return bad("devidp.seed_referrals", "must be from 0 to 100000")
	}
	if c.DevIDP.Enabled && !loopback(base.Hostname()) {
		return bad("devidp.enabled", "the development identity provider runs only on a loopback base URL, not %q", base.Hostname())
	}
	if c.Signin.Issuer == "" {
		return bad("signin.issuer", "set the OpenID provider people sign in with, or enable devidp for development")
	}
	if u, err := url.Parse(c.Signin.Issuer); err != nil || u.Host == "" {
		return bad("signin.issuer", "want an absolute URL, got %q", c.Signin.Issuer)
	}
	if c.Signin.ClientID == "" {
		return bad("signin.client_id", "must be set")
	}
	if c.Signin.ClockLeeway.Duration < 0 || c.Signin.ClockLeeway.Duration > 10*time.Minute {
		return bad("signin.clock_leeway", "must be from 0s to 10m")
	}
	if c.API.Audience == "" {
		return bad("api.audience", "must be set")
	}
	if c.API.Audience == c.Signin.ClientID {
		return bad("api.audience", "must differ from signin.client_id, so that an ID token is never taken for an access token")
	}
	for i, cl := range c.Claims {
		key := fmt.Sprintf("claims[%d]", i)
		if cl.Issuer == "" {
			return bad(key+".issuer", "must be set")
		}
		if len(cl.RolePaths) == 0 {
			return bad(key+".role_paths", "must name at least one claim path")
		}
		for value, target := range cl.Map {
			if target == string(identity.AgencyStaff) {
				if cl.AgencyPath == "" {
					return bad(fmt.Sprintf("%s.map.%q", key, value), "a bare agency_staff takes its agency from the claim at agency_path; set agency_path, or map to agency_staff:AGENCY")
				}
				continue
			}
			if _, _, err := ParseRoleTarget(target); err != nil {
				return bad(fmt.Sprintf("%s.map.%q", key, value), "%v", err)
			}
		}
		for j, e := range cl.EmailClaims {
			if strings.TrimSpace(e) == "" {
				return bad(fmt.Sprintf("%s.email_claims[%d]", key, j), "must name a claim")
			}
		}
	}
	if c.Audit.CheckpointEvery < 1 {
		return bad("audit.checkpoint_every", "must be at least 1")
	}
	if c.Audit.CheckpointInterval.Duration <= 0 {
		return bad("audit.checkpoint_interval", "must be positive")
	}
	if len(c.Sharing.LawfulBases) == 0 {
		return bad("sharing.lawful_bases", "must list at least one lawful basis")
	}
	if c.Limits.SigninPerMinute < 1 {
		return bad("limits.signin_per_minute", "must be at least 1")
	}
	if c.Limits.FailedTokensPerMinute < 1 {
		return bad("limits.failed_tokens_per_minute", "must be at least 1")
	}
	if err := c.Marac.validate(bad); err != nil {
		return err
	}
	if err := c.Partner.validate(bad); err != nil {
		return err
	}
	return c.Mail.validate(bad)
}

func (m Mail) validate(bad func(key, format string, args ...any) error) error {
	if m.Port < 1 || m.Port > 65535 {
		return bad("mail.port", "must be a port from 1 to 65535, got %d", m.Port)
	}
	if _, err := notify.ParseTLSPolicy(m.TLS); err != nil {
		return bad("mail.tls", "%v", err)
	}
	if m.RetryBase.Duration <= 0 {
		return bad("mail.retry_base", "must be positive")
	}
	if m.MaxAttempts < 1 {
		return bad("mail.max_attempts", "must be at least 1")
	}
	if m.SendTimeout.Duration < time.Second || m.SendTimeout.Duration > 5*time.Minute {
		return bad("mail.send_timeout", "must be from 1s to 5m")
	}
	if m.Host == "" {
		return nil
	}
	if a, err := mail.ParseAddress(m.From); err != nil || a.Address != m.From {
		return bad("mail.from", "set the sender as a bare e-mail address like hub-noreply@example.gov.uk, got %q", m.From)
	}
	if m.Username != "" && m.Password == "" {
		return bad("mail.password", "set it, or mail.password_file, when mail.username is set")
	}
	return nil
}

func (m Marac) validate(bad func(key, format string, args ...any) error) error {
	if len(m.Panels) == 0 {
		return bad("marac.panels", "must list at least one MARAC panel")
	}
	seen := map[string]bool{}
	for i, p := range m.Panels {
		key := fmt.Sprintf("marac.panels[%d]", i)
		if !panelID.MatchString(p.ID) {
			return bad(key+".id", "want lower-case letters, digits and hyphens, got %q", p.ID)
		}
		if seen[p.ID] {
			return bad(key+".id", "panel %q is listed twice", p.ID)
		}
		seen[p.ID] = true
		if strings.TrimSpace(p.Name) == "" {
			return bad(key+".name", "must be set")
		}
		if p.EscalationIncidents < 1 {
			return bad(key+".escalation_incidents", "must be at least 1")
		}
	}
	return nil
}

// ParseRoleTarget reads a claim map value: "officer", or "agency_staff:housing".
func ParseRoleTarget(s string) (identity.Role, string, error) {
	name, agency, _ := strings.Cut(s, ":")
	r, err := identity.ParseRole(name)
	if err != nil {
		return "", "", err
	}
	if r == identity.AgencyStaff && agency == "" {
		return "", "", fmt.Errorf("agency_staff needs an agency: agency_staff:AGENCY")
	}
	if r != identity.AgencyStaff && agency != "" {
		return "", "", fmt.Errorf("only agency_staff takes an agency")
	}
	return r, agency, nil
}

// panelID is the shape of a panel id: it appears in URLs and forms.
var panelID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// Panel returns the configured panel with the id.
func (c Config) Panel(id string) (Panel, bool) {
	for _, p := range c.Marac.Panels {
		if p.ID == id {
			return p, true
		}
	}
	return Panel{}, false
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
