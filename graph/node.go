package graph

import (
	"context"

	"github.com/google/uuid"

	"nutrigraph/internal/gid"
)

// nodeType resolves the table of a global id from the table code carried in
// the id itself (internal/gid), so node/nodes never probe tables.
func nodeType(_ context.Context, id uuid.UUID) (string, error) {
	return gid.TableOf(id)
}
