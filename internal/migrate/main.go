// Package migrate manages nutrigraph's versioned SQL migrations
// (migrations/postgres and migrations/sqlite, Atlas format with atlas.sum)
// with the ariga.io/atlas library: it generates them from the ent schemas,
// validates, lints and applies them, and records applied files in an
// atlas_schema_revisions table compatible with the atlas CLI.
package migrate

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"nutrigraph/internal/db"
)

// usage lists every subcommand, flag and environment variable.
const usage = `Usage: nutrigraph migrate <command> [flags]

Versioned migrations in Atlas format: migrations/postgres and migrations/sqlite,
each with an atlas.sum. The server applies pending migrations at start-up.

Commands:
  diff NAME [--dialect postgres|sqlite] [--dir DIR]
        Generate a migration file NAME from the ent schemas (ent/schema), for
        both dialects unless --dialect is given. The current state is obtained
        by replaying the directory on a clean dev database: in-memory SQLite,
        and for PostgreSQL a temporary database nutrigraph_dev_<random> that is
        created on the DEV_DATABASE_URL server and dropped afterwards.
        Prints "no changes" and exits 0 when there is nothing to do.
  diff --check [--dialect postgres|sqlite] [--dir DIR]
        Fail (exit 1, printing the missing statements) when the ent schemas and
        the committed migrations have drifted apart. Writes nothing. Used by CI.
  apply [--url URL] [--n N]
        Apply pending migrations (embedded in the binary) to DATABASE_URL, one
        transaction per file, under a lock. --n applies at most N files.
  status [--url URL]
        Print the current version and the applied and pending migrations of
        DATABASE_URL.
  validate [--dir DIR] [--dialect postgres|sqlite]
        Check every migration file on disk against its directory's atlas.sum.
  lint [--base GITREF | --latest N] [--dialect postgres|sqlite] [--dir DIR]
        Analyze new migration files with atlas's analyzers (destructive,
        data-dependent, constraint drop, backward-incompatible): the files that
        do not exist at GITREF (--base), or the latest N files (default 1).
        Destructive changes are errors (exit 1); others are warnings.
  help
        Print this help.

Flags:
  --dir DIR        migrations root holding postgres/ and sqlite/ (default "migrations",
                   relative to the working directory)
  --dialect D      postgres or sqlite; default both (diff, validate, lint)
  --url URL        database URL; overrides DATABASE_URL (apply, status)
  --n N            apply at most N pending files (apply; default all)
  --check          drift check, see above (diff)
  --base GITREF    lint files added since this git revision (lint)
  --latest N       lint the latest N files of each directory (lint; default 1)

Environment:
  DATABASE_URL      database of apply and status (default sqlite://nutrigraph.db);
                    postgres://user:pass@host:5432/db?sslmode=disable or sqlite://FILE
  DEV_DATABASE_URL  PostgreSQL server used by diff and lint to create temporary dev
                    databases (needs CREATE DATABASE; default
                    postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)
`

// Main runs `nutrigraph migrate <args>` and returns the exit code: 0 on
// success, 1 on any error (a one-line message on stderr), on drift (diff
// --check) and on error-level lint findings.
func Main(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		fmt.Fprintln(stderr, "migrate: missing command")
		return 1
	}
	c := &cli{getenv: getenv, stdout: stdout, stderr: stderr}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "diff":
		err = c.diff(ctx, rest)
	case "apply", "up":
		err = c.apply(ctx, rest)
	case "status":
		err = c.status(ctx, rest)
	case "validate":
		err = c.validate(rest)
	case "lint":
		err = c.lint(ctx, rest)
	default:
		fmt.Fprint(stderr, usage)
		fmt.Fprintf(stderr, "migrate: unknown command %q\n", cmd)
		return 1
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errReported):
		return 1
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintln(stderr, "migrate: "+oneLineErr(err))
	return 1
}

// errReported means the command already printed why it failed.
var errReported = errors.New("reported")

type cli struct {
	getenv         func(string) string
	stdout, stderr io.Writer
}

// flags returns a flag set that reports errors as returned values.
func (c *cli) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("migrate "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses flags that may come before or after positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%s: %w (see `migrate help`)", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func (c *cli) databaseURL(flagURL string) string {
	if flagURL != "" {
		return flagURL
	}
	if u := c.getenv("DATABASE_URL"); u != "" {
		return u
	}
	return db.DefaultURL
}

func (c *cli) devServerURL() string {
	if u := c.getenv("DEV_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultDevServerURL
}

func (c *cli) diff(ctx context.Context, args []string) error {
	fs := c.flags("diff")
	dialect := fs.String("dialect", "", "")
	root := fs.String("dir", DefaultDir, "")
	check := fs.Bool("check", false, "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	ds, err := dialects(*dialect)
	if err != nil {
		return err
	}
	name := "drift"
	switch {
	case *check && len(pos) > 0:
		return errors.New("diff --check takes no NAME")
	case !*check && len(pos) != 1:
		return errors.New("diff needs exactly one NAME, e.g. `migrate diff add_notes`")
	case !*check:
		name = pos[0]
		if !validName(name) {
			return fmt.Errorf("invalid migration name %q: use letters, digits and underscores", name)
		}
	}
	results, err := runDiff(ctx, *root, ds, name, *check, c.devServerURL())
	if err != nil {
		return err
	}
	drift := false
	for _, r := range results {
		dir := dialectDir(*root, r.Dialect)
		switch {
		case len(r.Files) == 0 && *check:
			fmt.Fprintf(c.stdout, "%s: no drift: the migrations match the ent schemas\n", dir)
		case len(r.Files) == 0:
			fmt.Fprintf(c.stdout, "%s: no changes: the migrations already match the ent schemas, nothing to do\n", dir)
		case *check:
			drift = true
			fmt.Fprintf(c.stderr, "%s: DRIFT: the ent schemas differ from the migrations; run `go run . migrate diff NAME` and commit the result. Missing statements:\n", dir)
			for _, f := range r.Files {
				fmt.Fprintf(c.stderr, "%s\n", indent(string(f.Bytes())))
			}
		default:
			for _, f := range r.Files {
				fmt.Fprintf(c.stdout, "%s: wrote %s\n", dir, f.Name())
			}
		}
	}
	if drift {
		fmt.Fprintln(c.stderr, "migrate: ent schemas and migrations have drifted")
		return errReported
	}
	return nil
}

func validName(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range lines {
		lines[i] = "    " + lines[i]
	}
	return strings.Join(lines, "\n")
}

func (c *cli) validate(args []string) error {
	fs := c.flags("validate")
	dialect := fs.String("dialect", "", "")
	root := fs.String("dir", DefaultDir, "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("validate: unexpected argument %q", pos[0])
	}
	ds, err := dialects(*dialect)
	if err != nil {
		return err
	}
	var errs []error
	for _, d := range ds {
		p := dialectDir(*root, d)
		dir, err := openLocalDir(p)
		if err == nil {
			err = validateDir(dir, p)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		files, _ := dir.Files()
		fmt.Fprintf(c.stdout, "%s: ok (%d files match atlas.sum)\n", p, len(files))
	}
	if len(errs) > 0 {
		for _, e := range errs {
			fmt.Fprintln(c.stderr, "migrate: "+oneLineErr(e))
		}
		return errReported
	}
	return nil
}

func (c *cli) open(ctx context.Context, flagURL string) (*db.DB, string, error) {
	u := c.databaseURL(flagURL)
	d, err := db.Open(ctx, u, db.Pool{MaxOpenConns: 4})
	if err != nil {
		return nil, "", err
	}
	return d, db.Redact(u), nil
}

func (c *cli) apply(ctx context.Context, args []string) error {
	fs := c.flags("apply")
	flagURL := fs.String("url", "", "")
	n := fs.Int("n", 0, "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("apply: unexpected argument %q", pos[0])
	}
	if *n < 0 {
		return errors.New("apply: --n must be positive")
	}
	d, u, err := c.open(ctx, *flagURL)
	if err != nil {
		return err
	}
	defer d.Close()
	dir, err := EmbeddedDir(d.Dialect)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	applied, err := apply(ctx, d.SQL, d.Dialect, dir, "embedded "+d.Dialect+" migrations", log, *n)
	for _, f := range applied {
		fmt.Fprintf(c.stdout, "applied %s\n", f)
	}
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(c.stdout, "%s: already up to date, nothing to apply\n", u)
		return nil
	}
	fmt.Fprintf(c.stdout, "%s: applied %d migration(s)\n", u, len(applied))
	return nil
}

func (c *cli) status(ctx context.Context, args []string) error {
	fs := c.flags("status")
	flagURL := fs.String("url", "", "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("status: unexpected argument %q", pos[0])
	}
	d, u, err := c.open(ctx, *flagURL)
	if err != nil {
		return err
	}
	defer d.Close()
	dir, err := EmbeddedDir(d.Dialect)
	if err != nil {
		return err
	}
	st, err := status(ctx, d.SQL, d.Dialect, dir)
	if err != nil {
		return err
	}
	st.print(c.stdout, u)
	if st.Problem != "" {
		fmt.Fprintln(c.stderr, "migrate: "+st.Problem)
		return errReported
	}
	return nil
}

// oneLineErr flattens joined and multi-line errors into one line.
func oneLineErr(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
