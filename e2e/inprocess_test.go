package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"nutrigraph/ent"
	"nutrigraph/internal/config"
	"nutrigraph/internal/db"
	"nutrigraph/internal/password"
	"nutrigraph/internal/server"
	"nutrigraph/internal/testdb"
)

// statements counts the statements sent through an ent driver and keeps
// their text (for failure messages).
type statements struct {
	mu   sync.Mutex
	list []string
}

func (s *statements) add(query string) {
	s.mu.Lock()
	s.list = append(s.list, query)
	s.mu.Unlock()
}

// reset forgets every statement counted so far.
func (s *statements) reset() {
	s.mu.Lock()
	s.list = nil
	s.mu.Unlock()
}

// taken returns the statements counted since the last reset.
func (s *statements) taken() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.list...)
}

// countingDriver is an ent driver that counts every Query and Exec, inside
// transactions too.
type countingDriver struct {
	dialect.Driver
	s *statements
}

func (d countingDriver) Query(ctx context.Context, query string, args, v any) error {
	d.s.add(query)
	return d.Driver.Query(ctx, query, args, v)
}

func (d countingDriver) Exec(ctx context.Context, query string, args, v any) error {
	d.s.add(query)
	return d.Driver.Exec(ctx, query, args, v)
}

func (d countingDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return countingTx{tx, d.s}, nil
}

type countingTx struct {
	dialect.Tx
	s *statements
}

func (t countingTx) Query(ctx context.Context, query string, args, v any) error {
	t.s.add(query)
	return t.Tx.Query(ctx, query, args, v)
}

func (t countingTx) Exec(ctx context.Context, query string, args, v any) error {
	t.s.add(query)
	return t.Tx.Exec(ctx, query, args, v)
}

// stack is the API served in-process over a test database: the production
// composition of use cases, schema, middleware and routes (server.Wire, with
// the default configuration) over an ent client that counts its statements,
// with cheap password hashing.
type stack struct {
	db    *db.DB
	stmts *statements
	// handler is the whole HTTP handler; srv serves it on a loopback port.
	handler http.Handler
	srv     *httptest.Server
	// offset shifts the use cases' clock (nanoseconds): a target can be
	// changed "in the past", so that its goals apply to past days.
	offset atomic.Int64
}

// at runs fn with the use cases' clock set to t.
func (s *stack) at(t time.Time, fn func()) {
	s.offset.Store(int64(time.Until(t)))
	defer s.offset.Store(0)
	fn()
}

// cheapHashing keeps argon2id but with parameters that make a registration
// take a millisecond instead of a tenth of a second.
var cheapHashing = password.Hasher{P: password.Params{MemoryKiB: 64, Passes: 1, Lanes: 1, SaltLen: 16, KeyLen: 32}}

// newStack opens a fresh database of dialect and serves the API over it.
func newStack(t testing.TB, dialectName string) *stack {
	t.Helper()
	d := testdb.Open(t, dialectName)
	s := &stack{stmts: &statements{}}
	client := ent.NewClient(ent.Driver(countingDriver{entsql.OpenDB(d.Dialect, d.SQL), s.stmts}))
	s.db = &db.DB{SQL: d.SQL, Dialect: d.Dialect, Client: client}

	clock := func() time.Time { return time.Now().Add(time.Duration(s.offset.Load())) }
	cfg, err := config.Load(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	s.handler, err = server.Handler(cfg, s.db, clock, nil, server.WithPasswordHasher(cheapHashing))
	if err != nil {
		t.Fatal(err)
	}
	s.srv = httptest.NewServer(s.handler)
	t.Cleanup(s.srv.Close)
	return s
}

// user registers a new account in zone and returns its client.
func (s *stack) user(t testing.TB, email, zone string) *client {
	t.Helper()
	c := newClient(t, s.srv.URL)
	c.register(email, zone)
	return c
}

// count runs one operation and returns the statements it issued.
func (s *stack) count(c *client, out any, query string, vars map[string]any) []string {
	c.t.Helper()
	s.stmts.reset()
	c.do(out, query, vars)
	return s.stmts.taken()
}

func showStatements(list []string) string {
	var b strings.Builder
	for i, q := range list {
		if len(q) > 240 {
			q = q[:240] + "…"
		}
		fmt.Fprintf(&b, "\n  %d. %s", i+1, q)
	}
	return b.String()
}
