package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"nutrigraph/ent"
	"nutrigraph/internal/app"
	"nutrigraph/internal/app/contract"
	"nutrigraph/internal/nutrition"
	"nutrigraph/internal/store"
	"nutrigraph/internal/testdb"
)

// TestContract runs the port contract suite — the one the in-memory store
// passes — against the ent adapters on every dialect.
func TestContract(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			contract.Run(t, func(t *testing.T) contract.Harness {
				db := testdb.Open(t, d)
				return contract.Harness{
					UoW:     store.NewUnitOfWork(db.Client, db.Dialect),
					AddFood: func(t *testing.T, f nutrition.Food) nutrition.Food { return addFood(t, db.Client, f) },
				}
			})
		})
	}
}

// addFood inserts a shared catalogue food as the importer would.
func addFood(t *testing.T, c *ent.Client, f nutrition.Food) nutrition.Food {
	ctx := app.AsSystem(context.Background())
	fc := c.Food.Create().SetName(f.Name)
	for i, n := range nutrition.Catalogue {
		if f.Per100g[i] != nil {
			require.NoError(t, fc.Mutation().SetField(n.Column, *f.Per100g[i]))
		}
	}
	row, err := fc.Save(ctx)
	require.NoError(t, err)
	f.ID = nutrition.ID(row.ID)
	for i, p := range f.Portions {
		pr, err := c.FoodPortion.Create().SetFoodID(row.ID).SetSeq(i).SetAmount(p.Amount).SetUnit(p.Unit).SetGrams(p.Grams).Save(ctx)
		require.NoError(t, err)
		f.Portions[i].ID = nutrition.ID(pr.ID)
	}
	return f
}
