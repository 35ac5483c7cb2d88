package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"nutrigraph/internal/app"
	"nutrigraph/internal/nutrition"
	"nutrigraph/internal/store"
	"nutrigraph/internal/testdb"
)

// BenchmarkLogMeal measures one LogMeal use case (3 free-form entries) end to
// end through the ent adapters: lock, insert meal and entries, recompute the
// meal's and the day's totals, commit. Meals spread over 30 days.
//
//	go test ./internal/store -run '^$' -bench LogMeal -benchtime 2s
func BenchmarkLogMeal(b *testing.B) {
	for _, d := range testdb.Dialects(b) {
		b.Run(d, func(b *testing.B) {
			db := testdb.Open(b, d)
			uow := store.NewUnitOfWork(db.Client, db.Dialect)
			now := time.Date(2026, 3, 31, 18, 0, 0, 0, time.UTC)
			clock := func() time.Time { return now }
			acc, _ := app.NewAccounts(uow, plainHasher{}, clock, noLimit{}, noLimit{})
			meals, _ := app.NewMeals(uow, clock)
			auth, err := acc.Register(context.Background(), app.RegisterInput{Email: "bench@example.com", Password: "long-enough"})
			if err != nil {
				b.Fatal(err)
			}
			v, _ := acc.Authenticate(context.Background(), auth.Token)
			ctx := app.WithViewer(context.Background(), v)
			entries := make([]app.EntryInput, 3)
			for i := range entries {
				name := fmt.Sprintf("item %d", i)
				entries[i] = app.EntryInput{Name: &name, Amounts: ptr(nutrition.Amounts{}.With(nutrition.EnergyKcal, 100).With(nutrition.Protein, 5))}
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := meals.LogMeal(ctx, app.LogMealInput{EatenAt: now.Add(-time.Duration(i%30) * 24 * time.Hour), Type: nutrition.Lunch, Entries: entries}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
