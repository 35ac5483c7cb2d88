// Package softdelete holds the context switch that lets internal jobs see and
// hard-delete soft-deleted rows. The mechanism itself is the SoftDeleteMixin
// in ent/schema.
package softdelete

import "context"

type includeKey struct{}

// IncludeDeleted returns a context in which queries also return soft-deleted
// rows and deletes are hard deletes. For internal jobs only (purges, audits):
// never derive a request context from it.
func IncludeDeleted(parent context.Context) context.Context {
	return context.WithValue(parent, includeKey{}, true)
}

// Included reports whether ctx was made by IncludeDeleted.
func Included(ctx context.Context) bool {
	v, _ := ctx.Value(includeKey{}).(bool)
	return v
}
