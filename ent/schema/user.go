package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"nutrigraph/internal/gid"
)

// User is an account of a person.
type User struct{ ent.Schema }

// Mixin of User.
func (User) Mixin() []ent.Mixin {
	return []ent.Mixin{BaseMixin{Code: gid.User}, SoftDeleteMixin{Cascade: cascadeUser}}
}

// Fields of User.
func (User) Fields() []ent.Field {
	return []ent.Field{
		field.String("email").
			MaxLen(254).
			NotEmpty().
			Comment("Trimmed and lower-cased: compared case-insensitively"),
		field.String("password_hash").
			Sensitive().
			NotEmpty().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("plan").
			Values("FREE", "PREMIUM").
			Default("FREE").
			Comment("Plan as last computed from the billing account; the effective plan is recomputed with the clock").
			// GraphQL's User.plan is the plan in force now (graph/accounts.graphql).
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("trial_ends_at").
			Optional().
			Nillable(),
	}
}

// Edges of User.
func (User) Edges() []ent.Edge {
	owned := func(name string, t any, gql ...entgql.Annotation) ent.Edge {
		anns := []schema.Annotation{cascade()}
		for _, a := range gql {
			anns = append(anns, a)
		}
		return edge.To(name, t).Annotations(anns...)
	}
	return []ent.Edge{
		edge.To("profile", Profile.Type).Unique().Annotations(cascade()),
		edge.To("billing_account", BillingAccount.Type).Unique().Annotations(cascade()),
		owned("sessions", Session.Type, entgql.Skip(entgql.SkipAll)),
		owned("targets", Target.Type, entgql.RelayConnection()),
		owned("target_nutrients", TargetNutrient.Type, entgql.Skip(entgql.SkipAll)),
		owned("target_snapshots", TargetSnapshot.Type, entgql.Skip(entgql.SkipAll)),
		owned("foods", Food.Type, entgql.RelayConnection()),
		owned("meals", Meal.Type, entgql.RelayConnection()),
		owned("food_entries", FoodEntry.Type, entgql.Skip(entgql.SkipAll)),
		owned("meal_nutritions", MealNutrition.Type, entgql.Skip(entgql.SkipAll)),
		owned("daily_nutritions", DailyNutrition.Type, entgql.RelayConnection()),
	}
}

// Indexes of User.
func (User) Indexes() []ent.Index {
	return []ent.Index{
		// Login and registration: WHERE email = $1 AND deleted_at IS NULL.
		// Partial, so a deleted account's email can register again.
		index.Fields("email").
			Unique().
			Annotations(entsql.IndexWhere(liveOnly)),
	}
}

// Policy of User.
func (User) Policy() ent.Policy { return userPolicy() }
