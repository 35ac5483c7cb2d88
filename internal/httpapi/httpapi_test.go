package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"nutrigraph/ent/intercept"
	"nutrigraph/ent/privacy"
	"nutrigraph/graph"
	"nutrigraph/internal/db"
	"nutrigraph/internal/gid"
	"nutrigraph/internal/httpapi"
	"nutrigraph/internal/nutrition"
	"nutrigraph/internal/testdb"
)

// logBuffer collects the handler's logs; slog handlers write from many
// goroutines.
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

// apiEnv is the real handler over a migrated in-memory database, served by
// an httptest.Server. failFoods, when set, makes every query of the foods
// table run it first: an error (or panic) injected below the resolvers.
type apiEnv struct {
	srv       *httptest.Server
	db        *db.DB
	logs      *logBuffer
	failFoods atomic.Pointer[func() error]
}

func newEnv(t *testing.T, cfg httpapi.Config, opts ...httpapi.Option) *apiEnv {
	t.Helper()
	e := &apiEnv{db: testdb.Open(t, "sqlite3"), logs: &logBuffer{}}
	e.db.Client.Food.Intercept(intercept.Func(func(ctx context.Context, q intercept.Query) error {
		if f := e.failFoods.Load(); f != nil {
			return (*f)()
		}
		return nil
	}))
	log := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.srv = httptest.NewServer(httpapi.New(cfg, e.db, graph.NewSchema(e.db.Client), log, opts...))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *apiEnv) failWith(f func() error) { e.failFoods.Store(&f) }

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

type result struct {
	status int
	header http.Header
	raw    string
	resp   gqlResponse
}

func (e *apiEnv) do(t *testing.T, req *http.Request) result {
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
	r := result{status: res.StatusCode, header: res.Header, raw: string(body)}
	if strings.Contains(res.Header.Get("Content-Type"), "json") {
		if err := json.Unmarshal(body, &r.resp); err != nil {
			t.Fatalf("response is not JSON: %v\n%s", err, body)
		}
	}
	return r
}

// post sends a GraphQL request as POST application/json.
func (e *apiEnv) post(t *testing.T, query string, vars map[string]any) result {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return e.do(t, req)
}

func (e *apiEnv) get(t *testing.T, path string) result {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	return e.do(t, req)
}

// onlyError returns the single error of r, failing the test otherwise.
func onlyError(t *testing.T, r result) gqlError {
	t.Helper()
	if len(r.resp.Errors) != 1 {
		t.Fatalf("want exactly one error, got status %d: %s", r.status, r.raw)
	}
	return r.resp.Errors[0]
}

func wantCode(t *testing.T, r result, status int, code string) gqlError {
	t.Helper()
	if r.status != status {
		t.Errorf("status = %d, want %d: %s", r.status, status, r.raw)
	}
	e := onlyError(t, r)
	if e.Extensions["code"] != code {
		t.Errorf("extensions.code = %v, want %s: %s", e.Extensions["code"], code, r.raw)
	}
	return e
}

func TestHealthAndReadiness(t *testing.T) {
	e := newEnv(t, httpapi.Config{})
	if r := e.get(t, "/healthz"); r.status != http.StatusOK {
		t.Fatalf("/healthz = %d %s", r.status, r.raw)
	}
	if r := e.get(t, "/readyz"); r.status != http.StatusOK {
		t.Fatalf("/readyz = %d %s", r.status, r.raw)
	}
	if err := e.db.Close(); err != nil {
		t.Fatal(err)
	}
	if r := e.get(t, "/readyz"); r.status != http.StatusServiceUnavailable {
		t.Fatalf("/readyz with the database closed = %d %s, want 503", r.status, r.raw)
	} else if strings.Contains(r.raw, "closed") {
		t.Errorf("/readyz leaks the database error: %s", r.raw)
	}
	if r := e.get(t, "/healthz"); r.status != http.StatusOK {
		t.Fatalf("/healthz must not depend on the database, got %d", r.status)
	}
}

// hangingPinger is a database that never answers.
type hangingPinger struct{}

func (hangingPinger) Ping(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }

func TestReadinessTimesOut(t *testing.T) {
	srv := httptest.NewServer(httpapi.New(httpapi.Config{ReadyTimeout: 50 * time.Millisecond}, hangingPinger{},
		graph.NewSchema(testdb.Open(t, "sqlite3").Client), nil))
	defer srv.Close()
	start := time.Now()
	res, err := http.Get(srv.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || time.Since(start) > 5*time.Second {
		t.Fatalf("/readyz = %d after %v, want a quick 503", res.StatusCode, time.Since(start))
	}
}

func TestRequestID(t *testing.T) {
	e := newEnv(t, httpapi.Config{})
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/healthz", nil)
	req.Header.Set("X-Request-Id", "client-abc.123")
	if got := e.do(t, req).header.Get("X-Request-Id"); got != "client-abc.123" {
		t.Errorf("sane incoming id not echoed: %q", got)
	}
	req, _ = http.NewRequest(http.MethodGet, e.srv.URL+"/healthz", nil)
	req.Header.Set("X-Request-Id", "evil\" injected=1 "+strings.Repeat("x", 200))
	got := e.do(t, req).header.Get("X-Request-Id")
	if got == "" || strings.ContainsAny(got, "\" =") {
		t.Errorf("insane incoming id kept: %q", got)
	}
	r1, r2 := e.get(t, "/healthz"), e.get(t, "/healthz")
	id1, id2 := r1.header.Get("X-Request-Id"), r2.header.Get("X-Request-Id")
	if id1 == "" || id1 == id2 {
		t.Errorf("generated ids %q, %q: want distinct, non-empty", id1, id2)
	}
	if !strings.Contains(e.logs.String(), `"request_id":"client-abc.123"`) {
		t.Errorf("access log lacks the request id:\n%s", e.logs)
	}
}

func TestAccessLogNeverLogsSecrets(t *testing.T) {
	e := newEnv(t, httpapi.Config{})
	body := `{"query":"{ __typename }","variables":{"password":"hunter2-in-body"}}`
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql?token=qs-secret", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer tok-secret-123")
	req.Header.Set("X-Request-Id", "log-test")
	if r := e.do(t, req); r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	logs := e.logs.String()
	var line map[string]any
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, `"log-test"`) && strings.Contains(l, "http request") {
			_ = json.Unmarshal([]byte(l), &line)
		}
	}
	if line == nil {
		t.Fatalf("no access log line:\n%s", logs)
	}
	for k, want := range map[string]any{"method": "POST", "path": "/graphql", "status": float64(200)} {
		if line[k] != want {
			t.Errorf("access log %s = %v, want %v", k, line[k], want)
		}
	}
	if _, ok := line["duration_ms"]; !ok {
		t.Error("access log lacks duration_ms")
	}
	for _, secret := range []string{"tok-secret-123", "hunter2-in-body", "qs-secret", "Authorization"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log contains %q:\n%s", secret, logs)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	e := newEnv(t, httpapi.Config{MaxBodyBytes: 1024})
	big := `{"query":"{ __typename }","variables":{"pad":"` + strings.Repeat("x", 4096) + `"}}`

	// With a Content-Length.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", strings.NewReader(big))
	req.Header.Set("Content-Type", "application/json")
	wantCode(t, e.do(t, req), http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE")

	// Chunked, no Content-Length: the limit is found while reading.
	req, _ = http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", io.MultiReader(strings.NewReader(big)))
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = -1
	wantCode(t, e.do(t, req), http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE")

	// Under the limit is fine.
	if r := e.post(t, "{ __typename }", nil); r.status != http.StatusOK || string(r.resp.Data) != `{"__typename":"Query"}` {
		t.Fatalf("small request: %d %s", r.status, r.raw)
	}
}

func TestMethodsAndMediaTypes(t *testing.T) {
	e := newEnv(t, httpapi.Config{})

	// A query over GET works.
	r := e.get(t, "/graphql?query="+url.QueryEscape("{ __typename }"))
	if r.status != http.StatusOK || string(r.resp.Data) != `{"__typename":"Query"}` {
		t.Fatalf("GET query: %d %s", r.status, r.raw)
	}

	// A mutation over GET is refused with 405 (GraphQL over HTTP).
	for _, q := range []string{
		`mutation { doSomething }`,
		`query A { __typename } mutation B { doSomething }`,
	} {
		u := e.srv.URL + "/graphql?query=" + url.QueryEscape(q)
		if strings.Contains(q, "B") {
			u += "&operationName=B"
		}
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		r := e.do(t, req)
		wantCode(t, r, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED")
		if r.header.Get("Allow") != "POST" {
			t.Errorf("Allow = %q, want POST", r.header.Get("Allow"))
		}
	}

	// Other methods.
	req, _ := http.NewRequest(http.MethodPut, e.srv.URL+"/graphql", strings.NewReader("{}"))
	r = e.do(t, req)
	wantCode(t, r, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED")
	if allow := r.header.Get("Allow"); allow != "GET, POST" {
		t.Errorf("Allow = %q", allow)
	}

	// POST must be JSON.
	req, _ = http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", strings.NewReader("{ __typename }"))
	req.Header.Set("Content-Type", "text/plain")
	wantCode(t, e.do(t, req), http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE")
}

func TestParseAndValidationErrorsKeepTheirCodes(t *testing.T) {
	e := newEnv(t, httpapi.Config{})
	wantCode(t, e.post(t, "{ __typename ", nil), http.StatusUnprocessableEntity, "GRAPHQL_PARSE_FAILED")
	r := e.post(t, "{ nope }", nil)
	if r.status != http.StatusUnprocessableEntity || len(r.resp.Errors) == 0 ||
		r.resp.Errors[0].Extensions["code"] != "GRAPHQL_VALIDATION_FAILED" {
		t.Fatalf("validation failure: %d %s", r.status, r.raw)
	}
}

func TestTokenLimit(t *testing.T) {
	e := newEnv(t, httpapi.Config{MaxTokens: 50})
	q := "{ " + strings.Repeat("__typename ", 100) + "}"
	r := e.post(t, q, nil)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.raw, "token limit") {
		t.Fatalf("token limit: %d %s", r.status, r.raw)
	}
}

func TestDepthLimit(t *testing.T) {
	e := newEnv(t, httpapi.Config{MaxDepth: 4})
	ok := `{ foods(first: 1) { edges { node { id } } } }` // depth 4
	if r := e.post(t, ok, nil); r.status != http.StatusOK || len(r.resp.Errors) > 0 {
		t.Fatalf("depth 4: %d %s", r.status, r.raw)
	}
	deep := `{ foods(first: 1) { edges { node { portions { id } } } } }` // depth 5
	wantCode(t, e.post(t, deep, nil), http.StatusUnprocessableEntity, httpapi.CodeDepthLimit)

	// Through fragments too.
	frag := `{ foods(first: 1) { ...F } } fragment F on FoodConnection { edges { node { portions { id } } } }`
	wantCode(t, e.post(t, frag, nil), http.StatusUnprocessableEntity, httpapi.CodeDepthLimit)

	// With Accept: application/graphql-response+json, a request error is 400.
	body, _ := json.Marshal(map[string]any{"query": deep})
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json")
	wantCode(t, e.do(t, req), http.StatusBadRequest, httpapi.CodeDepthLimit)
}

func TestComplexityLimit(t *testing.T) {
	e := newEnv(t, httpapi.Config{MaxComplexity: 200})
	// 1 + 10 × (edges 1 + node 1 + id 1 + name 1) = 41.
	if r := e.post(t, `{ foods(first: 10) { edges { node { id name } } } }`, nil); r.status != http.StatusOK || len(r.resp.Errors) > 0 {
		t.Fatalf("cheap query refused: %d %s", r.status, r.raw)
	}
	// 1 + 100 × 4 = 401: connections weigh by their page size.
	r := e.post(t, `{ foods(first: 100) { edges { node { id name } } } }`, nil)
	wantCode(t, r, http.StatusUnprocessableEntity, httpapi.CodeComplexityLimit)
	// The page size may come from a variable.
	r = e.post(t, `query($n: Int) { foods(last: $n) { edges { node { id name } } } }`, map[string]any{"n": 100})
	wantCode(t, r, http.StatusUnprocessableEntity, httpapi.CodeComplexityLimit)
	// Many plain fields.
	r = e.post(t, "{ "+strings.Repeat("__typename ", 201)+"}", nil)
	wantCode(t, r, http.StatusUnprocessableEntity, httpapi.CodeComplexityLimit)
}

// A document whose fragments spread each other twice expands to 2^40
// fields. It must be refused quickly, without walking the expansion.
func TestComplexityOfExponentialFragments(t *testing.T) {
	e := newEnv(t, httpapi.Config{MaxComplexity: 1000, MaxTokens: 100000})
	var b strings.Builder
	b.WriteString("{ ...F0 }\n")
	const n = 40
	for i := range n {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Query { __typename }\n", n)
	start := time.Now()
	r := e.post(t, b.String(), nil)
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Errorf("took %v", elapsed)
	}
	wantCode(t, r, http.StatusUnprocessableEntity, httpapi.CodeComplexityLimit)
}

func TestPageSizePolicy(t *testing.T) {
	e := newEnv(t, httpapi.Config{})
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		field       string // "" → accepted
	}{
		{"too large", `{ foods(first: 1000) { edges { node { id } } } }`, nil, "foods.first"},
		{"too large last", `{ foods(last: 101) { totalCount } }`, nil, "foods.last"},
		{"negative", `{ foods(first: -1) { edges { node { id } } } }`, nil, "foods.first"},
		{"missing", `{ foods { edges { node { id } } } }`, nil, "foods.first"},
		{"missing, pageInfo", `{ foods { pageInfo { hasNextPage } } }`, nil, "foods.first"},
		{"missing, alias", `{ f: foods { edges { cursor } } }`, nil, "f.first"},
		{"missing, fragment", `{ foods { ...C } } fragment C on FoodConnection { edges { node { id } } }`, nil, "foods.first"},
		{"missing, inline fragment", `{ foods { ... on FoodConnection { pageInfo { endCursor } } } }`, nil, "foods.first"},
		{"variable too large", `query($n: Int) { foods(first: $n) { edges { node { id } } } }`, map[string]any{"n": 1000}, "foods.first"},
		{"both first and last", `{ foods(first: 5, last: 5) { edges { node { id } } } }`, nil, "foods.last"},
		{"variable null", `query($n: Int) { foods(first: $n) { edges { node { id } } } }`, map[string]any{"n": nil}, "foods.first"},
		{"nested connection", `{ targets(first: 5) { edges { node { snapshots { edges { node { id } } } } } } }`, nil, "targets.edges.node.snapshots.first"},

		{"totalCount only", `{ foods { totalCount } }`, nil, ""},
		{"first 100", `{ foods(first: 100) { edges { node { id } } } }`, nil, ""},
		{"last", `{ foods(last: 5) { pageInfo { hasPreviousPage } } }`, nil, ""},
		{"variable", `query($n: Int) { foods(first: $n) { edges { node { id } } } }`, map[string]any{"n": 20}, ""},
		{"nested ok", `{ targets(first: 5) { edges { node { snapshots(first: 3) { totalCount edges { node { id } } } } } } }`, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.post(t, tc.query, tc.vars)
			if tc.field == "" {
				// Accepted: it ran. (Owned types answer UNAUTHENTICATED to
				// an anonymous request; that is the resolvers' business.)
				if r.status != http.StatusOK {
					t.Fatalf("refused: %d %s", r.status, r.raw)
				}
				for _, e := range r.resp.Errors {
					if e.Extensions["code"] == "BAD_USER_INPUT" {
						t.Fatalf("refused: %s", r.raw)
					}
				}
				return
			}
			ge := wantCode(t, r, http.StatusUnprocessableEntity, "BAD_USER_INPUT")
			if ge.Extensions["field"] != tc.field {
				t.Errorf("extensions.field = %v, want %s", ge.Extensions["field"], tc.field)
			}
		})
	}
}

func TestErrorPresenter(t *testing.T) {
	e := newEnv(t, httpapi.Config{})
	const foods = `{ foods(first: 1) { edges { node { id } } } }`

	t.Run("internal error is masked and logged", func(t *testing.T) {
		e.failWith(func() error {
			return fmt.Errorf("store: list foods: %w", errors.New(`pq: relation "foods" does not exist`))
		})
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", strings.NewReader(`{"query":"`+foods+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Request-Id", "masked-1")
		r := e.do(t, req)
		ge := wantCode(t, r, http.StatusOK, "INTERNAL")
		if ge.Message != "internal error" {
			t.Errorf("message = %q", ge.Message)
		}
		for _, leak := range []string{"pq:", "relation", "store:", "foods\\\" does"} {
			if strings.Contains(r.raw, leak) {
				t.Errorf("response leaks %q: %s", leak, r.raw)
			}
		}
		logs := e.logs.String()
		if !strings.Contains(logs, `pq: relation`) || !strings.Contains(logs, `"request_id":"masked-1"`) {
			t.Errorf("the real error is not logged with the request id:\n%s", logs)
		}
	})

	t.Run("domain error keeps code, field and message", func(t *testing.T) {
		e.failWith(func() error {
			return fmt.Errorf("wrapped: %w", nutrition.Invalid("where.name", "name is too long"))
		})
		ge := wantCode(t, e.post(t, foods, nil), http.StatusOK, "BAD_USER_INPUT")
		if ge.Message != "name is too long" || ge.Extensions["field"] != "where.name" {
			t.Errorf("got %+v", ge)
		}
		e.failWith(func() error { return nutrition.Errorf(nutrition.CodePlanLimit, "the free plan allows 30 foods") })
		ge = wantCode(t, e.post(t, foods, nil), http.StatusOK, "PLAN_LIMIT")
		if _, ok := ge.Extensions["field"]; ok || ge.Message != "the free plan allows 30 foods" {
			t.Errorf("got %+v", ge)
		}
	})

	t.Run("domain INTERNAL is masked", func(t *testing.T) {
		e.failWith(func() error {
			return &nutrition.Error{Code: nutrition.CodeInternal, Message: "disk full at /var/db", Err: errors.New("ENOSPC")}
		})
		ge := wantCode(t, e.post(t, foods, nil), http.StatusOK, "INTERNAL")
		if ge.Message != "internal error" {
			t.Errorf("message = %q", ge.Message)
		}
	})

	t.Run("privacy denial is not found", func(t *testing.T) {
		e.failWith(func() error { return privacy.Denyf("food belongs to another user") })
		ge := wantCode(t, e.post(t, foods, nil), http.StatusOK, "NOT_FOUND")
		if ge.Message != "not found" {
			t.Errorf("message = %q", ge.Message)
		}
	})

	t.Run("resolver panic is INTERNAL", func(t *testing.T) {
		e.failWith(func() error { panic("boom: secret state") })
		r := e.post(t, foods, nil)
		ge := wantCode(t, r, http.StatusOK, "INTERNAL")
		if strings.Contains(r.raw, "boom") || ge.Message != "internal error" {
			t.Errorf("panic leaks: %s", r.raw)
		}
		if !strings.Contains(e.logs.String(), "boom: secret state") {
			t.Error("panic not logged")
		}
	})
	e.failWith(func() error { return nil })

	t.Run("ent not found", func(t *testing.T) {
		r := e.post(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": gid.New(gid.Food).String()})
		ge := wantCode(t, r, http.StatusOK, "NOT_FOUND")
		if ge.Message != "not found" {
			t.Errorf("message = %q", ge.Message)
		}
	})

	t.Run("argument that does not parse", func(t *testing.T) {
		r := e.post(t, `{ node(id: "not-a-uuid") { id } }`, nil)
		ge := wantCode(t, r, http.StatusOK, "BAD_USER_INPUT")
		if ge.Extensions["field"] != "id" {
			t.Errorf("extensions.field = %v, want id: %s", ge.Extensions["field"], r.raw)
		}
	})
}

func TestRequestTimeout(t *testing.T) {
	var sawDeadline atomic.Bool
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			sawDeadline.Store(errors.Is(r.Context().Err(), context.DeadlineExceeded))
			http.Error(w, "timeout", http.StatusServiceUnavailable)
		case <-time.After(5 * time.Second):
		}
	})
	e := newEnv(t, httpapi.Config{RequestTimeout: 50 * time.Millisecond}, httpapi.WithRoute("GET /slow", slow))
	start := time.Now()
	r := e.get(t, "/slow")
	if r.status != http.StatusServiceUnavailable || !sawDeadline.Load() || time.Since(start) > 3*time.Second {
		t.Fatalf("status %d, deadline %v, after %v", r.status, sawDeadline.Load(), time.Since(start))
	}

	// A resolver that runs out of time answers TIMEOUT, not INTERNAL.
	e.failWith(func() error { time.Sleep(100 * time.Millisecond); return context.DeadlineExceeded })
	wantCode(t, e.post(t, `{ foods(first: 1) { totalCount } }`, nil), http.StatusOK, httpapi.CodeTimeout)
}

func TestPanicRecoveryAndRoutes(t *testing.T) {
	var (
		mu    sync.Mutex
		order []string
	)
	ran := func() string {
		mu.Lock()
		defer mu.Unlock()
		s := strings.Join(order, ",")
		order = nil
		return s
	}
	mw := func(name string) func(http.Handler) http.Handler {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				order = append(order, name)
				mu.Unlock()
				next.ServeHTTP(w, r)
			})
		}
	}
	e := newEnv(t, httpapi.Config{},
		httpapi.WithRoute("GET /boom", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("kaboom") })),
		httpapi.WithAPIRoute("GET /export/test", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "id="+httpapi.RequestID(r.Context()))
		})),
		httpapi.WithAPIMiddleware(mw("auth")),
		httpapi.WithAPIMiddleware(mw("second")),
	)
	r := e.get(t, "/boom")
	wantCode(t, r, http.StatusInternalServerError, "INTERNAL")
	if strings.Contains(r.raw, "kaboom") {
		t.Errorf("panic value leaked: %s", r.raw)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "kaboom") || !strings.Contains(logs, `"status":500`) {
		t.Errorf("panic or its 500 not logged:\n%s", logs)
	}
	if o := ran(); o != "" {
		t.Errorf("API middleware ran for a public route: %v", o)
	}

	r = e.get(t, "/export/test")
	if r.status != http.StatusOK || r.raw != "id="+r.header.Get("X-Request-Id") {
		t.Errorf("API route: %d %q", r.status, r.raw)
	}
	if o := ran(); o != "auth,second" {
		t.Errorf("API middleware order = %v", o)
	}
	e.post(t, "{ __typename }", nil)
	if o := ran(); o != "auth,second" {
		t.Errorf("API middleware not in front of /graphql: %v", o)
	}
	if r := e.get(t, "/nope"); r.status != http.StatusNotFound {
		t.Errorf("unknown path: %d", r.status)
	}
}

func TestIntrospectionAndGraphiQL(t *testing.T) {
	const introspect = `{ __schema { types { name } } }`

	on := newEnv(t, httpapi.Config{GraphiQL: true, Introspection: true})
	if r := on.post(t, introspect, nil); r.status != http.StatusOK || len(r.resp.Errors) > 0 || !strings.Contains(r.raw, `"Food"`) {
		t.Fatalf("introspection on: %d %.300s", r.status, r.raw)
	}
	page := on.get(t, "/")
	if page.status != http.StatusOK || !strings.Contains(page.raw, "/graphiql/graphiql.min.js") ||
		!strings.Contains(page.header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("GraphiQL page: %d %v %.200s", page.status, page.header, page.raw)
	}
	for _, asset := range []string{"graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js", "init.js"} {
		// The default transport asks for gzip and decompresses transparently.
		r := on.get(t, "/graphiql/"+asset)
		if r.status != http.StatusOK || len(r.raw) < 100 {
			t.Errorf("%s: %d, %d bytes", asset, r.status, len(r.raw))
		}
	}
	// Sent compressed to a client that accepts gzip, plain to one that does not.
	req, _ := http.NewRequest(http.MethodGet, on.srv.URL+"/graphiql/react.production.min.js", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := on.srv.Client().Transport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("Content-Encoding = %q", res.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	gz, _ := io.ReadAll(zr)
	res.Body.Close()
	req.Header.Set("Accept-Encoding", "identity")
	res, err = on.srv.Client().Transport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.Header.Get("Content-Encoding") != "" || !bytes.Equal(gz, plain) || !bytes.Contains(plain, []byte("React")) {
		t.Errorf("plain and gzip bodies differ or are not React (%d vs %d bytes)", len(plain), len(gz))
	}
	if r := on.get(t, "/graphiql/../graphiql/index.html"); r.status != http.StatusNotFound && r.status != http.StatusMovedPermanently {
		t.Errorf("non-asset served: %d", r.status)
	}

	off := newEnv(t, httpapi.Config{})
	r := off.post(t, introspect, nil)
	if len(r.resp.Errors) == 0 || strings.Contains(r.raw, `"Food"`) {
		t.Fatalf("introspection off still answers: %.300s", r.raw)
	}
	if r := off.post(t, `{ __typename }`, nil); r.status != http.StatusOK || len(r.resp.Errors) > 0 {
		t.Errorf("__typename must work without introspection: %s", r.raw)
	}
	if r := off.get(t, "/"); r.status != http.StatusNotFound {
		t.Errorf("GraphiQL off: / = %d", r.status)
	}
}
