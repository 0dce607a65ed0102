// Command hub is the multi-agency referral and information-sharing service.
// `hub serve` runs it; the other subcommands are operator tools.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/stalking-hub/hub/internal/app"
	"github.com/stalking-hub/hub/internal/config"
)

const usage = `hub: the stalking and harassment referral hub

usage:
  hub serve                       run the web service
  hub migrate                     apply database migrations
  hub config check [--online]     validate the configuration; --online also reaches each OpenID provider
  hub agencies check              validate the agency files
  hub backup DIR                  write the database and its keys into a new private folder (safe while serving)
  hub restore DIR                 put a backup back into the data folder (hub stopped) and check it
  hub copy-from-sqlite FILE       copy a stopped SQLite hub's database into the configured, empty PostgreSQL
                                  database (HUB_DATABASE_URL) and check the copy with the data folder's keys
  hub users list                  list memberships kept in the hub
  hub users grant EMAIL ROLE [AGENCY]
  hub users revoke EMAIL ROLE [AGENCY]
  hub dev token PERSONA           print an API access token for a demo persona
  hub audit verify                check the audit log against its signed checkpoints
  hub audit prove ENTRY           print an inclusion proof for one audit entry
  hub keys init                   create the sealing keys folder (0700) with the first keys
  hub keys rotate [--batch N]     add a sealing key and re-seal everything under it (safe while serving)
  hub keys status                 count sealed values by the key that sealed them
  hub demo seed --referrals N     write N synthetic referrals (made-up people) for demonstrations

every subcommand takes --config FILE (default ./config.toml if present, else
development defaults); HUB_LISTEN and HUB_DATA_DIR override any file.
`

// errUsage marks a command line that could not be understood.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	switch {
	case errors.Is(err, errUsage):
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "hub:", err)
		os.Exit(1)
	}
}

// command is what a subcommand receives: its positional arguments, the
// configuration file named, and where to write.
type command struct {
	args       []string
	configPath string
	// numbers holds the numeric flags some subcommands take, by name
	// without dashes: --referrals N, --batch N.
	numbers map[string]int
	// flags holds the switches some subcommands take: --online.
	flags          map[string]bool
	stdout, stderr io.Writer
	getenv         func(string) string
}

// run dispatches a command line; tests call it directly.
func run(ctx context.Context, argv []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cmd, err := parseArgs(argv)
	if err != nil {
		return err
	}
	cmd.stdout, cmd.stderr, cmd.getenv = stdout, stderr, getenv
	if len(cmd.args) == 0 {
		return errUsage
	}
	name, rest := cmd.args[0], cmd.args[1:]
	sub := ""
	if len(rest) > 0 {
		sub = rest[0]
	}
	cmd.args = rest
	switch {
	case name == "serve":
		return serve(ctx, cmd)
	case name == "migrate":
		return migrate(ctx, cmd)
	case name == "config" && sub == "check":
		return configCheck(cmd)
	case name == "agencies" && sub == "check":
		return agenciesCheck(cmd)
	case name == "backup":
		return backup(ctx, cmd)
	case name == "restore":
		return restore(ctx, cmd)
	case name == "copy-from-sqlite":
		return copyFromSQLite(ctx, cmd)
	case name == "users":
		return users(ctx, cmd)
	case name == "dev" && sub == "token":
		return devToken(cmd)
	case name == "audit":
		return auditCmd(ctx, cmd)
	case name == "keys":
		return keysCmd(ctx, cmd)
	case name == "demo" && sub == "seed":
		return demoSeed(ctx, cmd)
	case name == "help" || name == "-h" || name == "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return errUsage
}

// parseArgs takes --config FILE (or --config=FILE) from anywhere on the line
// and leaves the rest as positional arguments.
func parseArgs(argv []string) (command, error) {
	var c command
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		switch {
		case a == "--config" || a == "-config":
			if i+1 >= len(argv) {
				return c, fmt.Errorf("--config needs a file: %w", errUsage)
			}
			c.configPath = argv[i+1]
			i++
		case strings.HasPrefix(a, "--config=") || strings.HasPrefix(a, "-config="):
			_, c.configPath, _ = strings.Cut(a, "=")
		case numericFlags[strings.SplitN(a, "=", 2)[0]]:
			name, value, inline := strings.Cut(a, "=")
			if !inline {
				if i+1 >= len(argv) {
					return c, fmt.Errorf("%s needs a number: %w", a, errUsage)
				}
				value = argv[i+1]
				i++
			}
			n, err := strconv.Atoi(value)
			if err != nil || n < 1 {
				return c, fmt.Errorf("%s needs a positive number: %w", name, errUsage)
			}
			if c.numbers == nil {
				c.numbers = map[string]int{}
			}
			c.numbers[strings.TrimLeft(name, "-")] = n
		case switchFlags[a]:
			if c.flags == nil {
				c.flags = map[string]bool{}
			}
			c.flags[strings.TrimLeft(a, "-")] = true
		case strings.HasPrefix(a, "-") && a != "-h" && a != "--help":
			return c, fmt.Errorf("unknown flag %s: %w", a, errUsage)
		default:
			c.args = append(c.args, a)
		}
	}
	return c, nil
}

// numericFlags are the flags that take a number.
var numericFlags = map[string]bool{"--referrals": true, "--batch": true}

// switchFlags are the flags that take nothing.
var switchFlags = map[string]bool{"--online": true}

// loadConfig reads the configuration named on the command line.
func loadConfig(cmd command) (config.Config, error) {
	return config.Load(cmd.configPath, cmd.getenv)
}

// serve runs the web service until SIGTERM or SIGINT.
func serve(ctx context.Context, cmd command) error {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	level, err := config.Level(cfg.Server.LogLevel)
	if err != nil {
		return fmt.Errorf("key server.log_level: %w", err)
	}
	a := &app.App{Config: cfg, Log: app.NewLoggerAt(cmd.stderr, level)}
	// Libraries that log through the default logger write JSON lines too.
	slog.SetDefault(a.Log)
	defer a.Close()
	if err := a.Open(ctx); err != nil {
		return err
	}
	fmt.Fprintf(cmd.stdout, "The hub is running at %s/\n", cfg.Server.BaseURL)
	if cfg.DevIDP.Enabled {
		fmt.Fprintf(cmd.stdout, "Development sign-in is on: open %s/ and pick a demo persona.\n", cfg.Server.BaseURL)
	}
	a.Log.Info("listening", "address", cfg.Server.Listen, "base_url", cfg.Server.BaseURL, "database", cfg.Database.Describe(cfg.DatabasePath()))
	return a.Run(ctx)
}
