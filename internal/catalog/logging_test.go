package catalog_test

import (
	"context"
	"math"
	"testing"
	"time"

	"nutrigraph/internal/app"
	"nutrigraph/internal/nutrition"
	"nutrigraph/internal/store"
	"nutrigraph/internal/testdb"
)

// TestLogPortionsOfCatalogueFood is the acceptance case: logging
// "2 × 1 cup" of a catalogue food yields the source's values per 100 g
// scaled by twice the cup's grams (salted butter: 1 cup = 227 g, so 454 g).
func TestLogPortionsOfCatalogueFood(t *testing.T) {
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			d, _ := importOnce(t, dialect)
			sys := app.AsSystem(context.Background())
			u := d.Client.User.Create().SetEmail("cup@example.com").SetPasswordHash("x").SaveX(sys)
			d.Client.Profile.Create().SetUserID(u.ID).SaveX(sys)

			butter := bySourceID(t, d.Client, "01001")
			cup := butter.Edges.Portions[2]
			if cup.Unit != "cup" || cup.Grams != 227 {
				t.Fatalf("third portion of butter: %+v", cup)
			}
			meals, err := app.NewMeals(store.NewUnitOfWork(d.Client, d.Dialect), func() time.Time { return time.Now().UTC() })
			if err != nil {
				t.Fatal(err)
			}
			ctx := app.WithViewer(context.Background(), app.Viewer{UserID: app.ID(u.ID)})
			foodID, portionID, two := app.ID(butter.ID), app.ID(cup.ID), 2.0
			m, err := meals.LogMeal(ctx, app.LogMealInput{
				EatenAt: time.Now().UTC().Add(-time.Hour),
				Type:    nutrition.Lunch,
				Entries: []app.EntryInput{{FoodID: &foodID, PortionID: &portionID, Quantity: &two}},
			})
			if err != nil {
				t.Fatal(err)
			}
			e := m.Entries[0]
			if e.Grams == nil || *e.Grams != 454 {
				t.Fatalf("grams %v, want 454", e.Grams)
			}
			for n, per100 := range map[nutrition.Nutrient]float64{
				nutrition.EnergyKcal: 717, nutrition.Sodium: 643, nutrition.Protein: 0.85, nutrition.Fat: 81.11,
			} {
				got, ok := e.Amounts.Get(n)
				if want := per100 * 454 / 100; !ok || math.Abs(got-want) > 1e-9 {
					t.Errorf("%s = %v (known %v), want %v", n, got, ok, want)
				}
			}
		})
	}
}
