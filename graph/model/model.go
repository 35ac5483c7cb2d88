// Package model holds the hand-written Go types behind GraphQL types that
// are not ent entities; gqlgen generates resolvers for their other fields.
package model

import "github.com/google/uuid"

// Viewer is the authenticated user; every field is resolved on demand.
type Viewer struct {
	UserID uuid.UUID
}
