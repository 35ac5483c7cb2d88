// Package testdb gives tests fresh, fully migrated databases: a private
// in-memory SQLite database, and, when a PostgreSQL server is reachable, a
// new PostgreSQL database per call.
//
//	for _, dialect := range testdb.Dialects(t) {
//		t.Run(dialect, func(t *testing.T) {
//			d := testdb.Open(t, dialect)
//			... d.Client, d.SQL ...
//		})
//	}
//
// Both dialects apply the embedded migrations with migrate.Up once per test
// binary and then copy the result, which keeps Open cheap:
//
//   - SQLite: the migrated in-memory database is serialized once and every
//     Open deserializes it into a new private in-memory database (about a
//     millisecond instead of replaying every migration).
//   - PostgreSQL (server TEST_DATABASE_URL, default
//     postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable; the user needs
//     CREATE DATABASE): the migrations are applied to a template database
//     named after their checksum (nutrigraph_tmpl_<sum>), kept between runs
//     and shared by test binaries running in parallel; every Open creates
//     nutrigraph_test_<random> from it (CREATE DATABASE … TEMPLATE …), and
//     drops it (terminating its connections) when the test ends. CREATE
//     DATABASE costs a few hundred milliseconds on a server that fsyncs.
//
// Every database testdb creates on PostgreSQL is guarded by an advisory lock
// held by the test binary for its lifetime. On first use, testdb drops the
// databases left behind by test binaries that died before their cleanup
// (killed, timed out) and the templates of older migrations: those whose
// lock nobody holds.
//
// When the PostgreSQL server does not answer within about 2 s, PostgreSQL
// tests are skipped with a log line, except when CI=true, where that is a
// test failure (CI must never skip PostgreSQL silently).
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"

	"nutrigraph/internal/db"
	"nutrigraph/internal/migrate"
)

// DefaultPostgresURL is the server used when TEST_DATABASE_URL is not set.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

const (
	sqliteDialect   = "sqlite3"
	postgresDialect = "postgres"

	testPrefix  = "nutrigraph_test_"
	tmplPrefix  = "nutrigraph_tmpl_"
	buildPrefix = "nutrigraph_tmpl_build_"
)

// PostgresURL returns the PostgreSQL server URL tests use.
func PostgresURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

func inCI() bool { return os.Getenv("CI") == "true" }

// Dialects returns the dialects to run database tests on: always "sqlite3",
// plus "postgres" when the PostgreSQL server answers within about 2 s. When
// it does not, the test fails if CI=true and otherwise logs that the
// PostgreSQL tests were skipped.
func Dialects(t testing.TB) []string {
	t.Helper()
	if _, err := server(); err != nil {
		if inCI() {
			t.Fatalf("testdb: CI=true but %v", err)
		}
		t.Logf("testdb: PostgreSQL tests skipped: %v (set TEST_DATABASE_URL)", err)
		return []string{sqliteDialect}
	}
	return []string{sqliteDialect, postgresDialect}
}

// Open returns a fresh database of the dialect ("sqlite3" or "postgres"),
// fully migrated (migrate.Up), closed (and for PostgreSQL dropped) when the
// test ends. For PostgreSQL without a reachable server, the test is skipped,
// or fails when CI=true.
func Open(t testing.TB, dialect string) *db.DB {
	t.Helper()
	switch dialect {
	case sqliteDialect, "sqlite":
		return openSQLite(t)
	case postgresDialect:
		return openPostgres(t)
	}
	t.Fatalf("testdb: unknown dialect %q (want %q or %q)", dialect, sqliteDialect, postgresDialect)
	return nil
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// --- SQLite ---------------------------------------------------------------

var (
	sqliteOnce  sync.Once
	sqliteImage []byte // serialized migrated database; nil: migrate each time
	sqliteErr   error
)

type serializer interface {
	Serialize() ([]byte, error)
}

type deserializer interface {
	Deserialize([]byte) error
}

// migratedSQLiteImage migrates an in-memory database once and serializes it.
func migratedSQLiteImage(ctx context.Context) ([]byte, error) {
	sqliteOnce.Do(func() {
		d, err := db.Open(ctx, "sqlite://:memory:", db.Pool{})
		if err != nil {
			sqliteErr = err
			return
		}
		defer d.Close()
		if err := migrate.Up(ctx, d, quiet()); err != nil {
			sqliteErr = fmt.Errorf("migrate SQLite: %w", err)
			return
		}
		conn, err := d.SQL.Conn(ctx)
		if err != nil {
			sqliteErr = err
			return
		}
		defer conn.Close()
		sqliteErr = conn.Raw(func(dc any) error {
			s, ok := dc.(serializer)
			if !ok {
				return nil // driver without serialization: Open migrates each database
			}
			img, err := s.Serialize()
			sqliteImage = img
			return err
		})
	})
	return sqliteImage, sqliteErr
}

func openSQLite(t testing.TB) *db.DB {
	t.Helper()
	ctx := context.Background()
	img, err := migratedSQLiteImage(ctx)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	d, err := db.Open(ctx, "sqlite://:memory:", db.Pool{})
	if err != nil {
		t.Fatalf("testdb: open SQLite: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	if img == nil {
		if err := migrate.Up(ctx, d, quiet()); err != nil {
			t.Fatalf("testdb: migrate SQLite: %v", err)
		}
		return d
	}
	// The pool has exactly one connection that never expires (db.Open does
	// that for :memory:), so the deserialized content stays with d.
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	err = conn.Raw(func(dc any) error {
		ds, ok := dc.(deserializer)
		if !ok {
			return errors.New("driver cannot deserialize")
		}
		return ds.Deserialize(img)
	})
	conn.Close()
	if err != nil {
		t.Fatalf("testdb: load migrated SQLite image: %v", err)
	}
	return d
}

// --- PostgreSQL -----------------------------------------------------------

// pgServer is the PostgreSQL server shared by the test binary.
type pgServer struct {
	url   string
	admin *db.DB

	// owner is a connection kept for the lifetime of the test binary; it
	// holds the advisory locks that mark databases as in use.
	ownerMu sync.Mutex
	owner   *sql.Conn
	mine    map[string]bool // databases this binary created and has not dropped

	tmplMu   sync.Mutex
	tmplName string
}

var (
	pgOnce sync.Once
	pg     *pgServer
	pgErr  error
)

// server connects to the PostgreSQL server once, and cleans up databases
// abandoned by earlier test binaries.
func server() (*pgServer, error) {
	pgOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		u := PostgresURL()
		if !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
			pgErr = fmt.Errorf("TEST_DATABASE_URL is not a postgres:// URL: %s", db.Redact(u))
			return
		}
		admin, err := db.Open(ctx, u, db.Pool{MaxOpenConns: 8, MaxIdleConns: 4})
		if err != nil {
			pgErr = fmt.Errorf("PostgreSQL at %s does not answer: %w", db.Redact(u), err)
			return
		}
		owner, err := admin.SQL.Conn(ctx)
		if err != nil {
			admin.Close()
			pgErr = fmt.Errorf("PostgreSQL at %s: %w", db.Redact(u), err)
			return
		}
		pg = &pgServer{url: u, admin: admin, owner: owner, mine: map[string]bool{}}
		pg.sweep(context.Background())
	})
	return pg, pgErr
}

// lockKey turns a database name into an advisory lock key (SQL expression
// over $1).
const lockKey = "hashtextextended('nutrigraph-testdb:' || $1, 0)"

// lock takes the advisory lock of a database name on the owner connection,
// shared (template users) or exclusive (creators).
func (s *pgServer) lock(ctx context.Context, name string, shared bool) error {
	fn := "pg_advisory_lock"
	if shared {
		fn = "pg_advisory_lock_shared"
	}
	s.ownerMu.Lock()
	defer s.ownerMu.Unlock()
	if _, err := s.owner.ExecContext(ctx, "SELECT "+fn+"("+lockKey+")", name); err != nil {
		return err
	}
	s.mine[name] = true
	return nil
}

func (s *pgServer) unlock(ctx context.Context, name string) {
	s.ownerMu.Lock()
	defer s.ownerMu.Unlock()
	_, _ = s.owner.ExecContext(ctx, "SELECT pg_advisory_unlock("+lockKey+")", name)
	delete(s.mine, name)
}

// tryLock takes the exclusive lock of a name if nobody holds it. (Advisory
// locks are re-entrant within a session: names this binary holds are
// reported as taken.)
func (s *pgServer) tryLock(ctx context.Context, name string) (bool, error) {
	s.ownerMu.Lock()
	defer s.ownerMu.Unlock()
	if s.mine[name] {
		return false, nil
	}
	var ok bool
	err := s.owner.QueryRowContext(ctx, "SELECT pg_try_advisory_lock("+lockKey+")", name).Scan(&ok)
	return ok, err
}

// sweep drops the databases of dead test binaries and stale templates: the
// test and template databases whose advisory lock nobody holds, except the
// current template. Best effort: errors are ignored.
func (s *pgServer) sweep(ctx context.Context) {
	current := ""
	if sum, err := migrationsSum(); err == nil {
		current = tmplPrefix + sum
	}
	// Databases with open connections are in use whatever their lock says
	// (a binary whose TEST_DATABASE_URL names another database of the same
	// server takes its locks there: advisory locks belong to a database).
	rows, err := s.admin.SQL.QueryContext(ctx,
		`SELECT datname FROM pg_database d WHERE (datname LIKE 'nutrigraph\_test\_%' OR datname LIKE 'nutrigraph\_tmpl\_%')
		AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)`)
	if err != nil {
		return
	}
	var names []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil && n != current {
			names = append(names, n)
		}
	}
	rows.Close()
	for _, n := range names {
		if ok, err := s.tryLock(ctx, n); err != nil || !ok {
			continue // in use by a live test binary
		}
		_ = migrate.DropDatabase(ctx, s.admin, n)
		s.ownerMu.Lock()
		_, _ = s.owner.ExecContext(ctx, "SELECT pg_advisory_unlock("+lockKey+")", n)
		s.ownerMu.Unlock()
	}
}

// create creates a database copying template and returns its URL and a
// function dropping it. The database is locked (marked in use) before it
// exists, so that no sweep can drop it.
func (s *pgServer) create(ctx context.Context, name, template string) (string, func() error, error) {
	u, err := migrate.WithDatabase(s.url, name)
	if err != nil {
		return "", nil, err
	}
	if err := s.lock(ctx, name, false); err != nil {
		return "", nil, fmt.Errorf("lock %s: %w", name, err)
	}
	if _, err := s.admin.SQL.ExecContext(ctx, "CREATE DATABASE "+migrate.QuoteIdent(name)+" TEMPLATE "+migrate.QuoteIdent(template)); err != nil {
		s.unlock(ctx, name)
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	drop := func() error {
		ctx := context.WithoutCancel(ctx)
		err := migrate.DropDatabase(ctx, s.admin, name)
		if err == nil {
			s.unlock(ctx, name)
		}
		return err
	}
	return u, drop, nil
}

func openPostgres(t testing.TB) *db.DB {
	t.Helper()
	ctx := context.Background()
	s, err := server()
	if err != nil {
		if inCI() {
			t.Fatalf("testdb: CI=true but %v", err)
		}
		t.Skipf("testdb: PostgreSQL test skipped: %v", err)
	}
	tmpl, err := s.template(ctx)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	name := testPrefix + randomSuffix()
	u, drop, err := s.create(ctx, name, tmpl)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	d, err := db.Open(ctx, u, db.Pool{MaxOpenConns: 10, MaxIdleConns: 10})
	if err != nil {
		_ = drop()
		t.Fatalf("testdb: open %s: %v", name, err)
	}
	t.Cleanup(func() {
		d.Close()
		if err := drop(); err != nil {
			t.Errorf("testdb: %v", err)
		}
	})
	return d
}

// template returns the name of a database holding the migrated schema and
// nothing else, creating it if needed. Its name is derived from the
// migrations, so test binaries share it as long as the migrations are the
// same. The binary holds a shared lock on it from before it looks for it, so
// that no sweep drops it while in use.
func (s *pgServer) template(ctx context.Context) (string, error) {
	s.tmplMu.Lock()
	defer s.tmplMu.Unlock()
	if s.tmplName != "" {
		return s.tmplName, nil
	}
	sum, err := migrationsSum()
	if err != nil {
		return "", err
	}
	name := tmplPrefix + sum
	if err := s.lock(ctx, name, true); err != nil {
		return "", fmt.Errorf("lock template: %w", err)
	}
	var exists bool
	if err := s.admin.SQL.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", fmt.Errorf("look for template database: %w", err)
	}
	if !exists {
		// Build under a temporary name and rename when complete, so that a
		// concurrent test binary never copies a half-migrated template.
		building := buildPrefix + randomSuffix()
		u, drop, err := s.create(ctx, building, "template0")
		if err != nil {
			return "", err
		}
		d, err := db.Open(ctx, u, db.Pool{MaxOpenConns: 2})
		if err != nil {
			return "", errors.Join(err, drop())
		}
		err = migrate.Up(ctx, d, quiet())
		d.Close()
		if err != nil {
			return "", errors.Join(fmt.Errorf("migrate template database: %w", err), drop())
		}
		_, err = s.admin.SQL.ExecContext(ctx, "ALTER DATABASE "+migrate.QuoteIdent(building)+" RENAME TO "+migrate.QuoteIdent(name))
		var pqErr *pq.Error
		switch {
		case err == nil:
			s.unlock(ctx, building)
		case errors.As(err, &pqErr) && pqErr.Code == "42P04": // duplicate_database: another binary won
			if err := drop(); err != nil {
				return "", err
			}
		default:
			return "", errors.Join(fmt.Errorf("rename template database: %w", err), drop())
		}
	}
	s.tmplName = name
	return name, nil
}

// migrationsSum identifies the embedded PostgreSQL migrations.
func migrationsSum() (string, error) {
	dir, err := migrate.EmbeddedDir(postgresDialect)
	if err != nil {
		return "", err
	}
	f, err := dir.Open("atlas.sum")
	if err != nil {
		return "", fmt.Errorf("embedded postgres migrations: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])[:16], nil
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
