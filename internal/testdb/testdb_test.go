package testdb_test

import (
	"context"
	"os"
	"slices"
	"testing"

	"nutrigraph/ent/privacy"
	"nutrigraph/internal/migrate"
	"nutrigraph/internal/testdb"
)

func TestDialectsAlwaysIncludesSQLite(t *testing.T) {
	ds := testdb.Dialects(t)
	if !slices.Contains(ds, "sqlite3") {
		t.Fatalf("Dialects = %v, want sqlite3 in it", ds)
	}
	if os.Getenv("CI") == "true" && !slices.Contains(ds, "postgres") {
		t.Fatalf("Dialects = %v under CI=true, want postgres in it", ds)
	}
}

func TestOpenGivesMigratedIsolatedDatabases(t *testing.T) {
	// Bypass the privacy rules: this test is about the database, not access.
	ctx := privacy.DecisionContext(context.Background(), privacy.Allow)
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			a := testdb.Open(t, dialect)
			b := testdb.Open(t, dialect)
			if a.Dialect != dialect {
				t.Fatalf("Dialect = %q, want %q", a.Dialect, dialect)
			}
			// Fully migrated: nothing pending, every embedded file recorded.
			st, err := migrate.GetStatus(ctx, a.SQL, dialect)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Pending) != 0 || len(st.Applied) == 0 || st.Problem != "" {
				t.Fatalf("status: %d applied, %d pending, problem %q; want all applied", len(st.Applied), len(st.Pending), st.Problem)
			}
			// The ent client works on the schema.
			u, err := a.Client.User.Create().SetEmail("a@example.com").SetPasswordHash("x").Save(ctx)
			if err != nil {
				t.Fatalf("create user: %v", err)
			}
			if n := a.Client.User.Query().CountX(ctx); n != 1 {
				t.Fatalf("users in a = %d, want 1", n)
			}
			// Two Opens never share data.
			if n := b.Client.User.Query().CountX(ctx); n != 0 {
				t.Fatalf("users in b = %d, want 0 (databases must be isolated; a has %v)", n, u.ID)
			}
		})
	}
}

func TestPostgresDatabaseIsDroppedAtCleanup(t *testing.T) {
	if !slices.Contains(testdb.Dialects(t), "postgres") {
		t.Skip("PostgreSQL not reachable")
	}
	ctx := context.Background()
	var name string
	t.Run("inner", func(t *testing.T) {
		d := testdb.Open(t, "postgres")
		if err := d.SQL.QueryRowContext(ctx, "SELECT current_database()").Scan(&name); err != nil {
			t.Fatal(err)
		}
	})
	if name == "" {
		t.Fatal("no database name recorded")
	}
	admin := testdb.Open(t, "postgres") // any connection to the server
	var exists bool
	if err := admin.SQL.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Fatalf("database %s still exists after its test ended", name)
	}
}

func TestOpenUnknownDialectFails(t *testing.T) {
	ft := &fakeTB{TB: t}
	func() {
		defer func() { _ = recover() }()
		testdb.Open(ft, "mysql")
	}()
	if !ft.failed {
		t.Fatal("Open(mysql) did not fail the test")
	}
}

// fakeTB records Fatal calls instead of stopping the real test.
type fakeTB struct {
	testing.TB
	failed bool
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = true
	panic("fatal")
}
