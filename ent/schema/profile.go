package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"nutrigraph/internal/gid"
)

// Profile holds the personal data a target is computed from; 1:1 with User.
type Profile struct{ ent.Schema }

// Mixin of Profile.
func (Profile) Mixin() []ent.Mixin {
	return []ent.Mixin{BaseMixin{Code: gid.Profile}, SoftDeleteMixin{}}
}

// Fields of Profile.
func (Profile) Fields() []ent.Field {
	return []ent.Field{
		ownerField(),
		field.String("display_name").MaxLen(100).Optional(),
		field.Enum("sex").Values("FEMALE", "MALE").Optional().Nillable(),
		localDateField("birth_date", "BIRTH_DATE", true),
		field.Float("height_cm").Optional().Nillable().Positive(),
		field.Float("weight_kg").Optional().Nillable().Positive(),
		field.Enum("activity_level").
			Values("SEDENTARY", "LIGHT", "MODERATE", "ACTIVE", "VERY_ACTIVE").
			Optional().Nillable(),
		field.Enum("goal").Values("LOSE", "MAINTAIN", "GAIN").Default("MAINTAIN"),
		field.String("time_zone").
			MaxLen(64).
			Default("UTC").
			Comment("IANA time zone; fixes the local date of meals when they are written"),
	}
}

// Edges of Profile.
func (Profile) Edges() []ent.Edge { return []ent.Edge{ownerEdge("profile")} }

// Indexes of Profile.
func (Profile) Indexes() []ent.Index {
	return []ent.Index{
		// viewer { profile }: WHERE user_id = $1 AND deleted_at IS NULL; one live profile per user.
		index.Fields("user_id").Unique().Annotations(entsql.IndexWhere(liveOnly)),
	}
}

// Policy of Profile.
func (Profile) Policy() ent.Policy { return ownedPolicy() }
