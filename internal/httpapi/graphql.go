package httpapi

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// Error codes of requests refused before execution. Like gqlgen's parse and
// validation failures they are request errors: HTTP 422 for
// application/json responses, 400 for application/graphql-response+json.
const (
	// CodeComplexityLimit is gqlgen's code for a query over QUERY_MAX_COMPLEXITY.
	CodeComplexityLimit = "COMPLEXITY_LIMIT_EXCEEDED"
	// CodeDepthLimit is the code for a query nested deeper than QUERY_MAX_DEPTH.
	CodeDepthLimit = "DEPTH_LIMIT_EXCEEDED"
	// CodeBadUserInput is the code for invalid input, e.g. a missing or too
	// large page size (extensions.field names the argument).
	CodeBadUserInput = "BAD_USER_INPUT"
)

func init() {
	// gqlgen registers only its parse and validation codes as protocol
	// errors; without this a refused query would be answered 200.
	// These kinds only matter for errors raised before execution (the
	// transports consult them there); resolver errors are always 200.
	errcode.RegisterErrorType(CodeComplexityLimit, errcode.KindProtocol)
	errcode.RegisterErrorType(CodeDepthLimit, errcode.KindProtocol)
	errcode.RegisterErrorType(CodeBadUserInput, errcode.KindProtocol)
}

// newGraphQLServer builds the gqlgen server: explicit transports (POST, GET),
// a parsed-query cache, the parser token limit, depth/page-size/complexity
// limits, introspection per configuration, and the error presenter.
func newGraphQLServer(cfg Config, schema graphql.ExecutableSchema, log *slog.Logger) (*handler.Server, *lru.LRU[*ast.QueryDocument]) {
	schema = weighConnections(schema)
	srv := handler.New(schema)
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})

	cache := lru.New[*ast.QueryDocument](cfg.QueryCacheSize)
	srv.SetQueryCache(cache)
	srv.SetParserTokenLimit(cfg.MaxTokens)
	if !cfg.Introspection {
		// "Did you mean …?" would reveal the schema that introspection hides.
		srv.SetDisableSuggestion(true)
	}

	srv.Use(&queryLimits{maxDepth: cfg.MaxDepth, maxComplexity: cfg.MaxComplexity})
	srv.Use(extension.FixedComplexityLimit(cfg.MaxComplexity))
	if cfg.Introspection {
		srv.Use(extension.Introspection{})
	}

	p := presenter{log: log}
	srv.SetErrorPresenter(p.present)
	srv.SetRecoverFunc(p.recover)
	return srv, cache
}

// newGraphQLHandler wraps the gqlgen server with what it does not do itself:
// 405 for other methods and for mutations over GET (GraphQL-over-HTTP), 415
// for POST bodies that are not JSON, 413 for bodies over the limit.
func newGraphQLHandler(cfg Config, schema graphql.ExecutableSchema, log *slog.Logger) http.Handler {
	srv, cache := newGraphQLServer(cfg, schema, log)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		switch r.Method {
		case http.MethodGet:
			if op := getOperation(r, cache, cfg.MaxTokens); op != ast.Query && op != "" {
				w.Header().Set("Allow", "POST")
				writeError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED",
					"a "+string(op)+" must be sent with POST")
				return
			}
		case http.MethodPost:
			mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if mediaType != "application/json" {
				writeError(w, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
					"send the request as application/json")
				return
			}
			if r.ContentLength > cfg.MaxBodyBytes {
				tooLarge(w, cfg.MaxBodyBytes)
				return
			}
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, cfg.MaxBodyBytes))
			if err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					tooLarge(w, cfg.MaxBodyBytes)
					return
				}
				writeError(w, http.StatusBadRequest, "BAD_REQUEST", "the request body could not be read")
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		default:
			w.Header().Set("Allow", "GET, POST")
			writeError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "use GET (queries) or POST")
			return
		}
		srv.ServeHTTP(w, r)
	})
}

func tooLarge(w http.ResponseWriter, limit int64) {
	// The rest of an oversized body is not read: close the connection.
	w.Header().Set("Connection", "close")
	writeError(w, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE",
		"the request body is larger than the limit of "+formatBytes(limit))
}

func formatBytes(n int64) string {
	const unit = 1024
	switch {
	case n >= unit*unit && n%(unit*unit) == 0:
		return strconv.FormatInt(n/(unit*unit), 10) + " MiB"
	case n >= unit && n%unit == 0:
		return strconv.FormatInt(n/unit, 10) + " KiB"
	default:
		return strconv.FormatInt(n, 10) + " bytes"
	}
}

// getOperation returns the type of the operation a GET request asks for, or
// "" when it cannot tell (gqlgen then reports the problem as usual).
func getOperation(r *http.Request, cache graphql.Cache[*ast.QueryDocument], maxTokens int) ast.Operation {
	q := r.URL.Query()
	query := q.Get("query")
	if query == "" {
		return ""
	}
	doc, ok := cache.Get(r.Context(), query)
	if !ok {
		var err error
		if doc, err = parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, maxTokens); err != nil {
			return ""
		}
	}
	op := doc.Operations.ForName(q.Get("operationName"))
	if op == nil {
		return ""
	}
	return op.Operation
}
