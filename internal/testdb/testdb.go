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
// PostgreSQL: the server is TEST_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable); the user needs
// CREATE DATABASE. The migrations are applied once to a template database
// named after the migrations' checksum (nutrigraph_tmpl_<sum>), which is kept
// between runs and reused while the migrations do not change; every Open
// copies it (CREATE DATABASE … TEMPLATE …) into nutrigraph_test_<random>,
// dropped at the end of the test. When the server does not answer, PostgreSQL
// tests are skipped with a log line — except when CI=true, where that is a
// test failure.
package testdb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"

	"nutrigraph/internal/db"
	"nutrigraph/internal/migrate"
)

// DefaultPostgresURL is the server used when TEST_DATABASE_URL is not set.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

const (
	sqliteDialect   = "sqlite3"
	postgresDialect = "postgres"
)

// PostgresURL returns the PostgreSQL server URL tests use.
func PostgresURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

var (
	pgOnce  sync.Once
	pgAdmin *db.DB // connection to PostgresURL, shared by the whole test binary
	pgErr   error  // why PostgreSQL is not usable

	tmplMu   sync.Mutex
	tmplName string // migrated template database, once created
)

// postgres returns the admin connection, or why PostgreSQL is unavailable.
func postgres() (*db.DB, error) {
	pgOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		u := PostgresURL()
		d, err := db.Open(ctx, u, db.Pool{MaxOpenConns: 4, MaxIdleConns: 2})
		if err != nil {
			pgErr = fmt.Errorf("PostgreSQL at %s does not answer: %w", db.Redact(u), err)
			return
		}
		if d.Dialect != postgresDialect {
			d.Close()
			pgErr = fmt.Errorf("TEST_DATABASE_URL is not a postgres:// URL: %s", db.Redact(u))
			return
		}
		pgAdmin = d
	})
	return pgAdmin, pgErr
}

func inCI() bool { return os.Getenv("CI") == "true" }

// Dialects returns the dialects to run database tests on: always "sqlite3",
// plus "postgres" when the PostgreSQL server answers within about 2 s. When
// it does not, the test fails if CI=true (CI must never skip PostgreSQL
// silently) and otherwise logs that the PostgreSQL tests were skipped.
func Dialects(t testing.TB) []string {
	t.Helper()
	if _, err := postgres(); err != nil {
		if inCI() {
			t.Fatalf("testdb: CI=true but %v", err)
		}
		t.Logf("testdb: PostgreSQL tests skipped: %v (set TEST_DATABASE_URL)", err)
		return []string{sqliteDialect}
	}
	return []string{sqliteDialect, postgresDialect}
}

// Open returns a fresh database of the dialect ("sqlite3" or "postgres"),
// fully migrated with migrate.Up, closed (and for PostgreSQL dropped) when
// the test ends. For PostgreSQL without a reachable server, the test is
// skipped, or fails when CI=true.
func Open(t testing.TB, dialect string) *db.DB {
	t.Helper()
	ctx := context.Background()
	switch dialect {
	case sqliteDialect, "sqlite":
		d, err := db.Open(ctx, "sqlite://:memory:", db.Pool{})
		if err != nil {
			t.Fatalf("testdb: open SQLite: %v", err)
		}
		t.Cleanup(func() { d.Close() })
		if err := migrate.Up(ctx, d, quiet()); err != nil {
			t.Fatalf("testdb: migrate SQLite: %v", err)
		}
		return d
	case postgresDialect:
		return openPostgres(t)
	}
	t.Fatalf("testdb: unknown dialect %q (want %q or %q)", dialect, sqliteDialect, postgresDialect)
	return nil
}

func openPostgres(t testing.TB) *db.DB {
	t.Helper()
	ctx := context.Background()
	admin, err := postgres()
	if err != nil {
		if inCI() {
			t.Fatalf("testdb: CI=true but %v", err)
		}
		t.Skipf("testdb: PostgreSQL test skipped: %v", err)
	}
	tmpl, err := template(ctx, admin)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	name, u, drop, err := migrate.CreateDatabase(ctx, admin, PostgresURL(), "nutrigraph_test_", tmpl)
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
// migrations, so a test binary reuses the template of a previous run (or of
// a package tested in parallel) as long as the migrations are the same.
func template(ctx context.Context, admin *db.DB) (string, error) {
	tmplMu.Lock()
	defer tmplMu.Unlock()
	if tmplName != "" {
		return tmplName, nil
	}
	sum, err := migrationsSum()
	if err != nil {
		return "", err
	}
	name := "nutrigraph_tmpl_" + sum
	var exists bool
	if err := admin.SQL.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", fmt.Errorf("look for template database: %w", err)
	}
	if !exists {
		// Build under a temporary name and rename when complete, so that a
		// concurrent test binary never copies a half-migrated template.
		building, u, drop, err := migrate.CreateDatabase(ctx, admin, PostgresURL(), "nutrigraph_tmpl_build_", "template0")
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
		_, err = admin.SQL.ExecContext(ctx, "ALTER DATABASE "+migrate.QuoteIdent(building)+" RENAME TO "+migrate.QuoteIdent(name))
		var pqErr *pq.Error
		switch {
		case errors.As(err, &pqErr) && pqErr.Code == "42P04": // duplicate_database: another process won
			if derr := drop(); derr != nil {
				return "", derr
			}
		case err != nil:
			return "", errors.Join(fmt.Errorf("rename template database: %w", err), drop())
		}
	}
	tmplName = name
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

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }
