package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"

	"nutrigraph/internal/catalog/searchtext"
	"nutrigraph/internal/gid"
)

// Food is a catalogue food: a global row of shipped data (user_id NULL, with
// source and source id) or a user's own food. Nutrients are per 100 g.
type Food struct{ ent.Schema }

// Mixin of Food.
func (Food) Mixin() []ent.Mixin {
	return []ent.Mixin{BaseMixin{Code: gid.Food}, SoftDeleteMixin{Cascade: cascadeFood}}
}

// Fields of Food.
func (Food) Fields() []ent.Field {
	fields := []ent.Field{
		field.UUID("user_id", uuid.UUID{}).
			Optional().
			Nillable().
			Immutable().
			Comment("Owner of a private food; NULL for the shared catalogue").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.String("name").MaxLen(300).NotEmpty().Annotations(entgql.OrderField("NAME")),
		field.String("food_group").MaxLen(100).Optional().Nillable(),
		field.String("source").MaxLen(50).Optional().Nillable().
			Comment("Data set of a shipped food, e.g. usda-sr26"),
		field.String("source_id").MaxLen(50).Optional().Nillable().
			Comment("The food's id in its source data set"),
		field.Time("archived_at").Optional().Nillable().
			Comment("An archived own food is hidden from search but stays referenced by entries"),
		field.Int("source_version").Optional().Nillable().
			Comment("Version of the data file a shipped food was imported from").
			Annotations(entgql.Skip(entgql.SkipAll)),
		// Search columns, kept in step with name and food_group by a hook
		// (foodsearch.go; semantics in internal/catalog/searchtext).
		field.String("search_text").Default(" ").
			Comment("Normalised words of the name, space-delimited, for word-prefix LIKE matching").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("search_rank").Default(searchtext.MaxRank).NonNegative().
			Comment("Query-independent search order: simple, common foods first (lower first)").
			Annotations(
				entgql.OrderField("RELEVANCE"),
				entgql.Skip(entgql.SkipType, entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
			),
	}
	return append(fields, nutrientAmountFields()...)
}

// Edges of Food.
func (Food) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("foods").Field("user_id").Unique().Immutable(),
		edge.To("portions", FoodPortion.Type).Annotations(cascade()),
		edge.To("entries", FoodEntry.Type).Annotations(setNull(), entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of Food.
func (Food) Indexes() []ent.Index {
	return []ent.Index{
		// Import upsert of shipped data: WHERE source = $1 AND source_id = $2.
		index.Fields("source", "source_id").Unique().Annotations(entsql.IndexWhere(liveOnly)),
		// A user's own foods (and the plan's count of them): WHERE user_id = $1.
		index.Fields("user_id", "created_at"),
		// Food search: WHERE search_text LIKE '% word%' (a trigram GIN index
		// on PostgreSQL, extension pg_trgm; SQLite scans).
		index.Fields("search_text").Annotations(
			entsql.IndexTypes(map[string]string{dialect.Postgres: "GIN"}),
			entsql.OpClass("gin_trgm_ops"),
		),
	}
}

// Annotations of Food.
func (Food) Annotations() []schema.Annotation {
	// The root foods field is declared by hand in graph/food.graphql (it
	// adds a search argument), so no entgql.QueryField here.
	return []schema.Annotation{entgql.RelayConnection()}
}

// Hooks of Food.
func (Food) Hooks() []ent.Hook {
	return []ent.Hook{foodSearchHook()}
}

// FoodPortion is a household measure of a food ("1 cup" = 227 g).
type FoodPortion struct{ ent.Schema }

// Mixin of FoodPortion.
func (FoodPortion) Mixin() []ent.Mixin {
	return []ent.Mixin{BaseMixin{Code: gid.FoodPortion}, SoftDeleteMixin{}}
}

// Fields of FoodPortion.
func (FoodPortion) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("food_id", uuid.UUID{}).Immutable(),
		field.Int("seq").NonNegative().Comment("Order of the portion within its food"),
		field.Float("amount").Positive().Comment("How many units the weight is for, e.g. 1 or 0.5"),
		field.String("unit").MaxLen(200).NotEmpty().Comment(`The measure, e.g. "cup, chopped"`),
		field.Float("grams").Positive().Comment("Weight in grams of amount × unit"),
	}
}

// Edges of FoodPortion.
func (FoodPortion) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("food", Food.Type).Ref("portions").Field("food_id").Unique().Required().Immutable(),
	}
}

// Indexes of FoodPortion.
func (FoodPortion) Indexes() []ent.Index {
	return []ent.Index{
		// A food's portions in order (eager load of food.portions): WHERE food_id IN (…) ORDER BY seq.
		index.Fields("food_id", "seq").Unique().Annotations(entsql.IndexWhere(liveOnly)),
	}
}

// Policy of Food.
func (Food) Policy() ent.Policy { return foodPolicy() }

// Policy of FoodPortion.
func (FoodPortion) Policy() ent.Policy { return foodPortionPolicy() }
