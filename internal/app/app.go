// Package app wires the hub: configuration -> store -> services -> web
// server. cmd/hub runs it; end-to-end tests start the very same thing.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/config"
	"github.com/stalking-hub/hub/internal/demo"
	"github.com/stalking-hub/hub/internal/devidp"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/notify"
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
}

// OpenStore opens and migrates the database, with the audit signer set.
func OpenStore(ctx context.Context, cfg config.Config) (*store.DB, error) {
	db, err := store.Open(cfg.DatabasePath(), cfg.Server.Readers)
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
	keys, err := seal.Load(cfg.Sealing.KeysDir, cfg.Sealing.Create)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("key sealing.keys_dir: %w", err)
	}
	db.SetKeyring(keys)
	return db, nil
}

// Open wires configuration -> store -> services -> web server and listens.
func (a *App) Open(ctx context.Context) error {
	cfg := a.Config
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
	opts := identityOptions(cfg)
	opts.KnownAgency = func(id string) bool { _, ok := a.Agencies.Get(id); return ok }
	auth, err := identity.NewService(opts, db, a.Log)
	if err != nil {
		return err
	}
	db.SetNotices(store.Notices{BaseURL: cfg.Server.BaseURL, Agencies: a.Agencies})
	if cfg.Mail.Host != "" {
		sender, err := notify.NewSMTP(notify.SMTPConfig{Host: cfg.Mail.Host, Port: cfg.Mail.Port, Username: cfg.Mail.Username,
			Password: cfg.Mail.Password, From: cfg.Mail.From, TLS: notify.TLSPolicy(cfg.Mail.TLS)})
		if err != nil {
			return fmt.Errorf("key mail.host: %w", err)
		}
		a.notifier = notify.NewWorker(db, sender, notify.WorkerOptions{Log: a.Log, RetryBase: cfg.Mail.RetryBase.Duration, MaxAttempts: cfg.Mail.MaxAttempts})
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
	a.Web, err = web.New(web.Deps{Config: cfg, DB: db, Agencies: a.Agencies, Auth: auth, Log: a.Log, Mounts: mounts})
	if err != nil {
		return err
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

// Run serves until ctx ends, then lets requests in flight finish.
func (a *App) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- a.server.Serve(a.Listener) }()
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
	if err := a.server.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// background runs the hub's own clockwork until ctx ends: every minute it
// reads the sealing keys folder again and notes overdue shares and, with
// SMTP configured, it delivers the outbox.
func (a *App) background(ctx context.Context) {
	done := make(chan struct{})
	if a.notifier != nil {
		go func() { a.notifier.Run(ctx); close(done) }()
	} else {
		close(done)
	}
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

// Close releases the database.
func (a *App) Close() error {
	if a.DB != nil {
		if err := a.DB.Checkpoint(context.Background()); err != nil {
			a.Log.Error("audit checkpoint at shutdown failed", "error", err.Error())
		}
		return a.DB.Close()
	}
	return nil
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
		Now:          time.Now,
	}
	for _, c := range cfg.Claims {
		o.Claims = append(o.Claims, identity.ClaimRules{Issuer: c.Issuer, RolePaths: c.RolePaths, AgencyPath: c.AgencyPath, Map: c.Map})
	}
	return o
}

// NewLogger writes JSON log lines to w.
func NewLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
