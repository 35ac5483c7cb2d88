// Package api holds the HTTP endpoints of nutrigraph besides GraphQL — the
// billing webhook and the CSV export — and the authentication middleware
// that puts the viewer of a bearer token in the request context.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"nutrigraph/internal/app"
	"nutrigraph/internal/nutrition"
)

// Authenticator resolves bearer tokens; *app.Accounts is one.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (app.Viewer, error)
}

// Authenticate is the middleware of the API routes: it puts the client IP
// in the context, and the viewer when the request has a valid
// `Authorization: Bearer <token>`. A request without a token goes on
// anonymously (registration, login and the public food catalogue need
// none); a request with an invalid, expired or revoked token is answered
// 401 with code UNAUTHENTICATED. It also turns a rate-limited response
// (see NoteRetryAfter) into 429 with a Retry-After header.
func Authenticate(auth Authenticator) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := app.WithClientIP(r.Context(), clientIP(r))
			if h := r.Header.Get("Authorization"); h != "" {
				scheme, token, ok := strings.Cut(h, " ")
				if !ok || !strings.EqualFold(scheme, "Bearer") {
					writeError(w, http.StatusUnauthorized, nutrition.CodeUnauthenticated, "use Authorization: Bearer <token>")
					return
				}
				v, err := auth.Authenticate(ctx, strings.TrimSpace(token))
				if err != nil {
					if nutrition.CodeOf(err) == nutrition.CodeUnauthenticated {
						w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
						writeError(w, http.StatusUnauthorized, nutrition.CodeUnauthenticated, nutrition.MessageOf(err))
						return
					}
					writeError(w, http.StatusServiceUnavailable, nutrition.CodeInternal, "authentication is unavailable")
					return
				}
				ctx = app.WithViewer(ctx, v)
			}
			holder := &retryHolder{}
			ctx = context.WithValue(ctx, retryKey{}, holder)
			next.ServeHTTP(&limitWriter{ResponseWriter: w, holder: holder}, r.WithContext(ctx))
		})
	}
}

// clientIP is the address the request comes from (the direct peer: a proxy
// in front must be trusted explicitly, which this server does not do).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type retryKey struct{}

type retryHolder struct {
	mu    sync.Mutex
	after time.Duration
}

// NoteRetryAfter records, for the response of the request in ctx, that an
// operation was rate limited: the response becomes 429 with Retry-After.
func NoteRetryAfter(ctx context.Context, err error) {
	var rl *app.RateLimitError
	h, ok := ctx.Value(retryKey{}).(*retryHolder)
	if !ok || !errors.As(err, &rl) {
		return
	}
	h.mu.Lock()
	h.after = max(h.after, rl.RetryAfter)
	h.mu.Unlock()
}

// limitWriter answers 429 instead of 200 when the request was rate limited.
type limitWriter struct {
	http.ResponseWriter
	holder *retryHolder
	wrote  bool
}

func (w *limitWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		w.holder.mu.Lock()
		after := w.holder.after
		w.holder.mu.Unlock()
		if after > 0 && code == http.StatusOK {
			secs := int((after + time.Second - 1) / time.Second)
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			code = http.StatusTooManyRequests
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *limitWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets streaming responses through.
func (w *limitWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap exposes the underlying writer to http.ResponseController.
func (w *limitWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// writeError answers a GraphQL-shaped error body.
func writeError(w http.ResponseWriter, status int, code nutrition.ErrorCode, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	writeJSON(w, map[string]any{
		"errors": []any{map[string]any{"message": msg, "extensions": map[string]any{"code": code}}},
	})
}

// writeJSON writes v; the status is already sent, so an error has no one to go to.
func writeJSON(w http.ResponseWriter, v any) { _ = json.NewEncoder(w).Encode(v) }
