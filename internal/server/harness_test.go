package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"nutrigraph/internal/app"
	"nutrigraph/internal/config"
	"nutrigraph/internal/db"
	"nutrigraph/internal/password"
	"nutrigraph/internal/server"
	"nutrigraph/internal/testdb"
)

// These tests send real HTTP requests to the handler the server runs:
// httpapi.New over the schema and options of server.Wire, on a fresh
// migrated database of every dialect testdb offers, with a clock the test
// moves.

// start is the instant the test clock starts at (a fixed instant keeps the
// expected values exact).
var start = time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)

// testClock is a clock the test moves by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fastHasher is argon2id with the cheapest parameters: the same code path
// as production at a fraction of the cost (registrations stay cheap).
var fastHasher = password.Hasher{P: password.Params{MemoryKiB: 64, Passes: 1, Lanes: 1, SaltLen: 16, KeyLen: 32}}

// webhookSecret is BILLING_WEBHOOK_SECRET in the tests.
const webhookSecret = "whsec_test_3f1c9a"

// logBuffer collects the server's logs (written from many goroutines).
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// env is one server over one database.
type env struct {
	db    *db.DB
	srv   *httptest.Server
	clock *testClock
	logs  *logBuffer
}

// defaultConfig is the configuration of a server started without any
// setting, with the webhook secret set.
func defaultConfig(t *testing.T) config.Config {
	t.Helper()
	cfg, err := config.Load(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.BillingWebhookSecret = webhookSecret
	return cfg
}

// newEnv starts the production handler over a fresh database of dialect.
// change, when not nil, adjusts the configuration first.
func newEnv(t *testing.T, dialect string, change func(*config.Config)) *env {
	t.Helper()
	cfg := defaultConfig(t)
	if change != nil {
		change(&cfg)
	}
	e := &env{db: testdb.Open(t, dialect), clock: &testClock{t: start}, logs: &logBuffer{}}
	log := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h, err := server.Handler(cfg, e.db, e.clock.Now, log, server.WithPasswordHasher(fastHasher))
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		var warnings []string
		for _, line := range strings.Split(e.logs.String(), "\n") {
			if strings.Contains(line, `"level":"WARN"`) || strings.Contains(line, `"level":"ERROR"`) {
				warnings = append(warnings, line)
			}
		}
		if len(warnings) > 0 {
			t.Logf("server warnings and errors:\n%s", strings.Join(warnings, "\n"))
		}
	})
	return e
}

// system is a context that passes every privacy rule (direct database
// checks of the tests).
func system() context.Context { return app.AsSystem(context.Background()) }

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// response is an HTTP response of the API.
type response struct {
	Status int
	Header http.Header
	Raw    string
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

func (e *env) do(t *testing.T, req *http.Request) response {
	t.Helper()
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := response{Status: res.StatusCode, Header: res.Header, Raw: string(body)}
	if strings.Contains(res.Header.Get("Content-Type"), "json") {
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatalf("response is not JSON: %v\n%s", err, body)
		}
	}
	return r
}

// gql sends a GraphQL request with token as bearer ("" = anonymous).
func (e *env) gql(t *testing.T, token, query string, vars map[string]any) response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.do(t, req)
}

// ok sends a request that must succeed (200, no errors) and decodes its
// data into out (when not nil).
func (e *env) ok(t *testing.T, token, query string, vars map[string]any, out any) response {
	t.Helper()
	r := e.gql(t, token, query, vars)
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("want success, got %d: %s\nquery: %s\nvars: %v", r.Status, r.Raw, query, vars)
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			t.Fatalf("decoding %s: %v", r.Data, err)
		}
	}
	return r
}

// fails sends a request that must fail with exactly one error of code
// (and of field, when field is not ""); it returns the response.
func (e *env) fails(t *testing.T, token, query string, vars map[string]any, status int, code, field string) response {
	t.Helper()
	r := e.gql(t, token, query, vars)
	wantError(t, r, status, code, field)
	return r
}

// wantError checks that r is status with exactly one error of code and,
// when field is not "", extensions.field.
func wantError(t *testing.T, r response, status int, code, field string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("status = %d, want %d: %s", r.Status, status, r.Raw)
	}
	if len(r.Errors) != 1 {
		t.Fatalf("want exactly one error, got %d: %s", len(r.Errors), r.Raw)
	}
	ext := r.Errors[0].Extensions
	if ext["code"] != code {
		t.Errorf("extensions.code = %v, want %s: %s", ext["code"], code, r.Raw)
	}
	if field != "" && ext["field"] != field {
		t.Errorf("extensions.field = %v, want %s: %s", ext["field"], field, r.Raw)
	}
}

// get sends GET path with token as bearer.
func (e *env) get(t *testing.T, token, path string) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.do(t, req)
}

// account is a registered user as the tests know them.
type account struct {
	Email, Password, Token, UserID string
}

const registerMutation = `mutation($in: RegisterInput!) { register(input: $in) { token expiresAt user { id email } } }`

// register creates an account over the API.
func (e *env) register(t *testing.T, email, pw string) account {
	t.Helper()
	var out struct {
		Register struct {
			Token string
			User  struct{ ID, Email string }
		}
	}
	e.ok(t, "", registerMutation, map[string]any{"in": map[string]any{"email": email, "password": pw}}, &out)
	if out.Register.Token == "" || out.Register.User.ID == "" {
		t.Fatalf("register %s: no token or user id", email)
	}
	return account{Email: email, Password: pw, Token: out.Register.Token, UserID: out.Register.User.ID}
}

// webhook posts a billing event body with the signature header sig ("" =
// no header).
func (e *env) webhook(t *testing.T, body []byte, sig string) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/webhooks/billing", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set(app.SignatureHeader, sig)
	}
	return e.do(t, req)
}

// event is the JSON body of a billing event.
func event(id, typ, account string, created time.Time, periodEnd *time.Time) []byte {
	m := map[string]any{"id": id, "type": typ, "account": account, "created": created.Unix()}
	if periodEnd != nil {
		m["current_period_end"] = periodEnd.Unix()
	}
	b, _ := json.Marshal(m)
	return b
}

// signedEvent posts body signed with the test secret at the clock's now.
func (e *env) signedEvent(t *testing.T, body []byte) response {
	t.Helper()
	return e.webhook(t, body, app.SignBillingEvent([]byte(webhookSecret), e.clock.Now(), body))
}

// jsonEq reports whether two JSON texts hold the same value.
func jsonEq(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("not JSON: %s", a)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("not JSON: %s", b)
	}
	return reflect.DeepEqual(x, y)
}

// mustJSON marshals v.
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprint(err))
	}
	return string(b)
}
