package main

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
	"github.com/stalking-hub/hub/internal/devidp"
	"github.com/stalking-hub/hub/internal/identity"
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
	Log      *slog.Logger

	listener net.Listener
	server   *http.Server
}

// loadConfig reads the configuration named on the command line.
func loadConfig(cmd command) (config.Config, error) {
	return config.Load(cmd.configPath, cmd.getenv)
}

// openStore opens and migrates the database, with the audit signer set.
func openStore(ctx context.Context, cfg config.Config) (*store.DB, error) {
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
	db.SetAuditSigner(signer, verifier, cfg.Audit.CheckpointEvery, cfg.Audit.CheckpointInterval.Duration)
	return db, nil
}

// Open wires configuration -> store -> services -> web server and listens.
func (a *App) Open(ctx context.Context) error {
	cfg := a.Config
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	a.DB = db
	if a.Agencies, err = agency.Load(cfg.Server.Agencies, cfg.Sharing.LawfulBases); err != nil {
		return err
	}
	mounts := map[string]http.Handler{}
	if cfg.DevIDP.Enabled {
		p, err := newDevIDP(cfg)
		if err != nil {
			return fmt.Errorf("development identity provider: %w", err)
		}
		mounts[config.DevIssuerPath] = p.Handler()
		a.Log.Warn("DEVELOPMENT IDENTITY PROVIDER IS ON: anyone can sign in as a demo persona. Never use this with real data.",
			"issuer", cfg.Signin.Issuer)
	}
	auth, err := identity.NewService(identityOptions(cfg), db, a.Log)
	if err != nil {
		return err
	}
	a.Web, err = web.New(web.Deps{Config: cfg, DB: db, Agencies: a.Agencies, Auth: auth, Log: a.Log, Mounts: mounts})
	if err != nil {
		return err
	}
	a.listener, err = net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return fmt.Errorf("key server.listen: %w", err)
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
	go func() { errc <- a.server.Serve(a.listener) }()
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

func newDevIDP(cfg config.Config) (*devidp.Provider, error) {
	return devidp.New(devidp.Config{
		Issuer:                cfg.Signin.Issuer,
		ClientID:              cfg.Signin.ClientID,
		RedirectURI:           cfg.Server.BaseURL + "/auth/callback",
		PostLogoutRedirectURI: cfg.Server.BaseURL + "/signed-out",
		APIAudience:           cfg.API.Audience,
		DataDir:               cfg.Server.DataDir,
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

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// serve runs the web service until SIGTERM or SIGINT.
func serve(ctx context.Context, cmd command) error {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	app := &App{Config: cfg, Log: newLogger(cmd.stderr)}
	defer app.Close()
	if err := app.Open(ctx); err != nil {
		return err
	}
	fmt.Fprintf(cmd.stdout, "The hub is running at %s/\n", cfg.Server.BaseURL)
	if cfg.DevIDP.Enabled {
		fmt.Fprintf(cmd.stdout, "Development sign-in is on: open %s/ and pick a demo persona.\n", cfg.Server.BaseURL)
	}
	app.Log.Info("listening", "address", cfg.Server.Listen, "base_url", cfg.Server.BaseURL, "database", cfg.DatabasePath())
	return app.Run(ctx)
}

