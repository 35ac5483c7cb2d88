package db_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"nutrigraph/internal/db"
	"nutrigraph/internal/testdb"
)

func TestParse(t *testing.T) {
	for _, c := range []struct{ url, driver, dsnHas string }{
		{"sqlite://nutrigraph.db", "sqlite3", "file:nutrigraph.db?"},
		{"sqlite://:memory:", "sqlite3", "file::memory:?"},
		{"postgres://u:p@h:5432/db?sslmode=disable", "postgres", "postgres://u:p@h:5432/db"},
		{"postgresql://h/db", "postgres", "postgresql://h/db"},
	} {
		d, dsn, err := db.Parse(c.url)
		if err != nil || d != c.driver || !strings.Contains(dsn, c.dsnHas) {
			t.Errorf("%s: %s %s %v", c.url, d, dsn, err)
		}
		if d == "sqlite3" && (!strings.Contains(dsn, "foreign_keys") || !strings.Contains(dsn, "_txlock=immediate")) {
			t.Errorf("%s: sqlite options missing: %s", c.url, dsn)
		}
	}
	for _, bad := range []string{"", "mysql://x", "sqlite://", "nutrigraph.db"} {
		if _, _, err := db.Parse(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if got := db.Redact("postgres://u:secret@h/db"); strings.Contains(got, "secret") {
		t.Errorf("password shown: %s", got)
	}
}

// TestOpenWithRetryGivesUpAtOnceOnAMissingDatabase: waiting cannot create a
// database, so start-up fails at the first attempt instead of retrying until
// the timeout.
func TestOpenWithRetryGivesUpAtOnceOnAMissingDatabase(t *testing.T) {
	if len(testdb.Dialects(t)) < 2 {
		return // PostgreSQL unreachable outside CI: Dialects logged it
	}
	u, err := url.Parse(testdb.PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/nutrigraph_no_such_database"
	var logs bytes.Buffer
	_, err = db.OpenWithRetry(context.Background(), u.String(), db.Pool{}, 20*time.Second, slog.New(slog.NewTextHandler(&logs, nil)))
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(logs.String(), "retrying") {
		t.Errorf("retried a permanent error:\n%s", logs.String())
	}
}
