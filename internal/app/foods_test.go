package app_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"nutrigraph/internal/app"
	"nutrigraph/internal/nutrition"
)

func TestOwnFoods(t *testing.T) {
	n := newNFixture(t)
	foods, err := app.NewFoods(n.store, func() time.Time { return n.now })
	require.NoError(t, err)
	in := app.FoodInput{Name: " Granola ", Per100g: nutrition.Amounts{}.With(nutrition.EnergyKcal, 450),
		Portions: []nutrition.Portion{{Amount: 1, Unit: "bowl", Grams: 60}}}
	g, err := foods.CreateFood(n.ctx, in)
	require.NoError(t, err)
	require.Equal(t, "Granola", g.Name)

	// Log it, then edit the food: the entry keeps the values it copied.
	fid, bowl := g.ID, g.Portions[0].ID
	m, err := n.meals.LogMeal(n.ctx, app.LogMealInput{EatenAt: at("2026-03-01T12:00:00Z"), Type: nutrition.Breakfast,
		Entries: []app.EntryInput{{FoodID: &fid, PortionID: &bowl}}})
	require.NoError(t, err)
	kcal, _ := m.Entries[0].Amounts.Get(nutrition.EnergyKcal)
	require.Equal(t, 270.0, kcal)
	in.Per100g = in.Per100g.With(nutrition.EnergyKcal, 500)
	_, err = foods.UpdateFood(n.ctx, g.ID, in)
	require.NoError(t, err)
	tot, _ := n.day(t, "2026-03-01")
	sum, _ := tot.Get(nutrition.EnergyKcal)
	require.Equal(t, 270.0, sum, "history does not change")

	// A referenced food is archived, not deleted; an unreferenced one is deleted.
	archived, err := foods.DeleteFood(n.ctx, g.ID)
	require.NoError(t, err)
	require.True(t, archived)
	_, err = n.meals.LogMeal(n.ctx, app.LogMealInput{EatenAt: at("2026-03-01T12:00:00Z"), Type: nutrition.Lunch,
		Entries: []app.EntryInput{{FoodID: &fid, Grams: fp(10)}}})
	require.Equal(t, "entries.0.foodId", nutrition.FieldOf(err), "archived foods cannot be logged")
	unused, err := foods.CreateFood(n.ctx, app.FoodInput{Name: "Unused", Per100g: nutrition.Amounts{}})
	require.NoError(t, err)
	archived, err = foods.DeleteFood(n.ctx, unused.ID)
	require.NoError(t, err)
	require.False(t, archived)
	_, err = foods.UpdateFood(n.ctx, unused.ID, in)
	require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err))

	// Validation names the field.
	for _, c := range []struct {
		in    app.FoodInput
		field string
	}{
		{app.FoodInput{Name: ""}, "name"},
		{app.FoodInput{Name: "x", Per100g: nutrition.Amounts{}.With(nutrition.Fat, 120)}, "nutrients.fat"},
		{app.FoodInput{Name: "x", Per100g: nutrition.Amounts{}.With(nutrition.Sodium, -1)}, "nutrients.sodium"},
		{app.FoodInput{Name: "x", Portions: []nutrition.Portion{{Amount: 1, Unit: "", Grams: 5}}}, "portions.0.unit"},
		{app.FoodInput{Name: "x", Portions: []nutrition.Portion{{Amount: 1, Unit: "cup", Grams: 0}}}, "portions.0.grams"},
		{app.FoodInput{Name: "x", Portions: []nutrition.Portion{{Amount: 0, Unit: "cup", Grams: 5}}}, "portions.0.amount"},
	} {
		_, err := foods.CreateFood(n.ctx, c.in)
		require.Equal(t, nutrition.CodeInvalid, nutrition.CodeOf(err), c.field)
		require.Equal(t, c.field, nutrition.FieldOf(err))
	}

	// Free plan (trial over): 30 own foods, archived ones not counted.
	n.now = n.now.Add(15 * 24 * time.Hour)
	for i := 0; i < 30; i++ {
		_, err := foods.CreateFood(n.ctx, app.FoodInput{Name: fmt.Sprintf("food %d", i)})
		require.NoError(t, err, i)
	}
	_, err = foods.CreateFood(n.ctx, app.FoodInput{Name: "one too many"})
	require.Equal(t, nutrition.CodePlanLimit, nutrition.CodeOf(err))
	require.Equal(t, "own_foods", nutrition.FieldOf(err))
	_, err = foods.ArchiveFood(n.ctx, g.ID, false)
	require.Equal(t, nutrition.CodePlanLimit, nutrition.CodeOf(err), "restoring counts against the limit")
}
