package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/stalking-hub/hub/internal/app"
	"github.com/stalking-hub/hub/internal/seal"
	"github.com/stalking-hub/hub/internal/store"
)

// resealPasses bounds how often keys rotate goes over the database again
// for values a serving hub wrote under the old key before it took up the
// new one (it reads its keys folder at least once a minute).
const (
	resealPasses = 6
	resealWait   = 15 * time.Second
)

// keysCmd rotates the sealing keys, re-seals under the current one, or
// says which keys are in use.
func keysCmd(ctx context.Context, cmd command) error {
	if len(cmd.args) != 1 {
		return errUsage
	}
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	if cmd.args[0] == "init" {
		if err := seal.Init(cfg.Sealing.KeysDir); err != nil {
			return fmt.Errorf("%s: %w", cfg.Sealing.KeysDir, err)
		}
		fmt.Fprintf(cmd.stdout, "sealing keys created in %s (folder 0700, files 0600); back them up with the database\n", cfg.Sealing.KeysDir)
		return nil
	}
	db, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	switch cmd.args[0] {
	case "rotate":
		id, err := seal.NewKey(cfg.Sealing.KeysDir, time.Now())
		if err != nil {
			return err
		}
		if err := db.Keyring().Refresh(); err != nil {
			return err
		}
		if db.Keyring().Current() != id {
			return fmt.Errorf("the new key %s is not the newest in %s; check the key files' names", id, cfg.Sealing.KeysDir)
		}
		fmt.Fprintf(cmd.stdout, "new sealing key %s: new data is sealed with it from now on\n", id)
		return reseal(ctx, cmd, db)
	case "reseal":
		return reseal(ctx, cmd, db)
	case "status":
		return keysStatus(ctx, cmd, db, cfg.Sealing.KeysDir)
	}
	return errUsage
}

// reseal re-seals every value under the current key, going over the
// database again while a serving hub may still be writing with an old key.
func reseal(ctx context.Context, cmd command, db *store.DB) error {
	current := db.Keyring().Current()
	var total int64
	for pass := 1; ; pass++ {
		n, err := db.Reseal(ctx, cmd.numbers["batch"], progressBar(cmd.stderr, "re-sealing"))
		total += n
		if err != nil {
			return fmt.Errorf("after re-sealing %d values: %w", total, err)
		}
		left, err := olderThan(ctx, db, current)
		if err != nil {
			return err
		}
		if left == 0 {
			break
		}
		if pass == resealPasses {
			return fmt.Errorf("%d values are still sealed under older keys: a serving hub may not have taken up key %s; run hub keys reseal again", left, current)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(resealWait):
		}
	}
	fmt.Fprintf(cmd.stdout, "re-sealed %d values; every sealed value is now under key %s\n", total, current)
	var unused []string
	for _, id := range db.Keyring().IDs() {
		if id != current {
			unused = append(unused, id+".key")
		}
	}
	if len(unused) > 0 {
		fmt.Fprintf(cmd.stdout, "no value is sealed under %s any more. Backups made before now still are:\n"+
			"keep those key files for as long as you keep such backups, then delete them.\n", strings.Join(unused, ", "))
	}
	return nil
}

// olderThan counts the values sealed under any key but current.
func olderThan(ctx context.Context, db *store.DB, current string) (int64, error) {
	used, err := db.SealedByKey(ctx)
	if err != nil {
		return 0, err
	}
	var n int64
	for id, c := range used {
		if id != current {
			n += c
		}
	}
	return n, nil
}

// keysStatus lists the keys and how many values each seals.
func keysStatus(ctx context.Context, cmd command, db *store.DB, dir string) error {
	used, err := db.SealedByKey(ctx)
	if err != nil {
		return err
	}
	ids := db.Keyring().IDs()
	for id := range used {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	current := db.Keyring().Current()
	for _, id := range ids {
		note := ""
		switch {
		case id == current:
			note = " (current)"
		case !slices.Contains(db.Keyring().IDs(), id):
			note = " (MISSING from " + dir + ": these values cannot be opened)"
		case used[id] == 0:
			note = " (unused)"
		}
		fmt.Fprintf(cmd.stdout, "%s\t%d sealed values%s\n", id, used[id], note)
	}
	return nil
}
