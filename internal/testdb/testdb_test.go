package testdb_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"nutrigraph/internal/db"

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

// child runs this test binary again with extra environment, running only
// the named test, and returns its exit error and output.
func child(t *testing.T, test string, env ...string) (error, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), append([]string{"TESTDB_CHILD=1"}, env...)...)
	out, err := cmd.CombinedOutput()
	return err, string(out)
}

// unreachable is a PostgreSQL URL nothing listens on.
const unreachable = "TEST_DATABASE_URL=postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=1"

func TestChildDialects(t *testing.T) {
	if os.Getenv("TESTDB_CHILD") != "1" {
		t.Skip("helper for TestUnreachablePostgres")
	}
	t.Logf("dialects: %v", testdb.Dialects(t))
}

func TestChildOpenPostgres(t *testing.T) {
	if os.Getenv("TESTDB_CHILD") != "1" {
		t.Skip("helper for TestUnreachablePostgres")
	}
	testdb.Open(t, "postgres")
	t.Log("opened")
}

func TestUnreachablePostgres(t *testing.T) {
	if os.Getenv("TESTDB_CHILD") == "1" {
		t.Skip("parent only")
	}
	// Outside CI: PostgreSQL is omitted with a log line, Open skips.
	err, out := child(t, "TestChildDialects", unreachable, "CI=")
	if err != nil || !strings.Contains(out, "PostgreSQL tests skipped") || !strings.Contains(out, "dialects: [sqlite3]") {
		t.Fatalf("without CI: err %v\n%s", err, out)
	}
	err, out = child(t, "TestChildOpenPostgres", unreachable, "CI=")
	if err != nil || !strings.Contains(out, "--- SKIP: TestChildOpenPostgres") {
		t.Fatalf("Open without CI: err %v\n%s", err, out)
	}
	// Under CI: a failure, never a skip.
	err, out = child(t, "TestChildDialects", unreachable, "CI=true")
	if err == nil || !strings.Contains(out, "--- FAIL: TestChildDialects") || !strings.Contains(out, "CI=true but") {
		t.Fatalf("with CI=true: err %v\n%s", err, out)
	}
	err, out = child(t, "TestChildOpenPostgres", unreachable, "CI=true")
	if err == nil || !strings.Contains(out, "--- FAIL: TestChildOpenPostgres") {
		t.Fatalf("Open with CI=true: err %v\n%s", err, out)
	}
}

func TestSweepDropsAbandonedDatabasesOnly(t *testing.T) {
	if !slices.Contains(testdb.Dialects(t), "postgres") {
		t.Skip("PostgreSQL not reachable")
	}
	ctx := context.Background()
	admin := testdb.Open(t, "postgres")
	mine := currentDatabase(t, admin)
	suffix := fmt.Sprintf("%d", time.Now().UnixNano())
	abandoned := "nutrigraph_test_abandoned_" + suffix
	live := "nutrigraph_test_live_" + suffix
	for _, n := range []string{abandoned, live} {
		if _, err := admin.SQL.ExecContext(ctx, "CREATE DATABASE "+n); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, n := range []string{abandoned, live} {
			_, _ = admin.SQL.ExecContext(ctx, "DROP DATABASE IF EXISTS "+n)
		}
	})
	// Another "test binary" holds the lock of live (advisory locks belong
	// to a database: take it where testdb takes its locks).
	server, err := db.Open(ctx, testdb.PostgresURL(), db.Pool{})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	conn, err := server.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(hashtextextended('nutrigraph-testdb:' || $1, 0))", live); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "SELECT pg_advisory_unlock_all()")

	testdb.Sweep()

	exists := func(n string) bool {
		var ok bool
		if err := admin.SQL.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", n).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if exists(abandoned) {
		t.Error("abandoned database survived the sweep")
	}
	if !exists(live) {
		t.Error("sweep dropped a database locked by a live test binary")
	}
	if !exists(mine) {
		t.Error("sweep dropped this binary's own database")
	}
}

func currentDatabase(t *testing.T, d *db.DB) string {
	t.Helper()
	var n string
	if err := d.SQL.QueryRow("SELECT current_database()").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
