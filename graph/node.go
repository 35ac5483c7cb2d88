package graph

import (
	"context"

	"github.com/google/uuid"

	"nutrigraph/internal/gid"
	"nutrigraph/internal/nutrition"
)

// nodeType resolves the table of a global id from the table code carried in
// the id itself (internal/gid), so node/nodes never probe tables. An id that
// is not one of ours is NOT_FOUND, like an id of another user.
func nodeType(_ context.Context, id uuid.UUID) (string, error) {
	table, err := gid.TableOf(id)
	if err != nil {
		return "", nutrition.NotFound("node")
	}
	return table, nil
}
