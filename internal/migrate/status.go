package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"time"

	"ariga.io/atlas/sql/migrate"
)

// Status describes the migrations of a database.
type Status struct {
	Dialect string
	// Current is the version of the last applied migration, "" when none.
	Current string
	// Applied are the revisions recorded in the database, oldest first.
	Applied []*migrate.Revision
	// Pending are the files not applied yet, in order.
	Pending []migrate.File
	// Problem, when not empty, is why the database cannot be migrated as it
	// is (a changed or unknown applied file, a partially applied file, a
	// tampered directory).
	Problem string
}

// GetStatus reads the migration status of a database against the embedded
// migrations of its dialect.
func GetStatus(ctx context.Context, sqldb *sql.DB, dialect string) (*Status, error) {
	dir, err := EmbeddedDir(dialect)
	if err != nil {
		return nil, err
	}
	return status(ctx, sqldb, dialect, dir)
}

// status reads the revisions (without locking or writing anything) and
// compares them with dir.
func status(ctx context.Context, sqldb *sql.DB, dialect string, dir migrate.Dir) (*Status, error) {
	st := &Status{Dialect: dialect}
	rrw := &revisions{q: sqldb, dialect: dialect}
	revs, err := rrw.ReadRevisions(ctx)
	if err != nil {
		return nil, err
	}
	st.Applied = revs
	files, err := dir.Files()
	if err != nil {
		return nil, err
	}
	done := make(map[string]bool, len(revs))
	for _, r := range revs {
		if r.Applied == r.Total || r.Type == migrate.RevisionTypeBaseline {
			done[r.Version] = true
			st.Current = r.Version
		} else if st.Problem == "" {
			st.Problem = fmt.Sprintf("migration %s_%s.sql is partially applied (%d of %d statements): %s", r.Version, r.Description, r.Applied, r.Total, r.Error)
		}
	}
	for _, f := range files {
		if !done[f.Version()] {
			st.Pending = append(st.Pending, f)
		}
	}
	label := "embedded " + dialect + " migrations"
	if err := validateDir(dir, label); err != nil && st.Problem == "" {
		st.Problem = err.Error()
	}
	if err := checkAppliedHashes(revs, dir, label); err != nil && st.Problem == "" {
		st.Problem = err.Error()
	}
	return st, nil
}

func (st *Status) print(w io.Writer, where string) {
	fmt.Fprintf(w, "Database:        %s (%s)\n", where, st.Dialect)
	cur := st.Current
	if cur == "" {
		cur = "none (no migration applied)"
	}
	fmt.Fprintf(w, "Current version: %s\n", cur)
	fmt.Fprintf(w, "Applied:         %d\n", len(st.Applied))
	for _, r := range st.Applied {
		state := "ok"
		if r.Applied != r.Total {
			state = fmt.Sprintf("PARTIAL %d/%d", r.Applied, r.Total)
		}
		fmt.Fprintf(w, "  %s_%s.sql  %s  at %s in %s (%d statements)\n", r.Version, r.Description, state,
			r.ExecutedAt.UTC().Format(time.RFC3339), r.ExecutionTime.Round(time.Microsecond), r.Total)
	}
	fmt.Fprintf(w, "Pending:         %d\n", len(st.Pending))
	for _, f := range st.Pending {
		fmt.Fprintf(w, "  %s\n", f.Name())
	}
	if st.Problem != "" {
		fmt.Fprintf(w, "Problem:         %s\n", st.Problem)
	} else if len(st.Pending) == 0 {
		fmt.Fprintln(w, "Status:          up to date")
	} else {
		fmt.Fprintln(w, "Status:          pending migrations (run `migrate apply` or start the server)")
	}
}
