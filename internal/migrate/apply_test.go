package migrate_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	atlasmigrate "ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	"ariga.io/atlas/sql/schema"

	"nutrigraph/internal/db"
	"nutrigraph/internal/migrate"
	"nutrigraph/internal/testdb"
)

func TestUpAppliesEmbeddedMigrationsFromZeroAndTwiceIsNoop(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			d, _ := emptyDB(t, dialect)
			dir, err := migrate.EmbeddedDir(dialect)
			if err != nil {
				t.Fatal(err)
			}
			files, _ := dir.Files()
			if len(files) == 0 {
				t.Fatal("no embedded migrations")
			}
			if err := migrate.Up(ctx, d, nil); err != nil {
				t.Fatalf("Up: %v", err)
			}
			for _, table := range []string{"users", "meals", "food_entries", "targets"} {
				if !tableExists(t, d, table) {
					t.Errorf("table %s missing after Up", table)
				}
			}
			rows := count(t, d, "SELECT count(*) FROM "+revisionsTable(dialect)+" WHERE applied = total AND type = 2")
			if rows != len(files) {
				t.Fatalf("%d fully applied revisions, want %d", rows, len(files))
			}
			before := revisionTimes(t, d, dialect)

			if err := migrate.Up(ctx, d, nil); err != nil {
				t.Fatalf("second Up: %v", err)
			}
			if after := revisionTimes(t, d, dialect); after != before {
				t.Fatalf("second Up rewrote revisions:\n%s\nthen\n%s", before, after)
			}
			st, err := migrate.GetStatus(ctx, d.SQL, dialect)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Pending) != 0 || st.Problem != "" || st.Current != files[len(files)-1].Version() {
				t.Fatalf("status after Up: current %q, %d pending, problem %q", st.Current, len(st.Pending), st.Problem)
			}
		})
	}
}

// revisionTimes renders the revisions table for comparison.
func revisionTimes(t *testing.T, d *db.DB, dialect string) string {
	t.Helper()
	rows, err := d.SQL.Query("SELECT version, executed_at, hash FROM " + revisionsTable(dialect) + " ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var v, at, h string
		if err := rows.Scan(&v, &at, &h); err != nil {
			t.Fatal(err)
		}
		b.WriteString(v + " " + at + " " + h + "\n")
	}
	return b.String()
}

// The synthetic directories below use SQL both dialects accept.
var (
	file1 = "CREATE TABLE t1 (id integer PRIMARY KEY, name text NOT NULL);\n"
	file2 = "CREATE TABLE t2 (id integer PRIMARY KEY);\nCREATE INDEX t2_id ON t2 (id);\n"
)

func TestUpOneTransactionPerFile(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			d, _ := emptyDB(t, dialect)
			dir := memDir(t, map[string]string{
				"20250101000000_one.sql": file1,
				// The second statement fails: the first must be rolled back.
				"20250102000000_two.sql": "CREATE TABLE t2 (id integer PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);\n",
			})
			applied, err := migrate.ApplyDir(ctx, d.SQL, dialect, dir, "test", nil, 0)
			if err == nil {
				t.Fatal("apply succeeded, want the failure of 20250102000000_two.sql")
			}
			if !strings.Contains(err.Error(), "20250102000000_two.sql") || !strings.Contains(err.Error(), "no_such_table") {
				t.Fatalf("error %q does not name the file and statement", err)
			}
			if len(applied) != 1 || applied[0] != "20250101000000_one.sql" {
				t.Fatalf("applied = %v, want the first file only", applied)
			}
			if !tableExists(t, d, "t1") {
				t.Fatal("t1 missing: the first file must stay committed")
			}
			if tableExists(t, d, "t2") {
				t.Fatal("t2 exists: the failed file was not rolled back")
			}
			if n := count(t, d, "SELECT count(*) FROM "+revisionsTable(dialect)); n != 1 {
				t.Fatalf("%d revisions recorded, want 1 (the failed file leaves no revision)", n)
			}
		})
	}
}

func TestUpRefusesTamperedDirectory(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		tamper func(*atlasmigrate.MemDir)
		want   string
	}{
		{"edited file", func(d *atlasmigrate.MemDir) {
			_ = d.WriteFile("20250102000000_two.sql", []byte(file2+"DROP TABLE t1;\n"))
		}, "migration file 20250102000000_two.sql was modified"},
		{"edited atlas.sum", func(d *atlasmigrate.MemDir) {
			f, _ := d.Open("atlas.sum")
			b := make([]byte, 4096)
			n, _ := f.Read(b)
			sum := strings.Replace(string(b[:n]), "h1:", "h1:X", 2) // corrupt a file hash
			_ = d.WriteFile("atlas.sum", []byte(sum))
		}, "atlas.sum was modified by hand"},
		{"added file", func(d *atlasmigrate.MemDir) {
			_ = d.WriteFile("20250103000000_three.sql", []byte("CREATE TABLE t3 (id integer);\n"))
		}, "migration file 20250103000000_three.sql is not in atlas.sum"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := emptyDB(t, migrate.SQLite)
			dir := memDir(t, map[string]string{"20250101000000_one.sql": file1, "20250102000000_two.sql": file2})
			tc.tamper(dir)
			_, err := migrate.ApplyDir(ctx, d.SQL, d.Dialect, dir, "test dir", nil, 0)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("apply error = %v, want %q", err, tc.want)
			}
			if tableExists(t, d, "t1") {
				t.Fatal("a migration was applied from a tampered directory")
			}
		})
	}
}

func TestUpRefusesAppliedFileChangedLater(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			d, _ := emptyDB(t, dialect)
			v1 := memDir(t, map[string]string{"20250101000000_one.sql": file1})
			if _, err := migrate.ApplyDir(ctx, d.SQL, dialect, v1, "v1", nil, 0); err != nil {
				t.Fatal(err)
			}
			// Someone edits the applied file and regenerates atlas.sum, so
			// the directory itself is consistent.
			v2 := memDir(t, map[string]string{
				"20250101000000_one.sql": strings.Replace(file1, "name text", "title text", 1),
				"20250102000000_two.sql": file2,
			})
			_, err := migrate.ApplyDir(ctx, d.SQL, dialect, v2, "v2", nil, 0)
			if err == nil || !strings.Contains(err.Error(), "migration file 20250101000000_one.sql was changed after it was applied") {
				t.Fatalf("apply error = %v, want a refusal naming 20250101000000_one.sql", err)
			}
			if tableExists(t, d, "t2") {
				t.Fatal("the next file was applied despite the changed history")
			}
			st, err := migrate.StatusOfDir(ctx, d.SQL, dialect, v2)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(st.Problem, "20250101000000_one.sql was changed") {
				t.Fatalf("status problem = %q, want the changed file", st.Problem)
			}
		})
	}
}

func TestUpRefusesAppliedFileMissingFromDirectory(t *testing.T) {
	ctx := context.Background()
	d, _ := emptyDB(t, migrate.SQLite)
	full := memDir(t, map[string]string{"20250101000000_one.sql": file1, "20250102000000_two.sql": file2})
	if _, err := migrate.ApplyDir(ctx, d.SQL, d.Dialect, full, "new", nil, 0); err != nil {
		t.Fatal(err)
	}
	older := memDir(t, map[string]string{"20250101000000_one.sql": file1})
	_, err := migrate.ApplyDir(ctx, d.SQL, d.Dialect, older, "old binary", nil, 0)
	if err == nil || !strings.Contains(err.Error(), "20250102000000_two.sql is recorded as applied") {
		t.Fatalf("apply error = %v, want the unknown applied file named", err)
	}
}

func TestApplyN(t *testing.T) {
	ctx := context.Background()
	d, _ := emptyDB(t, migrate.SQLite)
	dir := memDir(t, map[string]string{"20250101000000_one.sql": file1, "20250102000000_two.sql": file2})
	applied, err := migrate.ApplyDir(ctx, d.SQL, d.Dialect, dir, "test", nil, 1)
	if err != nil || len(applied) != 1 {
		t.Fatalf("apply n=1: %v %v", applied, err)
	}
	st, err := migrate.StatusOfDir(ctx, d.SQL, d.Dialect, dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Current != "20250101000000" || len(st.Pending) != 1 || st.Pending[0].Name() != "20250102000000_two.sql" {
		t.Fatalf("status: current %q pending %v", st.Current, st.Pending)
	}
	applied, err = migrate.ApplyDir(ctx, d.SQL, d.Dialect, dir, "test", nil, 0)
	if err != nil || len(applied) != 1 || applied[0] != "20250102000000_two.sql" {
		t.Fatalf("apply rest: %v %v", applied, err)
	}
}

// concurrentUp runs Up from n separate pools at once and returns their errors.
func concurrentUp(t *testing.T, u string, n int) []error {
	t.Helper()
	pools := make([]*db.DB, n)
	for i := range pools {
		pools[i] = openURL(t, u)
	}
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range pools {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			errs[i] = migrate.Up(context.Background(), pools[i], nil)
		}()
	}
	start.Done()
	done.Wait()
	return errs
}

func TestConcurrentUpAppliesOnce(t *testing.T) {
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			d, u := emptyDB(t, dialect)
			for i, err := range concurrentUp(t, u, 4) {
				if err != nil {
					t.Errorf("Up #%d: %v", i, err)
				}
			}
			dir, _ := migrate.EmbeddedDir(dialect)
			files, _ := dir.Files()
			if n := count(t, d, "SELECT count(*) FROM "+revisionsTable(dialect)+" WHERE applied = total"); n != len(files) {
				t.Fatalf("%d revisions, want %d (each file once)", n, len(files))
			}
		})
	}
}

func TestUpWaitsForPostgresLockThenGivesUp(t *testing.T) {
	requirePostgres(t)
	ctx := context.Background()
	d, _ := emptyDB(t, migrate.Postgres)
	// Hold the lock the way another server would.
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	drv, err := postgres.Open(conn)
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := drv.(schema.Locker).Lock(ctx, "atlas_migrate_execute", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	old := migrate.LockTimeout
	migrate.LockTimeout = 300 * time.Millisecond
	defer func() { migrate.LockTimeout = old }()
	err = migrate.Up(ctx, d, nil)
	if err == nil || !strings.Contains(err.Error(), "another process is applying migrations") {
		t.Fatalf("Up with the lock held elsewhere = %v, want a lock error", err)
	}
	if tableExists(t, d, "users") {
		t.Fatal("Up applied migrations without the lock")
	}
}

// requirePostgres skips the test when PostgreSQL is unreachable (and fails
// it under CI=true, via testdb.Dialects).
func requirePostgres(t *testing.T) {
	t.Helper()
	for _, d := range testdb.Dialects(t) {
		if d == migrate.Postgres {
			return
		}
	}
	t.Skip("PostgreSQL not reachable")
}

// Up switches SQLite foreign keys off around each file; the connection must
// get them back (an in-memory database has only that connection).
func TestUpLeavesSQLiteForeignKeysOn(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite://:memory:", db.Pool{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := migrate.Up(ctx, d, nil); err != nil {
		t.Fatal(err)
	}
	if n := count(t, d, "PRAGMA foreign_keys"); n != 1 {
		t.Fatalf("foreign_keys = %d after Up, want 1", n)
	}
	// And after a file that fails.
	d2, err := db.Open(ctx, "sqlite://:memory:", db.Pool{})
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	bad := memDir(t, map[string]string{"20990101000000_bad.sql": "CREATE TABLE x (id integer);\nSELECT * FROM missing;\n"})
	if _, err := migrate.ApplyDir(ctx, d2.SQL, d2.Dialect, bad, "bad", nil, 0); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("bad file: %v", err)
	}
	if n := count(t, d2, "PRAGMA foreign_keys"); n != 1 {
		t.Fatalf("foreign_keys = %d after a failed file, want 1", n)
	}
}

// The revisions table has the columns of the atlas CLI's
// atlas_schema_revisions, so the CLI can read what the server applied.
func TestRevisionsTableMatchesAtlasCLI(t *testing.T) {
	want := "version,description,type,applied,total,executed_at,execution_time,error,error_stmt,hash,partial_hashes,operator_version"
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			d := testdb.Open(t, dialect)
			q := "SELECT name FROM pragma_table_info('atlas_schema_revisions') ORDER BY cid"
			if dialect == migrate.Postgres {
				q = "SELECT column_name FROM information_schema.columns WHERE table_schema = 'atlas_schema_revisions' AND table_name = 'atlas_schema_revisions' ORDER BY ordinal_position"
			}
			rows, err := d.SQL.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var cols []string
			for rows.Next() {
				var c string
				if err := rows.Scan(&c); err != nil {
					t.Fatal(err)
				}
				cols = append(cols, c)
			}
			if got := strings.Join(cols, ","); got != want {
				t.Fatalf("columns %s, want %s", got, want)
			}
		})
	}
}
