package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"nutrigraph/ent/dailynutrition"
	"nutrigraph/internal/app"
	"nutrigraph/internal/nutrition"
	"nutrigraph/internal/store"
	"nutrigraph/internal/testdb"
)

// plainHasher keeps registration cheap in this test.
type plainHasher struct{}

func (plainHasher) Hash(pw string) (string, error)            { return "plain:" + pw, nil }
func (plainHasher) Verify(h, pw string) (bool, bool, error)   { return h == "plain:"+pw, false, nil }
func (noLimit) Allow(string, time.Time) (bool, time.Duration) { return true, 0 }

type noLimit struct{}

// TestConcurrentLogMeal logs 60 meals for one user and day at once; the
// day's stored totals must equal the sum of the entries exactly and count
// every meal. Amounts are multiples of 1/4, exact in binary floating point,
// so the order of additions cannot change the sum.
func TestConcurrentLogMeal(t *testing.T) {
	const n = 60
	for _, d := range testdb.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			db := testdb.Open(t, d)
			if d == "postgres" {
				db.SQL.SetMaxOpenConns(20)
			}
			uow := store.NewUnitOfWork(db.Client, db.Dialect)
			now := time.Date(2026, 3, 1, 18, 0, 0, 0, time.UTC)
			clock := func() time.Time { return now }
			acc, err := app.NewAccounts(uow, plainHasher{}, clock, noLimit{}, noLimit{})
			require.NoError(t, err)
			meals, err := app.NewMeals(uow, clock)
			require.NoError(t, err)
			auth, err := acc.Register(context.Background(), app.RegisterInput{Email: "busy@example.com", Password: "long-enough"})
			require.NoError(t, err)
			v, err := acc.Authenticate(context.Background(), auth.Token)
			require.NoError(t, err)
			ctx := app.WithViewer(context.Background(), v)

			var wg sync.WaitGroup
			errs := make(chan error, n)
			var wantKcal, wantProtein float64
			for i := 0; i < n; i++ {
				kcal, protein := float64(100+i)+0.25, float64(i)*0.5
				wantKcal += kcal
				wantProtein += protein
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					name := fmt.Sprintf("item %d", i)
					_, err := meals.LogMeal(ctx, app.LogMealInput{
						EatenAt: now.Add(-time.Duration(i) * time.Minute), Type: nutrition.Snack,
						Entries: []app.EntryInput{{Name: &name, Amounts: ptr(nutrition.Amounts{}.With(nutrition.EnergyKcal, kcal).With(nutrition.Protein, protein))}},
					})
					errs <- err
				}(i)
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			row, err := db.Client.DailyNutrition.Query().
				Where(dailynutrition.LocalDate("2026-03-01")).
				Only(app.AsSystem(context.Background()))
			require.NoError(t, err)
			require.Equal(t, n, row.MealCount)
			require.Equal(t, n, row.EntryCount)
			require.Equal(t, wantKcal, row.EnergyKcal, "no lost update")
			require.Equal(t, wantProtein, row.ProteinG)
			require.Equal(t, n, row.FatGMissing, "fat unknown in every entry")
		})
	}
}

func ptr[T any](v T) *T { return &v }
