// Package app wires the hub: configuration -> store -> services -> web
// server. cmd/hub runs it; end-to-end tests start the very same thing.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/config"
	"github.com/stalking-hub/hub/internal/demo"
	"github.com/stalking-hub/hub/internal/devidp"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/partner"
	"github.com/stalking-hub/hub/internal/seal"
	"github.com/stalking-hub/hub/internal/store"
	"github.com/stalking-hub/hub/internal/web"
)

// App is the running hub: configuration, store, services and the web server,
// wired in Open and released in Close so that tests can run one by hand.
type App struct {
	Config   config.Config
	DB       *store.DB
	Agencies *agency.Directory
	Web      *web.Server
	DevIDP   *devidp.Provider // nil unless development sign-in is on
	Log      *slog.Logger
	// Listener, when set before Open, is used instead of listening on
	// Config.Server.Listen (tests listen on a free port first).
	Listener net.Listener

	server   *http.Server
	notifier *notify.Worker // nil when no SMTP server is configured
	webhooks *partner.Worker
	unlock   func() // releases the data folder's lock
	// metricsServer serves /metrics on server.metrics_listen; nil when unset.
	metricsServer   *http.Server
	metricsListener net.Listener
}

// OpenDatabase opens the configured database, SQLite or PostgreSQL, with n
// readers; it does not migrate.
func OpenDatabase(cfg config.Config, readers int) (*store.DB, error) {
	if cfg.Database.Postgres() {
		return store.OpenPostgres(cfg.Database.URL, readers)
	}
	return store.Open(cfg.DatabasePath(), readers)
}

// OpenStore opens and migrates the database, with the audit signer set. On
// the first start (nothing sealed yet) a missing or empty keys folder is
// created (0700) with the first keys, as `hub keys init` does.
func OpenStore(ctx context.Context, cfg config.Config) (*store.DB, error) {
	db, err := OpenDatabase(cfg, cfg.Server.Readers)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	signer, verifier, err := audit.LoadOrCreateKey(cfg.Audit.SigningKeyFile, "hub-audit")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("key audit.signing_key_file: %w", err)
	}
	if err := db.SetAuditSigner(signer, verifier, cfg.Audit.CheckpointEvery, cfg.Audit.CheckpointInterval.Duration); err != nil {
		db.Close()
		return nil, err
	}
	if err := firstKeys(ctx, db, cfg.Sealing.KeysDir); err != nil {
		db.Close()
		return nil, fmt.Errorf("key sealing.keys_dir: %w", err)
	}
	keys, err := seal.Load(cfg.Sealing.KeysDir, cfg.Sealing.Create)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("key sealing.keys_dir: %w", err)
	}
	db.SetKeyring(keys)
	return db, nil
}

// firstKeys makes the first sealing keys when the keys folder is missing or
// empty and the database holds nothing sealed. With sealed values and no
// keys it makes none: those values need the keys that sealed them back.
func firstKeys(ctx context.Context, db *store.DB, dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if len(entries) > 0 {
		return nil
	}
	sealed, err := db.SealedByKey(ctx)
	if err != nil {
		return err
	}
	if len(sealed) > 0 {
		return fmt.Errorf("%s holds no keys but the database holds sealed values: restore the keys folder from the backup", dir)
	}
	if err := seal.Init(dir); !errors.Is(err, seal.ErrKeysExist) {
		return err
	}
	// Another replica on the same data folder made them first.
	return nil
}

// Open wires configuration -> store -> services -> web server and listens.
func (a *App) Open(ctx context.Context) error {
	cfg := a.Config
	if cfg.Database.Postgres() {
		// Replicas share the data folder (keys, the development
		// provider) and the database: no one of them holds it alone.
		if err := os.MkdirAll(cfg.Server.DataDir, 0o700); err != nil {
			return fmt.Errorf("create the data folder: %w", err)
		}
	} else {
		unlock, err := LockDataDir(cfg)
		if err != nil {
			return err
		}
		a.unlock = unlock
	}
	db, err := OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	a.DB = db
	if a.Agencies, err = agency.Load(cfg.Server.Agencies, cfg.Sharing.LawfulBases); err != nil {
		return err
	}
	mounts := map[string]http.Handler{}
	if cfg.DevIDP.Enabled {
		p, err := NewDevIDP(cfg)
		if err != nil {
			return fmt.Errorf("development identity provider: %w", err)
		}
		a.DevIDP = p
		mounts[config.DevIssuerPath] = p.Handler()
		a.Log.Warn("DEVELOPMENT IDENTITY PROVIDER IS ON: anyone can sign in as a demo persona. Never use this with real data.",
			"issuer", cfg.Signin.Issuer)
	}
	a.checkProviders(ctx)
	opts := identityOptions(cfg)
	opts.KnownAgency = func(id string) bool { _, ok := a.Agencies.Get(id); return ok }
	auth, err := identity.NewService(opts, db, a.Log)
	if err != nil {
		return err
	}
	a.webhooks = NewWebhookWorker(cfg, db, a.Log)
	db.SetNotices(store.Notices{BaseURL: cfg.Server.BaseURL, Agencies: a.Agencies, PartnerEvent: a.webhooks.Wake,
		WebhookAlerts: cfg.Partner.AlertTo, Noticed: a.wakeNotifier})
	if cfg.Mail.Host != "" {
		sender, err := notify.NewSMTP(notify.SMTPConfig{Host: cfg.Mail.Host, Port: cfg.Mail.Port, Username: cfg.Mail.Username,
			Password: cfg.Mail.Password, From: cfg.Mail.From, TLS: notify.TLSPolicy(cfg.Mail.TLS), Timeout: cfg.Mail.SendTimeout.Duration})
		if err != nil {
			return fmt.Errorf("key mail.host: %w", err)
		}
		a.notifier = notify.NewWorker(db, sender, notify.WorkerOptions{Log: a.Log, RetryBase: cfg.Mail.RetryBase.Duration, MaxAttempts: cfg.Mail.MaxAttempts, SendTimeout: cfg.Mail.SendTimeout.Duration})
	}
	if cfg.DevIDP.Enabled && cfg.DevIDP.SeedReferrals > 0 {
		seeded, err := demo.SeedIfEmpty(ctx, db, a.Agencies, cfg.DevIDP.SeedReferrals, demo.Options{Issuer: cfg.Signin.Issuer, Panel: cfg.Marac.Panels[0], LawfulBases: cfg.Sharing.LawfulBases}, nil)
		if err != nil {
			return fmt.Errorf("seeding synthetic referrals: %w", err)
		}
		if seeded {
			a.Log.Info("seeded synthetic referrals for development", "count", cfg.DevIDP.SeedReferrals)
		}
	}
	metrics := web.NewMetrics(db, cfg.Session.Idle.Duration)
	db.SetHooks(metrics.Hooks())
	a.Web, err = web.New(web.Deps{Config: cfg, DB: db, Agencies: a.Agencies, Auth: auth, Log: a.Log, Mounts: mounts, Metrics: metrics})
	if err != nil {
		return err
	}
	if cfg.Server.MetricsListen != "" {
		l, err := net.Listen("tcp", cfg.Server.MetricsListen)
		if err != nil {
			return fmt.Errorf("key server.metrics_listen: %w", err)
		}
		// Profiles show the process's insides: on a loopback address only.
		host, _, _ := net.SplitHostPort(cfg.Server.MetricsListen)
		ip := net.ParseIP(host)
		profiles := host == "localhost" || (ip != nil && ip.IsLoopback())
		a.metricsServer = &http.Server{Handler: a.Web.MetricsHandler(profiles), ReadHeaderTimeout: 10 * time.Second}
		a.metricsListener = l
	}
	if a.Listener == nil {
		if a.Listener, err = net.Listen("tcp", cfg.Server.Listen); err != nil {
			return fmt.Errorf("key server.listen: %w", err)
		}
	}
	a.server = &http.Server{
		Handler:           a.Web,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	return nil
}

// Run serves until ctx ends, then lets requests in flight finish for the
// grace period, cuts (and logs) any still running, and returns nil.
func (a *App) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- a.server.Serve(a.Listener) }()
	if a.metricsServer != nil {
		go func() {
			if err := a.metricsServer.Serve(a.metricsListener); !errors.Is(err, http.ErrServerClosed) {
				a.Log.Error("the metrics listener failed", "error", err.Error())
			}
		}()
		defer a.metricsServer.Close()
	}
	bctx, stopBackground := context.WithCancel(ctx)
	background := make(chan struct{})
	go func() { a.background(bctx); close(background) }()
	defer func() { stopBackground(); <-background }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", "grace", a.Config.Server.Shutdown.String())
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.Server.Shutdown.Duration)
	defer cancel()
	if err := a.server.Shutdown(sctx); errors.Is(err, context.DeadlineExceeded) {
		// The grace is over: what still runs is cut, and said so. Stopping
		// as asked is not a failure of the hub.
		cut := a.Web.InFlight()
		a.Log.Warn("shutdown grace over; cutting requests still running", "count", len(cut), "requests", cut)
		a.server.Close()
	} else if err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	a.Log.Info("stopped")
	return nil
}

// background runs the hub's own clockwork until ctx ends: every minute it
// reads the sealing keys folder again and notes overdue shares and, with
// SMTP configured, it delivers the outbox; it delivers webhooks throughout.
func (a *App) background(ctx context.Context) {
	webhooksDone := make(chan struct{})
	go func() { a.webhooks.Run(ctx); close(webhooksDone) }()
	defer func() { <-webhooksDone }()
	done := make(chan struct{})
	if a.notifier != nil {
		go func() { a.notifier.Run(ctx); close(done) }()
	} else {
		close(done)
	}
	checkpoints := make(chan struct{})
	if a.DB.Postgres() {
		close(checkpoints) // PostgreSQL keeps its own write-ahead log
	} else {
		go func() { a.checkpointWAL(ctx, walCheckpointEvery); close(checkpoints) }()
	}
	defer func() { <-checkpoints }()
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		// A key that `hub keys rotate` added is taken up within a minute.
		if err := a.DB.Keyring().Refresh(); err != nil {
			a.Log.Error("reading the sealing keys failed", "error", err.Error())
		}
		for _, sweep := range []struct {
			what string
			note func(context.Context, time.Time) (int, error)
		}{{"shares", a.DB.NoteOverdue}, {"MARAC actions", a.DB.NoteOverdueActions}, {"orders ending", a.DB.NoteOrdersEnding}} {
			if n, err := sweep.note(ctx, time.Now()); err != nil && ctx.Err() == nil {
				a.Log.Error("noting overdue "+sweep.what+" failed", "error", err.Error())
			} else if n > 0 {
				a.Log.Info("overdue "+sweep.what+" noted", "count", n)
				if a.notifier != nil {
					a.notifier.Wake()
				}
			}
		}
		select {
		case <-ctx.Done():
			<-done
			return
		case <-tick.C:
		}
	}
}

// walCheckpointEvery is how often the WAL is copied into the database and
// truncated.
const walCheckpointEvery = 30 * time.Second

// checkpointWAL truncates the WAL every so often until ctx ends, so that
// it stays small even when long reads kept SQLite's own checkpoints from
// finishing.
func (a *App) checkpointWAL(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		busy, size, err := a.DB.CheckpointWAL(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			a.Log.Error("WAL checkpoint failed", "error", err.Error())
		case busy:
			a.Log.Debug("WAL checkpoint put off: a reader or writer is busy", "wal_bytes", size)
		}
	}
}

// wakeNotifier asks the mail worker, when there is one, to deliver a
// notification just enqueued now rather than at its next poll.
func (a *App) wakeNotifier() {
	if a.notifier != nil {
		a.notifier.Wake()
	}
}

// Close releases the database and the data folder.
func (a *App) Close() error {
	if a.unlock != nil {
		defer a.unlock()
	}
	if a.DB != nil {
		if err := a.DB.Checkpoint(context.Background()); err != nil {
			a.Log.Error("audit checkpoint at shutdown failed", "error", err.Error())
		}
		return a.DB.Close()
	}
	return nil
}

// NewWebhookWorker builds the worker that delivers partner systems'
// webhooks through the guarded client: loopback addresses only while the
// development provider is on, private ones only when configured.
func NewWebhookWorker(cfg config.Config, db *store.DB, log *slog.Logger) *partner.Worker {
	client := partner.NewClient(partner.ClientRules{AllowLoopback: cfg.DevIDP.Enabled, AllowPrivate: cfg.Partner.AllowPrivate, Timeout: cfg.Partner.Timeout.Duration})
	return partner.NewWorker(db, partner.WorkerOptions{Log: log, Client: client, URLs: partner.URLRules{LoopbackHTTP: cfg.DevIDP.Enabled}})
}

// NewDevIDP builds the development identity provider from the configuration.
func NewDevIDP(cfg config.Config) (*devidp.Provider, error) {
	return devidp.New(devidp.Config{
		Issuer:                cfg.Signin.Issuer,
		ClientID:              cfg.Signin.ClientID,
		RedirectURI:           cfg.Server.BaseURL + "/auth/callback",
		PostLogoutRedirectURI: cfg.Server.BaseURL + "/signed-out",
		APIAudience:           cfg.API.Audience,
		DataDir:               cfg.Server.DataDir,
		Stylesheet:            web.AssetURL("vendor/hub-frontend.css"),
		Now:                   time.Now,
	})
}

func identityOptions(cfg config.Config) identity.Options {
	o := identity.Options{
		BaseURL:      cfg.Server.BaseURL,
		Issuer:       cfg.Signin.Issuer,
		ClientID:     cfg.Signin.ClientID,
		ClientSecret: cfg.Signin.ClientSecret,
		Scopes:       cfg.Signin.Scopes,
		APIAudience:  cfg.API.Audience,
		Idle:         cfg.Session.Idle.Duration,
		Absolute:     cfg.Session.Absolute.Duration,
		Leeway:       cfg.Signin.ClockLeeway.Duration,
		Now:          time.Now,
	}
	for _, c := range cfg.Claims {
		o.Claims = append(o.Claims, identity.ClaimRules{Issuer: c.Issuer, RolePaths: c.RolePaths, AgencyPath: c.AgencyPath, Map: c.Map,
			TrustEmail: c.TrustsEmail(), EmailClaims: c.EmailClaims})
	}
	return o
}

// NewLogger writes JSON log lines at info and above to w.
func NewLogger(w io.Writer) *slog.Logger { return NewLoggerAt(w, slog.LevelInfo) }

// NewLoggerAt writes JSON log lines at level and above to w.
func NewLoggerAt(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// checkProviders reaches each OpenID provider the configuration names, as
// `hub config check --online` does, and logs what is wrong, without holding
// up the start: sign-in discovers again on first use. The development
// provider is served by this very hub and is not checked.
func (a *App) checkProviders(ctx context.Context) {
	for _, issuer := range config.Issuers(a.Config) {
		if a.Config.DevIDP.Enabled && issuer == a.Config.Server.BaseURL+config.DevIssuerPath {
			continue
		}
		go func() {
			c := identity.CheckProvider(ctx, nil, issuer)
			if c.OK() {
				a.Log.Info("OpenID provider reachable", "issuer", issuer, "signing_keys", c.Keys, "notes", c.Notes)
				return
			}
			a.Log.Error("OpenID provider cannot work as configured", "issuer", issuer, "problems", c.Problems, "notes", c.Notes)
		}()
	}
}
