// Package db opens the database nutrigraph runs on: a SQLite file by default,
// PostgreSQL when the URL says postgres://. It is the only place that knows
// driver names and connection strings.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/lib/pq" // PostgreSQL driver "postgres"
	"modernc.org/sqlite"

	"nutrigraph/ent"
	_ "nutrigraph/ent/runtime" // registers schema hooks, interceptors and policies
)

// DefaultURL is the database used when none is configured: a SQLite file in
// the working directory.
const DefaultURL = "sqlite://nutrigraph.db"

var registerOnce sync.Once

// registerSQLite registers modernc.org/sqlite (pure Go, no cgo) under the
// name "sqlite3", the dialect name ent and atlas use.
func registerSQLite() {
	registerOnce.Do(func() {
		for _, d := range sql.Drivers() {
			if d == dialect.SQLite {
				return
			}
		}
		sql.Register(dialect.SQLite, &sqlite.Driver{})
	})
}

// AttemptTimeout bounds one attempt to reach the database.
const AttemptTimeout = 5 * time.Second

// Pool holds the connection-pool settings.
type Pool struct {
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	ConnMaxIdleTime time.Duration
}

// DB is an open database with the ent client over it.
type DB struct {
	// SQL is the connection pool.
	SQL *sql.DB
	// Dialect is dialect.SQLite ("sqlite3") or dialect.Postgres ("postgres").
	Dialect string
	// Client is the ent client over SQL.
	Client *ent.Client
}

// Close closes the pool.
func (d *DB) Close() error { return d.SQL.Close() }

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error { return d.SQL.PingContext(ctx) }

// Parse turns a database URL into a driver name and a data source name.
// Accepted forms:
//
//	postgres://user@host:5432/db?sslmode=disable (also postgresql://)
//	sqlite://path/to/file.db   (relative to the working directory)
//	sqlite:///abs/path.db
//	sqlite://:memory:          (a private in-memory database; tests)
//
// SQLite is opened with foreign keys on, a busy timeout, WAL for files, and
// times written in SQLite's own format.
func Parse(rawURL string) (driver, dsn string, err error) {
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		if _, err := url.Parse(rawURL); err != nil {
			return "", "", fmt.Errorf("db: invalid PostgreSQL URL: %w", err)
		}
		return dialect.Postgres, rawURL, nil
	case strings.HasPrefix(rawURL, "sqlite://"):
		rest := strings.TrimPrefix(rawURL, "sqlite://")
		path, query, _ := strings.Cut(rest, "?")
		if path == "" {
			return "", "", errors.New("db: sqlite URL needs a file path, e.g. sqlite://nutrigraph.db")
		}
		params := url.Values{}
		if query != "" {
			if params, err = url.ParseQuery(query); err != nil {
				return "", "", fmt.Errorf("db: invalid sqlite URL parameters: %w", err)
			}
		}
		params.Add("_pragma", "foreign_keys(1)")
		params.Add("_pragma", "busy_timeout(10000)")
		params.Set("_time_format", "sqlite")
		params.Set("_txlock", "immediate")
		if path == ":memory:" {
			return dialect.SQLite, "file::memory:?" + params.Encode(), nil
		}
		params.Add("_pragma", "journal_mode(WAL)")
		params.Add("_pragma", "synchronous(NORMAL)")
		return dialect.SQLite, "file:" + path + "?" + params.Encode(), nil
	default:
		return "", "", fmt.Errorf("db: unsupported database URL %q: use postgres://… or sqlite://FILE", redact(rawURL))
	}
}

// redact hides the password of a URL for messages and logs.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}

// Redact hides the password of a database URL for messages and logs.
func Redact(raw string) string { return redact(raw) }

// Open opens the database at rawURL and checks that it answers.
func Open(ctx context.Context, rawURL string, pool Pool) (*DB, error) {
	driver, dsn, err := Parse(rawURL)
	if err != nil {
		return nil, err
	}
	if driver == dialect.SQLite {
		registerSQLite()
	}
	sqldb, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("db: open: %w", err)
	}
	if driver == dialect.SQLite && strings.Contains(dsn, ":memory:") {
		// Every connection to :memory: is its own database: keep one.
		pool.MaxOpenConns, pool.MaxIdleConns, pool.ConnMaxLifetime, pool.ConnMaxIdleTime = 1, 1, 0, 0
	}
	if pool.MaxOpenConns > 0 {
		sqldb.SetMaxOpenConns(pool.MaxOpenConns)
	}
	if pool.MaxIdleConns > 0 {
		sqldb.SetMaxIdleConns(pool.MaxIdleConns)
	}
	sqldb.SetConnMaxLifetime(pool.ConnMaxLifetime)
	sqldb.SetConnMaxIdleTime(pool.ConnMaxIdleTime)
	// A peer that accepts connections but never answers must not hold
	// start-up (or its SIGTERM) forever: each attempt has its own deadline.
	pingCtx, cancel := context.WithTimeout(ctx, AttemptTimeout)
	defer cancel()
	if err := sqldb.PingContext(pingCtx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("db: %s does not answer: %w", redact(rawURL), err)
	}
	drv := entsql.OpenDB(driver, sqldb)
	return &DB{SQL: sqldb, Dialect: driver, Client: ent.NewClient(ent.Driver(drv))}, nil
}

// permanent reports whether err is one that waiting cannot cure: a missing
// database or a refused login (SQLSTATE class 28, and 3D000).
func permanent(err error) bool {
	var pe *pq.Error
	if !errors.As(err, &pe) {
		return false
	}
	return pe.Code == "3D000" || strings.HasPrefix(string(pe.Code), "28")
}

// OpenWithRetry opens the database, retrying with exponential back-off
// (capped at 5 s between attempts) until it answers or wait has passed.
func OpenWithRetry(ctx context.Context, rawURL string, pool Pool, wait time.Duration, log *slog.Logger) (*DB, error) {
	deadline := time.Now().Add(wait)
	delay := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		d, err := Open(ctx, rawURL, pool)
		if err == nil {
			return d, nil
		}
		if _, _, perr := Parse(rawURL); perr != nil || permanent(err) || time.Now().Add(delay).After(deadline) {
			return nil, err
		}
		log.Warn("database not ready, retrying", "attempt", attempt, "retry_in", delay.String(), "error", err.Error())
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
		delay = min(delay*2, 5*time.Second)
	}
}
