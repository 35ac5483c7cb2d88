package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"

	"nutrigraph/internal/gid"
	"nutrigraph/internal/nutrition"
)

// nutrientEnumValues are the values of a nutrient enum column: the codes of
// the domain catalogue, upper-cased for GraphQL.
func nutrientEnumValues() []string {
	out := make([]string, len(nutrition.Catalogue))
	for i, n := range nutrition.Catalogue {
		out[i] = nutrition.EnumName(n.Nutrient)
	}
	return out
}

// Target is a named nutrition target of a user; at most one is active.
type Target struct{ ent.Schema }

// Mixin of Target.
func (Target) Mixin() []ent.Mixin {
	return []ent.Mixin{BaseMixin{Code: gid.Target}, SoftDeleteMixin{Cascade: cascadeTarget}}
}

// Fields of Target.
func (Target) Fields() []ent.Field {
	return []ent.Field{
		ownerField(),
		field.String("name").MaxLen(100).NotEmpty().Annotations(entgql.OrderField("NAME")),
		field.Bool("active").Default(false),
		field.Enum("source").Values("CUSTOM", "COMPUTED").Default("CUSTOM").
			Comment("COMPUTED: derived from the profile (Mifflin-St Jeor)"),
	}
}

// Edges of Target.
func (Target) Edges() []ent.Edge {
	return []ent.Edge{
		ownerEdge("targets"),
		edge.To("nutrients", TargetNutrient.Type).Annotations(cascade()),
		edge.To("snapshots", TargetSnapshot.Type).Annotations(cascade(), entgql.RelayConnection()),
	}
}

// Indexes of Target.
func (Target) Indexes() []ent.Index {
	return []ent.Index{
		// The active target of a user: WHERE user_id = $1 AND active; at most one.
		index.Fields("user_id").Unique().Annotations(entsql.IndexWhere("active AND " + liveOnly)).StorageKey("target_one_active_per_user"),
		// A user's targets by creation: WHERE user_id = $1 ORDER BY created_at.
		index.Fields("user_id", "created_at"),
	}
}

// Annotations of Target.
func (Target) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.QueryField()}
}

// TargetNutrient is one nutrient goal of a target.
type TargetNutrient struct{ ent.Schema }

// Mixin of TargetNutrient.
func (TargetNutrient) Mixin() []ent.Mixin {
	return []ent.Mixin{BaseMixin{Code: gid.TargetNutrient}, SoftDeleteMixin{}}
}

// Fields of TargetNutrient.
func (TargetNutrient) Fields() []ent.Field {
	return []ent.Field{
		ownerField(),
		field.UUID("target_id", uuid.UUID{}).Immutable(),
		field.Enum("nutrient").Values(nutrientEnumValues()...).
			Annotations(entgql.Type("Nutrient")),
		field.Float("amount").Min(0).Comment("In the nutrient's catalogue unit"),
		field.Enum("direction").Values("AT_LEAST", "AT_MOST", "AROUND").
			Annotations(entgql.Type("GoalDirection")),
	}
}

// Edges of TargetNutrient.
func (TargetNutrient) Edges() []ent.Edge {
	return []ent.Edge{
		ownerEdge("target_nutrients"),
		edge.From("target", Target.Type).Ref("nutrients").Field("target_id").Unique().Required().Immutable(),
	}
}

// Indexes of TargetNutrient.
func (TargetNutrient) Indexes() []ent.Index {
	return []ent.Index{
		// A target's goals (eager load of target.nutrients): WHERE target_id IN (…); one goal per nutrient.
		index.Fields("target_id", "nutrient").Unique().Annotations(entsql.IndexWhere(liveOnly)),
		// Cascade on account deletion: WHERE user_id = $1.
		index.Fields("user_id"),
	}
}

// TargetSnapshot is an immutable copy of a target's goals with the local date
// from which it applies; progress for day D uses the snapshot in force on D.
type TargetSnapshot struct{ ent.Schema }

// Mixin of TargetSnapshot.
func (TargetSnapshot) Mixin() []ent.Mixin {
	return []ent.Mixin{BaseMixin{Code: gid.TargetSnapshot}, SoftDeleteMixin{}}
}

// Fields of TargetSnapshot.
func (TargetSnapshot) Fields() []ent.Field {
	return []ent.Field{
		ownerField(),
		field.UUID("target_id", uuid.UUID{}).Immutable(),
		localDateField("effective_from", "EFFECTIVE_FROM", false),
		field.JSON("goals", []nutrition.Goal{}).
			Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("The goals as they were: nutrient, amount, direction"),
	}
}

// Edges of TargetSnapshot.
func (TargetSnapshot) Edges() []ent.Edge {
	return []ent.Edge{
		ownerEdge("target_snapshots"),
		edge.From("target", Target.Type).Ref("snapshots").Field("target_id").Unique().Required().Immutable(),
	}
}

// Indexes of TargetSnapshot.
func (TargetSnapshot) Indexes() []ent.Index {
	return []ent.Index{
		// The snapshot in force on a day: WHERE user_id = $1 AND effective_from <= $2
		// ORDER BY effective_from DESC, created_at DESC LIMIT 1 (and range scans for summaries).
		index.Fields("user_id", "effective_from", "created_at"),
		// A target's history (target.snapshots): WHERE target_id IN (…).
		index.Fields("target_id"),
	}
}

// Annotations of TargetSnapshot.
func (TargetSnapshot) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// Policy of Target.
func (Target) Policy() ent.Policy { return ownedPolicy() }

// Policy of TargetNutrient.
func (TargetNutrient) Policy() ent.Policy { return ownedPolicy() }

// Policy of TargetSnapshot.
func (TargetSnapshot) Policy() ent.Policy { return ownedPolicy() }
