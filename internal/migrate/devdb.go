package migrate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"nutrigraph/internal/db"
)

// DefaultDevServerURL is the PostgreSQL server on which `migrate diff` and
// `migrate lint` create their temporary dev databases when DEV_DATABASE_URL
// is not set.
const DefaultDevServerURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// devDB is a clean, throw-away database for planning and linting.
type devDB struct {
	*db.DB
	close func() error
}

// openDevDB returns an empty database of the dialect: a private in-memory
// SQLite database, or a new PostgreSQL database created on serverURL (which
// must allow CREATE DATABASE) and dropped by close.
func openDevDB(ctx context.Context, dialect, serverURL string) (*devDB, error) {
	switch dialect {
	case SQLite:
		d, err := db.Open(ctx, "sqlite://:memory:", db.Pool{})
		if err != nil {
			return nil, err
		}
		return &devDB{DB: d, close: d.Close}, nil
	case Postgres:
		admin, err := db.Open(ctx, serverURL, db.Pool{MaxOpenConns: 2})
		if err != nil {
			return nil, fmt.Errorf("dev database server (DEV_DATABASE_URL): %w", err)
		}
		if admin.Dialect != Postgres {
			admin.Close()
			return nil, fmt.Errorf("DEV_DATABASE_URL must be a postgres:// URL, got %s", db.Redact(serverURL))
		}
		name, dbURL, drop, err := CreateDatabase(ctx, admin, serverURL, "nutrigraph_dev_", "template0")
		if err != nil {
			admin.Close()
			return nil, fmt.Errorf("dev database: %w", err)
		}
		d, err := db.Open(ctx, dbURL, db.Pool{MaxOpenConns: 4})
		if err != nil {
			err = errors.Join(fmt.Errorf("dev database %s: %w", name, err), drop(), admin.Close())
			return nil, err
		}
		return &devDB{DB: d, close: func() error { return errors.Join(d.Close(), drop(), admin.Close()) }}, nil
	}
	return nil, fmt.Errorf("unsupported dialect %q", dialect)
}

// CreateDatabase creates a database with a random name starting with prefix
// on the PostgreSQL server that admin is connected to (serverURL is admin's
// URL), copying template ("" for the server's default), and returns its
// name, its URL, and a function that terminates its connections and drops it
// (admin must stay open until then).
func CreateDatabase(ctx context.Context, admin *db.DB, serverURL, prefix, template string) (name, dbURL string, drop func() error, err error) {
	name = prefix + randomSuffix()
	q := "CREATE DATABASE " + QuoteIdent(name)
	if template != "" {
		q += " TEMPLATE " + QuoteIdent(template)
	}
	if dbURL, err = WithDatabase(serverURL, name); err != nil {
		return "", "", nil, err
	}
	if _, err := admin.SQL.ExecContext(ctx, q); err != nil {
		return "", "", nil, fmt.Errorf("create database %s on %s: %w", name, db.Redact(serverURL), err)
	}
	drop = func() error { return DropDatabase(context.WithoutCancel(ctx), admin, name) }
	return name, dbURL, drop, nil
}

// DropDatabase terminates the connections to a database and drops it.
func DropDatabase(ctx context.Context, admin *db.DB, name string) error {
	if _, err := admin.SQL.ExecContext(ctx,
		"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", name); err != nil {
		return fmt.Errorf("terminate connections to %s: %w", name, err)
	}
	if _, err := admin.SQL.ExecContext(ctx, "DROP DATABASE IF EXISTS "+QuoteIdent(name)); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// WithDatabase returns a PostgreSQL URL with its database name replaced.
func WithDatabase(rawURL, name string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("invalid PostgreSQL URL: %w", err)
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String(), nil
}

// QuoteIdent quotes a PostgreSQL identifier.
func QuoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
