package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"nutrigraph/internal/gid"
)

// Session is a login session. Only the SHA-256 hash of its bearer token is stored.
type Session struct{ ent.Schema }

// Mixin of Session.
func (Session) Mixin() []ent.Mixin {
	return []ent.Mixin{BaseMixin{Code: gid.Session}, SoftDeleteMixin{}}
}

// Fields of Session.
func (Session) Fields() []ent.Field {
	return []ent.Field{
		ownerField(),
		field.Bytes("token_hash").
			Annotations(entgql.Skip(entgql.SkipAll)).
			Sensitive().
			Immutable().
			NotEmpty().
			MaxLen(32),
		field.Time("expires_at"),
		field.Time("revoked_at").Optional().Nillable(),
		field.Time("last_used_at").Optional().Nillable(),
	}
}

// Edges of Session.
func (Session) Edges() []ent.Edge { return []ent.Edge{ownerEdge("sessions")} }

// Indexes of Session.
func (Session) Indexes() []ent.Index {
	return []ent.Index{
		// Authentication of every request: WHERE token_hash = $1.
		index.Fields("token_hash").Unique().Annotations(entsql.IndexWhere(liveOnly)),
		// Revoking a user's sessions (logout everywhere, password change): WHERE user_id = $1.
		index.Fields("user_id"),
	}
}

// Policy of Session.
func (Session) Policy() ent.Policy { return ownedPolicy() }
