// Package httpapi is the HTTP interface of nutrigraph: the GraphQL endpoint,
// GraphiQL, health checks, and the middleware every request goes through
// (request id, access log, panic recovery, timeout, body limit).
//
// Routes:
//
//	POST /graphql, GET /graphql   GraphQL over HTTP (GET: queries only; a mutation gets 405)
//	GET  /                        GraphiQL (when enabled)
//	GET  /graphiql/…              GraphiQL's assets, embedded in the binary
//	GET  /healthz                 the process is alive (no database access)
//	GET  /readyz                  the database answers a ping (503 when it does not)
//
// More routes are added with WithRoute (public, e.g. POST /webhooks/billing)
// and WithAPIRoute (behind the API middleware, e.g. GET /export/entries.csv);
// WithAPIMiddleware adds middleware such as authentication, which puts the
// viewer in the request context, in front of /graphql and the API routes.
package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// Config holds the settings of the HTTP handler. Zero values take the
// defaults noted on each field.
type Config struct {
	// GraphiQL serves the GraphiQL IDE at /.
	GraphiQL bool
	// Introspection answers __schema and __type queries.
	Introspection bool
	// RequestTimeout is the deadline of each request's context (default 30s).
	RequestTimeout time.Duration
	// MaxBodyBytes is the largest request body accepted; larger → 413 (default 1 MiB).
	MaxBodyBytes int64
	// MaxComplexity is the largest query complexity (default 20000).
	MaxComplexity int
	// MaxDepth is the deepest field nesting of a query (default 15).
	MaxDepth int
	// MaxTokens is the most tokens the parser reads in one query (default 10000).
	MaxTokens int
	// ReadyTimeout bounds the database ping of /readyz (default 2s).
	ReadyTimeout time.Duration
	// QueryCacheSize is the number of parsed and validated queries kept (default 1000).
	QueryCacheSize int
}

func (c Config) withDefaults() Config {
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 30 * time.Second
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.MaxComplexity <= 0 {
		c.MaxComplexity = 20000
	}
	if c.MaxDepth <= 0 {
		c.MaxDepth = 15
	}
	if c.MaxTokens <= 0 {
		c.MaxTokens = 10000
	}
	if c.ReadyTimeout <= 0 {
		c.ReadyTimeout = 2 * time.Second
	}
	if c.QueryCacheSize <= 0 {
		c.QueryCacheSize = 1000
	}
	return c
}

// Pinger is the database as /readyz sees it; *db.DB is one.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Option adds routes or middleware to the handler built by New.
type Option func(*options)

type route struct {
	pattern string
	handler http.Handler
}

type options struct {
	routes    []route
	apiRoutes []route
	apiMW     []func(http.Handler) http.Handler
}

// WithRoute adds a public route (a net/http ServeMux pattern such as
// "POST /webhooks/billing"). It gets the common middleware — request id,
// access log, panic recovery, timeout, body limit — but not the API
// middleware: a webhook authenticates itself (signature), not with a session.
func WithRoute(pattern string, h http.Handler) Option {
	return func(o *options) { o.routes = append(o.routes, route{pattern, h}) }
}

// WithAPIRoute adds a route served like /graphql: behind the common and the
// API middleware (e.g. "GET /export/entries.csv", which needs the viewer).
func WithAPIRoute(pattern string, h http.Handler) Option {
	return func(o *options) { o.apiRoutes = append(o.apiRoutes, route{pattern, h}) }
}

// WithAPIMiddleware adds middleware in front of /graphql and the API routes,
// inside the common middleware (so it sees the request id and its failures
// are logged). The authentication middleware that puts the viewer in the
// context goes here. Middleware added first runs first.
func WithAPIMiddleware(mw func(http.Handler) http.Handler) Option {
	return func(o *options) { o.apiMW = append(o.apiMW, mw) }
}

// New returns the HTTP handler of the API: GraphQL over schema, GraphiQL,
// health checks, plus whatever the options add. log receives the access log
// and every internal error (with its request id).
func New(cfg Config, db Pinger, schema graphql.ExecutableSchema, log *slog.Logger, opts ...Option) http.Handler {
	cfg = cfg.withDefaults()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	api := func(h http.Handler) http.Handler {
		for i := len(o.apiMW) - 1; i >= 0; i-- {
			h = o.apiMW[i](h)
		}
		return h
	}

	mux := http.NewServeMux()
	mux.Handle("/graphql", api(newGraphQLHandler(cfg, schema, log)))
	mux.Handle("GET /healthz", http.HandlerFunc(healthz))
	mux.Handle("GET /readyz", readyz(db, cfg.ReadyTimeout, log))
	if cfg.GraphiQL {
		mux.Handle("GET /{$}", http.HandlerFunc(graphiqlPage))
		mux.Handle("GET /graphiql/", http.HandlerFunc(graphiqlAsset))
	}
	for _, r := range o.apiRoutes {
		mux.Handle(r.pattern, api(r.handler))
	}
	for _, r := range o.routes {
		mux.Handle(r.pattern, r.handler)
	}

	// Outermost first: every request gets an id, is logged with its final
	// status, has panics turned into 500s, a deadline and a body limit.
	var h http.Handler = mux
	h = limitBody(cfg.MaxBodyBytes, h)
	h = timeout(cfg.RequestTimeout, h)
	h = recoverPanics(log, h)
	h = accessLog(log, h)
	h = requestID(h)
	return h
}

func healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func readyz(db Pinger, timeout time.Duration, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		if db == nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
		if err := db.Ping(ctx); err != nil {
			log.WarnContext(r.Context(), "readyz: database does not answer",
				"request_id", RequestID(r.Context()), "error", err.Error())
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers with a GraphQL-shaped error body, for failures that
// happen before a request reaches the GraphQL executor.
func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{
		"errors": []map[string]any{{
			"message":    message,
			"extensions": map[string]any{"code": code},
		}},
	})
}
