package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"github.com/google/uuid"
)

// liveOnly is the predicate of every partial unique index: soft-deleted rows
// do not take part in uniqueness, so a deleted email can register again.
const liveOnly = "deleted_at IS NULL"

// ownerField is the user_id column every user-owned row carries directly
// (ownership checks, and the distribution key of a sharded PostgreSQL).
func ownerField() ent.Field {
	return field.UUID("user_id", uuid.UUID{}).
		Immutable().
		Annotations(entgql.Skip(entgql.SkipWhereInput))
}

// ownerEdge is the inverse edge from a user-owned row to its user, bound to
// ownerField. ref names the edge on User.
func ownerEdge(ref string) ent.Edge {
	return edge.From("user", User.Type).
		Ref(ref).
		Field("user_id").
		Unique().
		Required().
		Immutable()
}

// cascade is the ON DELETE CASCADE annotation of an owning edge: a hard
// delete of the owner (a purge) removes what it owns. Soft deletes cascade in
// the soft-delete hook instead (see softdelete.go).
func cascade() *entsql.Annotation { return entsql.OnDelete(entsql.Cascade) }

// setNull is the ON DELETE SET NULL annotation of an optional reference that
// must survive its target (an entry keeps its copied values).
func setNull() *entsql.Annotation { return entsql.OnDelete(entsql.SetNull) }
