package contract

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"nutrigraph/internal/app"
	"nutrigraph/internal/nutrition"
)

func pf(v float64) *float64 { return &v }

// viewerDo runs fn in a unit of work as user u.
func viewerDo(t *testing.T, uow app.UnitOfWork, u nutrition.ID, fn func(ctx context.Context, s app.Store) error) {
	t.Helper()
	require.NoError(t, uow.Do(app.WithViewer(context.Background(), app.Viewer{UserID: u}), fn))
}

func testMeals(t *testing.T, h Harness) {
	uow := h.UoW
	u := mkUser(t, uow, "meals@example.com")
	other := mkUser(t, uow, "other@example.com")
	butter := h.AddFood(t, nutrition.Food{Name: "Butter, salted",
		Per100g:  nutrition.Amounts{}.With(nutrition.EnergyKcal, 717).With(nutrition.Sodium, 643).With(nutrition.VitaminC, 0),
		Portions: []nutrition.Portion{{Amount: 1, Unit: `pat (1" sq, 1/3" high)`, Grams: 5}, {Amount: 1, Unit: "tbsp", Grams: 14.2}}})
	day := nutrition.Date{Year: 2026, Month: 3, Day: 1}
	var m nutrition.Meal
	viewerDo(t, uow, u.ID, func(ctx context.Context, s app.Store) error {
		f, err := s.Foods().Get(ctx, butter.ID)
		require.NoError(t, err)
		require.Equal(t, "Butter, salted", f.Name)
		require.Len(t, f.Portions, 2)
		require.Equal(t, "tbsp", f.Portions[1].Unit)
		require.Equal(t, 14.2, f.Portions[1].Grams)
		kcal, ok := f.Per100g.Get(nutrition.EnergyKcal)
		require.True(t, ok)
		require.Equal(t, 717.0, kcal)
		vc, ok := f.Per100g.Get(nutrition.VitaminC)
		require.True(t, ok, "a known zero stays known")
		require.Equal(t, 0.0, vc)
		_, ok = f.Per100g.Get(nutrition.Protein)
		require.False(t, ok, "unknown stays unknown")
		_, err = s.Foods().Get(ctx, nutrition.ID{3})
		require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err))
		many, err := s.Foods().GetMany(ctx, []nutrition.ID{butter.ID, {3}, butter.ID})
		require.NoError(t, err)
		require.Len(t, many, 1, "unknown ids are absent")
		require.Equal(t, "Butter, salted", many[butter.ID].Name)
		require.Len(t, many[butter.ID].Portions, 2)

		require.NoError(t, s.Meals().LockUser(ctx, u.ID))
		fid := butter.ID
		m, err = s.Meals().Create(ctx, nutrition.Meal{UserID: u.ID, EatenAt: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC), LocalDate: day, Type: nutrition.Breakfast, Note: "toast",
			Entries: []nutrition.Entry{
				{FoodID: &fid, Position: 0, Name: "Butter, salted", Grams: pf(10), Amounts: f.Per100g.Scale(10)},
				{Position: 1, Name: "Tea", Amounts: nutrition.Amounts{}.With(nutrition.EnergyKcal, 2)},
			}})
		require.NoError(t, err)
		require.False(t, m.ID.IsZero())
		require.Len(t, m.Entries, 2)
		return s.Meals().SetMealTotals(ctx, u.ID, m.ID, m.Totals())
	})
	viewerDo(t, uow, u.ID, func(ctx context.Context, s app.Store) error {
		got, err := s.Meals().Get(ctx, u.ID, m.ID)
		require.NoError(t, err)
		require.Equal(t, day, got.LocalDate)
		require.True(t, got.EatenAt.Equal(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)))
		require.Equal(t, nutrition.Breakfast, got.Type)
		require.Equal(t, "toast", got.Note)
		require.Len(t, got.Entries, 2)
		require.Equal(t, "Butter, salted", got.Entries[0].Name)
		require.Equal(t, butter.ID, *got.Entries[0].FoodID)
		require.Equal(t, 10.0, *got.Entries[0].Grams)
		kcal, _ := got.Entries[0].Amounts.Get(nutrition.EnergyKcal)
		require.InDelta(t, 71.7, kcal, 1e-12)
		require.Nil(t, got.Entries[1].FoodID)
		require.Nil(t, got.Entries[1].Grams)
		_, ok := got.Entries[1].Amounts.Get(nutrition.Sodium)
		require.False(t, ok)

		mid, err := s.Meals().MealOfEntry(ctx, u.ID, got.Entries[1].ID)
		require.NoError(t, err)
		require.Equal(t, m.ID, mid)
		_, err = s.Meals().MealOfEntry(ctx, other.ID, got.Entries[1].ID)
		require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err))
		_, err = s.Meals().Get(ctx, other.ID, m.ID)
		require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err))

		tot, n, err := s.Meals().DayTotals(ctx, u.ID, day)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		sum, missing := tot.Get(nutrition.EnergyKcal)
		require.InDelta(t, 73.7, sum, 1e-12)
		require.Equal(t, 0, missing)
		sum, missing = tot.Get(nutrition.Sodium)
		require.InDelta(t, 64.3, sum, 1e-12)
		require.Equal(t, 1, missing)
		require.Equal(t, 2, tot.Count)
		require.NoError(t, s.Meals().SetDayTotals(ctx, u.ID, day, tot, n))
		require.NoError(t, s.Meals().SetDayTotals(ctx, u.ID, day, tot, n), "idempotent")

		// Entries: update, add, delete.
		e := got.Entries[1]
		e.Name, e.Grams, e.Amounts = "Green tea", pf(250), nutrition.Amounts{}.With(nutrition.EnergyKcal, 2.5).With(nutrition.Potassium, 20)
		require.NoError(t, s.Meals().UpdateEntry(ctx, e))
		added, err := s.Meals().AddEntry(ctx, u.ID, nutrition.Entry{MealID: m.ID, Position: 2, Name: "Jam", Amounts: nutrition.Amounts{}.With(nutrition.Sugars, 12)})
		require.NoError(t, err)
		require.NoError(t, s.Meals().DeleteEntry(ctx, got.Entries[0].ID))
		got, err = s.Meals().Get(ctx, u.ID, m.ID)
		require.NoError(t, err)
		require.Len(t, got.Entries, 2)
		require.Equal(t, "Green tea", got.Entries[0].Name)
		require.Equal(t, 250.0, *got.Entries[0].Grams)
		k, _ := got.Entries[0].Amounts.Get(nutrition.Potassium)
		require.Equal(t, 20.0, k)
		require.Equal(t, added.ID, got.Entries[1].ID)
		_, err = s.Meals().MealOfEntry(ctx, u.ID, m.Entries[0].ID)
		require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err), "a deleted entry is gone")

		// Move the meal, then delete it.
		got.LocalDate, got.EatenAt, got.Type, got.Note = day.AddDays(1), got.EatenAt.Add(24*time.Hour), nutrition.Snack, ""
		require.NoError(t, s.Meals().Update(ctx, got))
		require.NoError(t, s.Meals().SetMealTotals(ctx, u.ID, m.ID, got.Totals()))
		moved, err := s.Meals().Get(ctx, u.ID, m.ID)
		require.NoError(t, err)
		require.Equal(t, day.AddDays(1), moved.LocalDate)
		require.Equal(t, nutrition.Snack, moved.Type)
		_, n, err = s.Meals().DayTotals(ctx, u.ID, day)
		require.NoError(t, err)
		require.Equal(t, 0, n)
		tot, n, err = s.Meals().DayTotals(ctx, u.ID, day.AddDays(1))
		require.NoError(t, err)
		require.Equal(t, 1, n)
		sum, _ = tot.Get(nutrition.EnergyKcal)
		require.InDelta(t, 2.5, sum, 1e-12)
		require.NoError(t, s.Meals().Delete(ctx, m.ID))
		_, err = s.Meals().Get(ctx, u.ID, m.ID)
		require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err))
		_, n, err = s.Meals().DayTotals(ctx, u.ID, day.AddDays(1))
		require.NoError(t, err)
		require.Equal(t, 0, n, "a deleted meal does not count")
		return nil
	})
}

func testTargets(t *testing.T, uow app.UnitOfWork) {
	u := mkUser(t, uow, "targets@example.com")
	goals := []nutrition.Goal{{Nutrient: nutrition.EnergyKcal, Amount: 2000, Direction: nutrition.Around}, {Nutrient: nutrition.Sodium, Amount: 2000, Direction: nutrition.AtMost}}
	var a, b nutrition.Target
	viewerDo(t, uow, u.ID, func(ctx context.Context, s app.Store) error {
		n, err := s.Targets().Count(ctx, u.ID)
		require.NoError(t, err)
		require.Equal(t, 0, n)
		_, ok, err := s.Targets().Active(ctx, u.ID)
		require.NoError(t, err)
		require.False(t, ok)
		a, err = s.Targets().Create(ctx, nutrition.Target{UserID: u.ID, Name: "A", Source: nutrition.SourceComputed, Active: true, Goals: goals})
		require.NoError(t, err)
		b, err = s.Targets().Create(ctx, nutrition.Target{UserID: u.ID, Name: "B", Source: nutrition.SourceCustom, Goals: goals[:1]})
		return err
	})
	err := uow.Do(app.WithViewer(context.Background(), app.Viewer{UserID: u.ID}), func(ctx context.Context, s app.Store) error {
		return s.Targets().SetActive(ctx, b.ID, true)
	})
	require.Equal(t, nutrition.CodeConflict, nutrition.CodeOf(err), "at most one active target: %v", err)
	viewerDo(t, uow, u.ID, func(ctx context.Context, s app.Store) error {
		got, ok, err := s.Targets().Active(ctx, u.ID)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, a.ID, got.ID)
		require.Equal(t, goals, got.Goals, "goals keep their order")
		require.Equal(t, nutrition.SourceComputed, got.Source)
		require.NoError(t, s.Targets().SetActive(ctx, a.ID, false))
		require.NoError(t, s.Targets().SetActive(ctx, b.ID, true))
		b.Name, b.Goals = "B2", []nutrition.Goal{{Nutrient: nutrition.Fiber, Amount: 30, Direction: nutrition.AtLeast}}
		require.NoError(t, s.Targets().Update(ctx, b))
		got, err = s.Targets().Get(ctx, u.ID, b.ID)
		require.NoError(t, err)
		require.Equal(t, "B2", got.Name)
		require.True(t, got.Active)
		require.Equal(t, b.Goals, got.Goals)
		require.NoError(t, s.Targets().AddSnapshot(ctx, u.ID, b.ID, nutrition.Date{Year: 2026, Month: 1, Day: 2}, b.Goals))
		require.NoError(t, s.Targets().AddSnapshot(ctx, u.ID, b.ID, nutrition.Date{Year: 2026, Month: 1, Day: 3}, nil))
		require.NoError(t, s.Targets().Delete(ctx, a.ID))
		_, err = s.Targets().Get(ctx, u.ID, a.ID)
		require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err))
		n, err := s.Targets().Count(ctx, u.ID)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		return nil
	})
}

func testOwnFoods(t *testing.T, h Harness) {
	uow := h.UoW
	u := mkUser(t, uow, "cook@example.com")
	other := mkUser(t, uow, "nosy@example.com")
	var f nutrition.Food
	viewerDo(t, uow, u.ID, func(ctx context.Context, s app.Store) error {
		n, err := s.Foods().CountOwn(ctx, u.ID)
		require.NoError(t, err)
		require.Equal(t, 0, n)
		uid := u.ID
		f, err = s.Foods().Create(ctx, nutrition.Food{UserID: &uid, Name: "Granola", Group: "Breakfast", Per100g: nutrition.Amounts{}.With(nutrition.EnergyKcal, 450).With(nutrition.Fiber, 7),
			Portions: []nutrition.Portion{{Amount: 1, Unit: "bowl", Grams: 60}}})
		require.NoError(t, err)
		require.Equal(t, "Granola", f.Name)
		require.Equal(t, "Breakfast", f.Group)
		require.Len(t, f.Portions, 1)
		got, err := s.Foods().Get(ctx, f.ID)
		require.NoError(t, err, "own foods can be logged")
		require.Equal(t, 60.0, got.Portions[0].Grams)
		n, err = s.Foods().CountOwn(ctx, u.ID)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		ref, err := s.Foods().Referenced(ctx, f.ID)
		require.NoError(t, err)
		require.False(t, ref)

		f.Name, f.Group, f.Portions = "Granola, honey", "", []nutrition.Portion{{Amount: 0.5, Unit: "cup", Grams: 55}, {Amount: 1, Unit: "bar", Grams: 25}}
		f.Per100g = f.Per100g.With(nutrition.Sugars, 20)
		require.NoError(t, s.Foods().Update(ctx, f))
		got, err = s.Foods().GetOwn(ctx, u.ID, f.ID)
		require.NoError(t, err)
		require.Equal(t, "Granola, honey", got.Name)
		require.Equal(t, "", got.Group)
		require.Len(t, got.Portions, 2)
		require.Equal(t, "bar", got.Portions[1].Unit)
		sug, ok := got.Per100g.Get(nutrition.Sugars)
		require.True(t, ok)
		require.Equal(t, 20.0, sug)

		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		require.NoError(t, s.Foods().SetArchived(ctx, f.ID, &at))
		_, err = s.Foods().Get(ctx, f.ID)
		require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err), "archived foods cannot be logged")
		got, err = s.Foods().GetOwn(ctx, u.ID, f.ID)
		require.NoError(t, err)
		require.True(t, at.Equal(*got.ArchivedAt))
		n, err = s.Foods().CountOwn(ctx, u.ID)
		require.NoError(t, err)
		require.Equal(t, 0, n, "archived foods do not count")
		require.NoError(t, s.Foods().SetArchived(ctx, f.ID, nil))
		return nil
	})
	viewerDo(t, uow, other.ID, func(ctx context.Context, s app.Store) error {
		_, err := s.Foods().Get(ctx, f.ID)
		require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err), "another user's food")
		_, err = s.Foods().GetOwn(ctx, other.ID, f.ID)
		require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err))
		return nil
	})
	viewerDo(t, uow, u.ID, func(ctx context.Context, s app.Store) error {
		require.NoError(t, s.Foods().Delete(ctx, f.ID))
		_, err := s.Foods().GetOwn(ctx, u.ID, f.ID)
		require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err))
		return nil
	})
}
