package schema

import (
	"regexp"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"
	"github.com/google/uuid"

	"nutrigraph/internal/gid"
	"nutrigraph/internal/nutrition"
)

// now returns the current time in UTC, truncated to microseconds: every time
// is written in UTC so that SQLite, which stores times as text, orders them
// correctly, and at PostgreSQL's precision so that a value returned by a
// create equals the value read back.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// BaseMixin gives a table its time-ordered UUIDv7 id (tagged with the table's
// code, see internal/gid) and the created_at / updated_at timestamps.
type BaseMixin struct {
	mixin.Schema
	// Code is the table code carried in every id of the table.
	Code gid.Code
}

// Fields of the BaseMixin.
func (m BaseMixin) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("id", uuid.UUID{}).
			Default(gid.Generator(m.Code)).
			Immutable(),
		field.Time("created_at").
			Default(now).
			Immutable().
			Annotations(entgql.OrderField("CREATED_AT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Time("updated_at").
			Default(now).
			UpdateDefault(now).
			Annotations(entgql.OrderField("UPDATED_AT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// nutrientAmountFields returns one optional float column per catalogue
// nutrient. NULL means unknown, which is not zero.
func nutrientAmountFields() []ent.Field {
	fields := make([]ent.Field, 0, len(nutrition.Catalogue))
	for _, n := range nutrition.Catalogue {
		fields = append(fields, field.Float(n.Column).
			Optional().
			Nillable().
			Min(0).
			Comment(n.Label+" in "+string(n.Unit)+"; NULL when unknown").
			Annotations(entgql.Skip(entgql.SkipWhereInput)))
	}
	return fields
}

// nutrientTotalFields returns, per catalogue nutrient, the sum of the known
// amounts and the count of entries for which the amount was unknown.
func nutrientTotalFields() []ent.Field {
	fields := make([]ent.Field, 0, 2*len(nutrition.Catalogue)+1)
	for _, n := range nutrition.Catalogue {
		fields = append(fields,
			field.Float(n.Column).
				Default(0).
				Comment("Sum of the known "+n.Label+" amounts in "+string(n.Unit)).
				Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
			field.Int(n.Column+"_missing").
				Default(0).
				NonNegative().
				Comment("Count of entries whose "+n.Label+" is unknown").
				Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		)
	}
	fields = append(fields, field.Int("entry_count").
		Default(0).
		NonNegative().
		Comment("Count of the live entries summed").
		Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)))
	return fields
}

// localDatePattern is the shape of a calendar date as stored.
var localDatePattern = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// localDateField is a calendar date (YYYY-MM-DD) in the user's time zone,
// stored as text so that it sorts and compares the same on every database.
// An optional date is NULL when unknown.
func localDateField(name, orderName string, optional bool) ent.Field {
	f := field.String(name).
		MaxLen(10).
		Match(localDatePattern).
		Annotations(entgql.Type("Date"), entgql.OrderField(orderName))
	if optional {
		f = f.Optional().Nillable()
	}
	return f
}
