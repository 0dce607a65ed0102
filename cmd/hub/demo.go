package main

import (
	"context"
	"fmt"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/app"
	"github.com/stalking-hub/hub/internal/demo"
)

// demoSeed writes synthetic referrals for demonstrations and load tests.
// It refuses unless development sign-in is on: demo data has no place in a
// hub that holds real people's data.
func demoSeed(ctx context.Context, cmd command) error {
	n := cmd.numbers["referrals"]
	if n == 0 || len(cmd.args) != 1 {
		return fmt.Errorf("say how many: hub demo seed --referrals N: %w", errUsage)
	}
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	if !cfg.DevIDP.Enabled {
		return fmt.Errorf("the development identity provider is off (key devidp.enabled); demo data is only for development hubs")
	}
	// The store's clock walks through the past year as the history is
	// written; with the serving interval the audit log would sign a
	// checkpoint at nearly every step. A day of that history is enough.
	cfg.Audit.CheckpointInterval.Duration = 24 * time.Hour
	dir, err := agency.Load(cfg.Server.Agencies, cfg.Sharing.LawfulBases)
	if err != nil {
		return err
	}
	db, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	opt := demo.Options{Issuer: cfg.Signin.Issuer, Seed: uint64(start.UnixNano()), Panel: cfg.Marac.Panels[0], LawfulBases: cfg.Sharing.LawfulBases}
	if err := demo.Seed(ctx, db, dir, n, opt, progressBar(cmd.stderr, "seeding")); err != nil {
		return err
	}
	fmt.Fprintf(cmd.stdout, "seeded %d synthetic referrals in %s\n", n, time.Since(start).Round(time.Second))
	return nil
}
