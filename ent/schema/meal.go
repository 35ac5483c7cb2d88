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
)

// Meal is one meal of a user at an instant; its local date is fixed when written.
type Meal struct{ ent.Schema }

// Mixin of Meal.
func (Meal) Mixin() []ent.Mixin {
	return []ent.Mixin{BaseMixin{Code: gid.Meal}, SoftDeleteMixin{Cascade: cascadeMeal}}
}

// Fields of Meal.
func (Meal) Fields() []ent.Field {
	return []ent.Field{
		ownerField(),
		field.Time("eaten_at").Annotations(entgql.OrderField("EATEN_AT")),
		localDateField("local_date", "LOCAL_DATE", false),
		field.Enum("meal_type").Values("BREAKFAST", "LUNCH", "DINNER", "SNACK").
			Annotations(entgql.Type("MealType")),
		field.String("note").MaxLen(1000).Optional(),
	}
}

// Edges of Meal.
func (Meal) Edges() []ent.Edge {
	return []ent.Edge{
		ownerEdge("meals"),
		edge.To("entries", FoodEntry.Type).Annotations(cascade()),
		edge.To("nutrition", MealNutrition.Type).Unique().Annotations(cascade()),
	}
}

// Indexes of Meal.
func (Meal) Indexes() []ent.Index {
	return []ent.Index{
		// Meals of a day or a date range: WHERE user_id = $1 AND local_date BETWEEN $2 AND $3 ORDER BY eaten_at.
		index.Fields("user_id", "local_date", "eaten_at"),
	}
}

// Annotations of Meal.
func (Meal) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.QueryField()}
}

// FoodEntry is one item of a meal, with its nutrient amounts copied at log
// time so that later edits of the food never change history.
type FoodEntry struct{ ent.Schema }

// Mixin of FoodEntry.
func (FoodEntry) Mixin() []ent.Mixin {
	return []ent.Mixin{BaseMixin{Code: gid.FoodEntry}, SoftDeleteMixin{}}
}

// Fields of FoodEntry.
func (FoodEntry) Fields() []ent.Field {
	fields := []ent.Field{
		ownerField(),
		field.UUID("meal_id", uuid.UUID{}),
		field.UUID("food_id", uuid.UUID{}).Optional().Nillable().
			Comment("The catalogue food it was logged from; NULL for a free-form entry or a purged food"),
		field.Int("position").NonNegative().Default(0).Comment("Order within the meal"),
		field.String("name").MaxLen(300).NotEmpty(),
		field.Float("grams").Optional().Nillable().Positive(),
	}
	return append(fields, nutrientAmountFields()...)
}

// Edges of FoodEntry.
func (FoodEntry) Edges() []ent.Edge {
	return []ent.Edge{
		ownerEdge("food_entries"),
		edge.From("meal", Meal.Type).Ref("entries").Field("meal_id").Unique().Required(),
		edge.From("food", Food.Type).Ref("entries").Field("food_id").Unique(),
	}
}

// Indexes of FoodEntry.
func (FoodEntry) Indexes() []ent.Index {
	return []ent.Index{
		// A meal's entries (eager load of meal.entries): WHERE meal_id IN (…) ORDER BY position.
		index.Fields("meal_id", "position"),
		// Whether a food is referenced (archive instead of delete): WHERE food_id = $1.
		index.Fields("food_id"),
		// Cascade on account deletion and CSV export: WHERE user_id = $1.
		index.Fields("user_id", "created_at"),
	}
}

// Annotations of FoodEntry.
func (FoodEntry) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// MealNutrition holds the nutrient totals of a meal's live entries; 1:1 with Meal.
type MealNutrition struct{ ent.Schema }

// Mixin of MealNutrition.
func (MealNutrition) Mixin() []ent.Mixin {
	return []ent.Mixin{BaseMixin{Code: gid.MealNutrition}, SoftDeleteMixin{}}
}

// Fields of MealNutrition.
func (MealNutrition) Fields() []ent.Field {
	fields := []ent.Field{
		ownerField(),
		field.UUID("meal_id", uuid.UUID{}).Immutable(),
	}
	return append(fields, nutrientTotalFields()...)
}

// Edges of MealNutrition.
func (MealNutrition) Edges() []ent.Edge {
	return []ent.Edge{
		ownerEdge("meal_nutritions"),
		edge.From("meal", Meal.Type).Ref("nutrition").Field("meal_id").Unique().Required().Immutable(),
	}
}

// Indexes of MealNutrition.
func (MealNutrition) Indexes() []ent.Index {
	return []ent.Index{
		// Eager load of meal.nutrition: WHERE meal_id IN (…); one live row per meal.
		index.Fields("meal_id").Unique().Annotations(entsql.IndexWhere(liveOnly)),
		// Cascade on account deletion: WHERE user_id = $1.
		index.Fields("user_id"),
	}
}

// DailyNutrition holds the totals of a user's live meals on one local date.
type DailyNutrition struct{ ent.Schema }

// Mixin of DailyNutrition.
func (DailyNutrition) Mixin() []ent.Mixin {
	return []ent.Mixin{BaseMixin{Code: gid.DailyNutrition}, SoftDeleteMixin{}}
}

// Fields of DailyNutrition.
func (DailyNutrition) Fields() []ent.Field {
	fields := []ent.Field{
		ownerField(),
		localDateField("local_date", "LOCAL_DATE", false),
		field.Int("meal_count").Default(0).NonNegative().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
	return append(fields, nutrientTotalFields()...)
}

// Edges of DailyNutrition.
func (DailyNutrition) Edges() []ent.Edge {
	return []ent.Edge{ownerEdge("daily_nutritions")}
}

// Indexes of DailyNutrition.
func (DailyNutrition) Indexes() []ent.Index {
	return []ent.Index{
		// Daily summaries of a range and the row locked by a total update:
		// WHERE user_id = $1 AND local_date BETWEEN $2 AND $3; one live row per day.
		index.Fields("user_id", "local_date").Unique().Annotations(entsql.IndexWhere(liveOnly)),
	}
}

// Annotations of DailyNutrition.
func (DailyNutrition) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.QueryField()}
}

// Policy of Meal.
func (Meal) Policy() ent.Policy { return ownedPolicy() }

// Policy of FoodEntry.
func (FoodEntry) Policy() ent.Policy { return ownedPolicy() }

// Policy of MealNutrition.
func (MealNutrition) Policy() ent.Policy { return ownedPolicy() }

// Policy of DailyNutrition.
func (DailyNutrition) Policy() ent.Policy { return ownedPolicy() }
