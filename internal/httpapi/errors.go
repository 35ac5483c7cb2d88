package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"nutrigraph/ent"
	"nutrigraph/ent/privacy"
	"nutrigraph/internal/nutrition"
	"nutrigraph/internal/store"
)

// Codes the presenter gives errors that carry no domain code.
const (
	// CodeNotFound is given to ent not-found errors and privacy denials: a
	// row that is hidden answers exactly like one that does not exist.
	CodeNotFound = string(nutrition.CodeNotFound)
	// CodeInternal is given to every error the API does not know; its text
	// is logged, never shown.
	CodeInternal = string(nutrition.CodeInternal)
	// CodeTimeout is given to errors caused by the request's deadline.
	CodeTimeout = "TIMEOUT"
)

// presenter turns every error a GraphQL response carries into what a client
// may see: a message and extensions.code (plus extensions.field for invalid
// input). Errors it does not know are masked as INTERNAL and logged with
// the request id: no SQL text, driver message or stack reaches a client.
type presenter struct {
	log *slog.Logger
}

func (p presenter) present(ctx context.Context, err error) *gqlerror.Error {
	if err == nil {
		return nil
	}
	gqlErr, isGQL := errors.AsType[*gqlerror.Error](err)
	if !isGQL {
		gqlErr = gqlerror.WrapPath(graphql.GetPath(ctx), err)
	}
	out := &gqlerror.Error{Path: gqlErr.Path, Locations: gqlErr.Locations}

	if ent.IsNotFound(err) || errors.Is(err, privacy.Deny) {
		out.Message = "not found"
		out.Extensions = map[string]any{"code": CodeNotFound}
		return out
	}
	// A database error that reached a read resolver untranslated (e.g. a
	// filter value PostgreSQL cannot hold) is classified like the adapters
	// classify theirs: a user's mistake is not INTERNAL.
	if domainErr, ok := errors.AsType[*nutrition.Error](store.Translate(err)); ok && domainErr.Code != nutrition.CodeInternal {
		out.Message = domainErr.Message
		out.Extensions = map[string]any{"code": string(domainErr.Code)}
		if domainErr.Field != "" {
			out.Extensions["field"] = domainErr.Field
		}
		return out
	}
	switch {
	case isGQL && gqlErr.Err == nil:
		// Built by the GraphQL machinery itself from the request: parse and
		// validation failures (GRAPHQL_PARSE_FAILED,
		// GRAPHQL_VALIDATION_FAILED), limits, entgql's pagination checks,
		// the recover func's INTERNAL. Its text describes the request.
		return gqlErr
	}
	if field, ok := inputPath(ctx, gqlErr); ok {
		// An argument or input field that does not parse (e.g. an ID that
		// is not a UUID): gqlgen reports it on the path of the argument,
		// below the field being resolved.
		out.Message = gqlErr.Message
		out.Extensions = map[string]any{"code": CodeBadUserInput, "field": field}
		return out
	}
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded {
		p.log.WarnContext(ctx, "graphql: request deadline exceeded",
			"request_id", RequestID(ctx), "path", pathString(out.Path), "error", err.Error())
		out.Message = "request timed out"
		out.Extensions = map[string]any{"code": CodeTimeout}
		return out
	}
	p.log.ErrorContext(ctx, "graphql: internal error",
		"request_id", RequestID(ctx), "path", pathString(out.Path), "error", err.Error())
	out.Message = "internal error"
	out.Extensions = map[string]any{"code": CodeInternal}
	return out
}

// inputPath reports whether gqlErr was raised while parsing an argument of
// the field being resolved: its path then extends the field's path with
// argument names. It returns those names, joined with dots.
func inputPath(ctx context.Context, gqlErr *gqlerror.Error) (string, bool) {
	fieldPath := graphql.GetPath(ctx)
	if graphql.GetFieldContext(ctx) == nil || len(gqlErr.Path) <= len(fieldPath) {
		return "", false
	}
	for i, el := range fieldPath {
		if fmt.Sprint(el) != fmt.Sprint(gqlErr.Path[i]) {
			return "", false
		}
	}
	return pathString(gqlErr.Path[len(fieldPath):]), true
}

func pathString(path ast.Path) string {
	parts := make([]string, len(path))
	for i, el := range path {
		switch el := el.(type) {
		case ast.PathIndex:
			parts[i] = strconv.Itoa(int(el))
		case ast.PathName:
			parts[i] = string(el)
		default:
			parts[i] = fmt.Sprint(el)
		}
	}
	return strings.Join(parts, ".")
}

// recover turns a panic in a resolver into an INTERNAL error; the panic and
// its stack are logged with the request id.
func (p presenter) recover(ctx context.Context, v any) error {
	p.log.ErrorContext(ctx, "graphql: panic in resolver",
		"request_id", RequestID(ctx), "path", pathString(graphql.GetPath(ctx)),
		"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	err := gqlerror.Errorf("internal error")
	err.Extensions = map[string]any{"code": CodeInternal}
	return err
}
