package migrate_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"

	atlasmigrate "ariga.io/atlas/sql/migrate"

	"nutrigraph/internal/db"
	"nutrigraph/internal/migrate"
	"nutrigraph/internal/testdb"
)

// repoMigrations is the committed migrations root, from this package's directory.
const repoMigrations = "../../migrations"

// emptyDB returns a new, empty database of the dialect and its URL: a SQLite
// file in a temporary directory (so several pools can share it), or a new
// PostgreSQL database dropped at the end of the test.
func emptyDB(t *testing.T, dialect string) (*db.DB, string) {
	t.Helper()
	ctx := context.Background()
	var u string
	switch dialect {
	case migrate.SQLite:
		u = "sqlite://" + filepath.Join(t.TempDir(), "test.db")
	case migrate.Postgres:
		admin, err := db.Open(ctx, testdb.PostgresURL(), db.Pool{MaxOpenConns: 2})
		if err != nil {
			t.Fatalf("PostgreSQL: %v", err)
		}
		t.Cleanup(func() { admin.Close() })
		_, dbURL, drop, err := migrate.CreateDatabase(ctx, admin, testdb.PostgresURL(), "nutrigraph_migtest_", "template0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := drop(); err != nil {
				t.Error(err)
			}
		})
		u = dbURL
	default:
		t.Fatalf("unknown dialect %q", dialect)
	}
	return openURL(t, u), u
}

// openURL opens a database closed at the end of the test.
func openURL(t *testing.T, u string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), u, db.Pool{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// memDir builds a migration directory from files (name → content) with a
// correct atlas.sum.
func memDir(t *testing.T, files map[string]string) *atlasmigrate.MemDir {
	t.Helper()
	dir := &atlasmigrate.MemDir{}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := dir.WriteFile(n, []byte(files[n])); err != nil {
			t.Fatal(err)
		}
	}
	writeSum(t, dir)
	return dir
}

// writeSum (re)computes the atlas.sum of a directory, as `migrate diff` does.
func writeSum(t *testing.T, dir atlasmigrate.Dir) {
	t.Helper()
	sum, err := dir.Checksum()
	if err != nil {
		t.Fatal(err)
	}
	if err := atlasmigrate.WriteSumFile(dir, sum); err != nil {
		t.Fatal(err)
	}
}

// copyMigrations copies the committed migrations root into a temporary
// directory and returns its path.
func copyMigrations(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, sub := range []string{"postgres", "sqlite"} {
		src := filepath.Join(repoMigrations, sub)
		entries, err := os.ReadDir(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(root, sub), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(src, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, sub, e.Name()), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

// sqlFiles lists the .sql files of a directory on disk.
func sqlFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(m)
	return m
}

// runMain runs the migrate command with the given environment.
func runMain(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = migrate.Main(context.Background(), args, func(k string) string { return env[k] }, &out, &errb)
	return code, out.String(), errb.String()
}

// devEnv is the environment of commands that need a PostgreSQL dev server.
func devEnv() map[string]string {
	return map[string]string{"DEV_DATABASE_URL": testdb.PostgresURL()}
}

// dirName is the migrations sub-directory and --dialect value of a dialect.
func dirName(dialect string) string {
	if dialect == migrate.SQLite {
		return "sqlite"
	}
	return "postgres"
}

// count runs a counting query.
func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.SQL.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// revisionsTable is the qualified revisions table of a dialect.
func revisionsTable(dialect string) string {
	if dialect == migrate.Postgres {
		return "atlas_schema_revisions.atlas_schema_revisions"
	}
	return "atlas_schema_revisions"
}

// tableExists reports whether a table exists in the default schema.
func tableExists(t *testing.T, d *db.DB, name string) bool {
	t.Helper()
	q := "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
	if d.Dialect == migrate.Postgres {
		q = "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = $1"
	}
	return count(t, d, q, name) == 1
}
