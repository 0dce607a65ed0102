package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"golang.org/x/term"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/app"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/config"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/store"
)

// openStore reads the configuration and opens the database ready for use:
// migrated, with its audit and sealing keys.
func openStore(ctx context.Context, cmd command) (config.Config, *store.DB, error) {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return cfg, nil, err
	}
	db, err := app.OpenStore(ctx, cfg)
	return cfg, db, err
}

// migrate applies the migrations the database has not had.
func migrate(ctx context.Context, cmd command) error {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	db, err := app.OpenDatabase(cfg, 1)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.stdout, "applied %d migration(s); schema at version %d\n", n, db.LatestVersion())
	return nil
}

// configCheck validates the configuration and says what it found.
func configCheck(cmd command) error {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	src := cfg.Source
	if src == "" {
		src = "built-in development defaults"
	}
	fmt.Fprintf(cmd.stdout, "configuration OK (%s): base URL %s, data in %s, database %s, development sign-in %v\n",
		src, cfg.Server.BaseURL, cfg.Server.DataDir, cfg.Database.Describe(cfg.DatabasePath()), cfg.DevIDP.Enabled)
	if !cmd.flags["online"] {
		return nil
	}
	failed := 0
	for _, issuer := range config.Issuers(cfg) {
		if cfg.DevIDP.Enabled && issuer == cfg.Server.BaseURL+config.DevIssuerPath {
			fmt.Fprintf(cmd.stdout, "%s: the development provider, served by the hub itself; not checked\n", issuer)
			continue
		}
		c := identity.CheckProvider(context.Background(), nil, issuer)
		if c.OK() {
			fmt.Fprintf(cmd.stdout, "%s: OK, discovery and %d signing key(s)\n", issuer, c.Keys)
		} else {
			failed++
			fmt.Fprintf(cmd.stdout, "%s: NOT OK\n", issuer)
		}
		for _, p := range c.Problems {
			fmt.Fprintf(cmd.stdout, "  problem: %s\n", p)
		}
		for _, n := range c.Notes {
			fmt.Fprintf(cmd.stdout, "  note: %s\n", n)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d OpenID provider(s) cannot work as configured", failed)
	}
	return nil
}

// agenciesCheck validates the agency files and summarises each agreement.
func agenciesCheck(cmd command) error {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	dir, err := agency.Load(cfg.Server.Agencies, cfg.Sharing.LawfulBases)
	if err != nil {
		return err
	}
	all := dir.All()
	if co, ok := dir.Coordinator(); ok {
		all = append(all, co)
	}
	for _, a := range all {
		fmt.Fprintf(cmd.stdout, "%-20s %s\n", a.ID, a.Name)
		for _, p := range agency.Purposes {
			t, ok := a.Terms(p)
			if !ok {
				continue
			}
			fmt.Fprintf(cmd.stdout, "  %-9s %v (consent required: %v)\n", p, names(t.Categories), t.ConsentRequired)
			for _, r := range t.WithoutConsent {
				fmt.Fprintf(cmd.stdout, "  %-9s without consent at %s risk and above: %v on %s\n", "", r.MinRisk, names(r.Categories), r.Basis)
			}
		}
	}
	fmt.Fprintf(cmd.stdout, "%d agencies OK\n", len(dir.All()))
	if _, ok := dir.Coordinator(); ok {
		fmt.Fprintln(cmd.stdout, "MARAC coordinator's agreement OK")
	}
	return nil
}

func names(s category.Set) []string {
	var out []string
	for _, c := range s.List() {
		out = append(out, c.String())
	}
	return out
}

// backup writes the database and the keys it needs into a new private
// folder while the hub may be serving.
func backup(ctx context.Context, cmd command) error {
	if len(cmd.args) != 1 {
		return fmt.Errorf("name the folder to write: hub backup DIR: %w", errUsage)
	}
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	m, err := app.Backup(ctx, cfg, cmd.args[0])
	if err != nil {
		return fmt.Errorf("backup to %s: %w (delete the folder before trying again)", cmd.args[0], err)
	}
	if !m.Database {
		fmt.Fprintf(cmd.stdout, "backup written to %s: the sealing keys and the audit signing key, %d files in all, and NOT the database.\n"+
			"The database is PostgreSQL: back it up with pg_dump (pg_dump --format=custom) or the platform's backups, and keep each\n"+
			"database backup with a keys backup taken after it. Keep this folder as safe as the data folder: with a copy of the\n"+
			"database it reads every record. To restore: stop every replica, restore the database, then hub restore %s\n",
			cmd.args[0], len(m.Files), cmd.args[0])
		return nil
	}
	fmt.Fprintf(cmd.stdout, "backup written to %s: the database, %d files in all, with the sealing keys and the audit signing key.\n"+
		"Keep it as safe as the data folder: whoever holds it can read every record. To restore: stop the hub, then hub restore %s\n",
		cmd.args[0], len(m.Files), cmd.args[0])
	return nil
}

// restore puts a backup folder back into the data folder of a stopped hub
// and checks the result.
func restore(ctx context.Context, cmd command) error {
	if len(cmd.args) != 1 {
		return fmt.Errorf("name the backup folder: hub restore DIR: %w", errUsage)
	}
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	r, err := app.Restore(ctx, cfg, cmd.args[0])
	if err != nil {
		return err
	}
	if r.Aside != "" {
		fmt.Fprintf(cmd.stdout, "what the restore replaced is in %s; delete it when the hub runs as it should\n", r.Aside)
	}
	if cfg.Database.Postgres() {
		fmt.Fprintf(cmd.stdout, "restored the keys only from %s into %s; the PostgreSQL database is restored with pg_restore or the platform's backups, not by the hub.\n"+
			"The database as it is now opens with these keys: a key for every sealed value; %s\n", cmd.args[0], cfg.Server.DataDir, r.Audit)
		return nil
	}
	fmt.Fprintf(cmd.stdout, "restored %s into %s; database integrity OK; %s\n", cmd.args[0], cfg.Server.DataDir, r.Audit)
	return nil
}

// users lists, grants and revokes memberships.
func users(ctx context.Context, cmd command) error {
	if len(cmd.args) == 0 {
		return errUsage
	}
	cfg, db, err := openStore(ctx, cmd)
	if err != nil {
		return err
	}
	defer db.Close()
	verb, rest := cmd.args[0], cmd.args[1:]
	if verb == "list" {
		ms, err := db.Memberships(ctx, "")
		if err != nil {
			return err
		}
		for _, m := range ms {
			fmt.Fprintf(cmd.stdout, "%s\t%s\t%s\n", m.Email, m.Role, m.Agency)
		}
		return nil
	}
	if (verb != "grant" && verb != "revoke") || len(rest) < 2 || len(rest) > 3 {
		return errUsage
	}
	m := identity.Membership{Email: rest[0]}
	// The operator at the console is the actor of the audit entry.
	by := identity.Principal{Subject: "cli|" + os.Getenv("USER")}
	target := rest[1]
	if len(rest) == 3 {
		target += ":" + rest[2]
	}
	if m.Role, m.Agency, err = config.ParseRoleTarget(target); err != nil {
		return err
	}
	if m.Agency != "" {
		dir, err := agency.Load(cfg.Server.Agencies, cfg.Sharing.LawfulBases)
		if err != nil {
			return err
		}
		if _, ok := dir.Get(m.Agency); !ok {
			return fmt.Errorf("no agency %q in %s", m.Agency, cfg.Server.Agencies)
		}
	}
	if verb == "grant" {
		err = db.Grant(ctx, m, by)
	} else {
		err = db.Revoke(ctx, m.Email, m.Role, m.Agency, by)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.stdout, "%sed %s %s %s\n", verb, m.Email, m.Role, m.Agency)
	return nil
}

// devToken prints an access token for a demo persona.
func devToken(cmd command) error {
	if len(cmd.args) != 2 {
		return fmt.Errorf("name a persona: hub dev token PERSONA: %w", errUsage)
	}
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	if !cfg.DevIDP.Enabled {
		return fmt.Errorf("the development identity provider is off (key devidp.enabled); dev tokens exist only in development")
	}
	p, err := app.NewDevIDP(cfg)
	if err != nil {
		return err
	}
	tok, err := p.AccessToken(cmd.args[1], 2*time.Hour)
	if err != nil {
		return err
	}
	fmt.Fprintln(cmd.stdout, tok)
	return nil
}

// auditCmd verifies the audit log or proves one entry.
func auditCmd(ctx context.Context, cmd command) error {
	if len(cmd.args) == 0 {
		return errUsage
	}
	_, db, err := openStore(ctx, cmd)
	if err != nil {
		return err
	}
	defer db.Close()
	switch {
	case cmd.args[0] == "verify" && len(cmd.args) == 1:
		var progress func(done, total int64)
		if f, ok := cmd.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			progress = func(done, total int64) {
				fmt.Fprintf(f, "\rchecked %d of %d entries", done, total)
				if done == total {
					fmt.Fprintln(f)
				}
			}
		}
		report, err := db.VerifyAudit(ctx, progress)
		if err != nil {
			return err
		}
		fmt.Fprintln(cmd.stdout, report.String())
		if !report.OK() {
			return fmt.Errorf("the audit log failed verification")
		}
		return nil
	case cmd.args[0] == "prove" && len(cmd.args) == 2:
		idx, err := strconv.ParseInt(cmd.args[1], 10, 64)
		if err != nil {
			return fmt.Errorf("ENTRY must be an entry number: %w", errUsage)
		}
		proof, err := db.ProveAudit(ctx, idx)
		if err != nil {
			return err
		}
		fmt.Fprint(cmd.stdout, proof)
		return nil
	}
	return errUsage
}

// copyFromSQLite copies a stopped SQLite hub's database into the configured
// PostgreSQL database and checks the copy.
func copyFromSQLite(ctx context.Context, cmd command) error {
	if len(cmd.args) != 1 {
		return fmt.Errorf("name the SQLite database file: hub copy-from-sqlite FILE: %w", errUsage)
	}
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	var rows int64
	c, err := app.CopyFromSQLite(ctx, cfg, cmd.args[0], func(t store.CopiedTable) {
		rows += t.Rows
		fmt.Fprintf(cmd.stderr, "copied %-32s %d rows\n", t.Name, t.Rows)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.stdout, "copied %s into PostgreSQL: %d tables, %d rows; a key for every sealed value; %s\n"+
		"Keep the keys folder and the audit signing key of %s with the PostgreSQL hub's replicas.\n",
		cmd.args[0], len(c.Tables), rows, c.Audit, cfg.Server.DataDir)
	return nil
}
