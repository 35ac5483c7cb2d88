package store

import (
	"context"
	dsql "database/sql"
	"time"

	"entgo.io/ent/dialect/sql"
	"github.com/google/uuid"

	"nutrigraph/ent/foodentry"
	"nutrigraph/ent/meal"
	"nutrigraph/internal/nutrition"
)

// ExportRow is one live entry as exported.
type ExportRow struct {
	LocalDate string
	EatenAt   time.Time
	MealType  string
	Name      string
	Grams     *float64
	Amounts   nutrition.Amounts
}

// Exporter streams a user's entries straight from the database: rows are
// read one at a time, so a long range never sits in memory.
type Exporter struct {
	DB      *dsql.DB
	Dialect string
}

// Entries calls fn for each live entry of user's live meals dated from..to,
// in order of date, time, meal and position. It stops at fn's first error.
func (x Exporter) Entries(ctx context.Context, user uuid.UUID, from, to nutrition.Date, fn func(ExportRow) error) error {
	e, m := sql.Table(foodentry.Table).As("e"), sql.Table(meal.Table).As("m")
	cols := []string{m.C(meal.FieldLocalDate), m.C(meal.FieldEatenAt), m.C(meal.FieldMealType), e.C(foodentry.FieldName), e.C(foodentry.FieldGrams)}
	for _, n := range nutrition.Catalogue {
		cols = append(cols, e.C(n.Column))
	}
	query, args := sql.Dialect(x.Dialect).
		Select(cols...).
		From(e).
		Join(m).On(e.C(foodentry.FieldMealID), m.C(meal.FieldID)).
		Where(sql.And(
			sql.EQ(e.C(foodentry.FieldUserID), user),
			sql.EQ(m.C(meal.FieldUserID), user),
			sql.IsNull(e.C(foodentry.FieldDeletedAt)),
			sql.IsNull(m.C(meal.FieldDeletedAt)),
			sql.GTE(m.C(meal.FieldLocalDate), from.String()),
			sql.LTE(m.C(meal.FieldLocalDate), to.String()),
		)).
		OrderBy(m.C(meal.FieldLocalDate), m.C(meal.FieldEatenAt), m.C(meal.FieldID), e.C(foodentry.FieldPosition), e.C(foodentry.FieldID)).
		Query()
	rows, err := x.DB.QueryContext(ctx, query, args...)
	if err != nil {
		return Translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ExportRow
		var grams dsql.NullFloat64
		var amounts [12]dsql.NullFloat64
		dest := []any{&r.LocalDate, &r.EatenAt, &r.MealType, &r.Name, &grams}
		for i := range amounts {
			dest = append(dest, &amounts[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return Translate(err)
		}
		if grams.Valid {
			r.Grams = &grams.Float64
		}
		for i, a := range amounts {
			if a.Valid {
				v := a.Float64
				r.Amounts[i] = &v
			}
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return Translate(rows.Err())
}
