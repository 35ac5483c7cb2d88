package catalog

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"nutrigraph/internal/db"
)

// usage lists the foods subcommands.
const usage = `Usage: nutrigraph foods <command> [flags]

The shared food catalogue: USDA National Nutrient Database for Standard
Reference, Release 26 (8,463 foods with household portions), built into the
binary. The server imports it at start-up when the database has none of it
or an older version.

Commands:
  import [--url URL]
        Import the built-in catalogue into the database: inserts what is
        missing, updates rows whose values differ (keeping their ids),
        archives foods the data no longer has. Running it again changes
        nothing. Refuses to roll back a newer catalogue version. The
        database must be migrated (nutrigraph migrate apply).
  status [--url URL]
        Print the built-in data version and what the database holds.
  help
        Print this help.

Flags:
  --url URL   database URL; overrides DATABASE_URL

Environment:
  DATABASE_URL  database (default sqlite://nutrigraph.db);
                postgres://user:pass@host:5432/db?sslmode=disable or sqlite://FILE
`

// Main runs `nutrigraph foods <args>` and returns the exit code: 0 on
// success, 1 on an error (one line on stderr), 2 on a usage error.
func Main(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		fmt.Fprintln(stderr, "foods: missing command")
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "import", "status":
	default:
		fmt.Fprint(stderr, usage)
		fmt.Fprintf(stderr, "foods: unknown command %q\n", cmd)
		return 2
	}
	fs := flag.NewFlagSet("foods "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "database URL (overrides DATABASE_URL)")
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "foods %s: unexpected arguments %q\n", cmd, fs.Args())
		return 2
	}
	if *url == "" {
		*url = getenv("DATABASE_URL")
	}
	if *url == "" {
		*url = db.DefaultURL
	}
	if err := runCommand(ctx, cmd, *url, stdout); err != nil {
		fmt.Fprintf(stderr, "foods %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

func runCommand(ctx context.Context, cmd, url string, stdout io.Writer) error {
	d, err := Embedded()
	if err != nil {
		return err
	}
	conn, err := db.Open(ctx, url, db.Pool{})
	if err != nil {
		return err
	}
	defer conn.Close()
	s, err := SourceStatus(ctx, conn.Client, d.Source)
	if err != nil {
		return fmt.Errorf("%w (is the database migrated? nutrigraph migrate apply)", err)
	}
	switch cmd {
	case "status":
		fmt.Fprintf(stdout, "built in: %s version %d, %d foods (%s)\n", d.Source, d.Version, len(d.Foods), d.Credit)
		if s.Foods == 0 {
			fmt.Fprintf(stdout, "database %s: no foods of %s\n", db.Redact(url), d.Source)
		} else {
			fmt.Fprintf(stdout, "database %s: %d foods of %s, version %d..%d\n", db.Redact(url), s.Foods, d.Source, s.MinVersion, s.MaxVersion)
		}
		return nil
	default:
		st, err := ImportData(ctx, conn, d)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "imported %s\n%s\n", st, d.Credit)
		if st.MaintenanceErr != nil {
			fmt.Fprintf(stdout, "warning: %v\n", st.MaintenanceErr)
		}
		return nil
	}
}
