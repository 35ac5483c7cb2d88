package app_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"nutrigraph/internal/app"
	"nutrigraph/internal/nutrition"
)

type nfixture struct {
	*fixture
	meals   *app.Meals
	targets *app.Targets
	ctx     context.Context
	user    app.ID
	banana  nutrition.Food
	oil     nutrition.Food
}

func fp(v float64) *float64 { return &v }

func newNFixture(t *testing.T) *nfixture {
	f := newFixture(t)
	// New York: 2026-03-01 12:00 UTC is 07:00 local (EST).
	auth, err := f.acc.Register(context.Background(), app.RegisterInput{Email: "ada@example.com", Password: "s3cret-pass", TimeZone: "America/New_York"})
	require.NoError(t, err)
	v, err := f.acc.Authenticate(context.Background(), auth.Token)
	require.NoError(t, err)
	clock := func() time.Time { return f.now }
	meals, err := app.NewMeals(f.store, clock)
	require.NoError(t, err)
	targets, err := app.NewTargets(f.store, clock)
	require.NoError(t, err)
	n := &nfixture{fixture: f, meals: meals, targets: targets, ctx: app.WithViewer(context.Background(), v), user: v.UserID}
	// Bananas, raw (USDA SR26 09040), per 100 g; vitamin C known, iron known, sugars known.
	n.banana = f.store.AddFood(nutrition.Food{Name: "Bananas, raw",
		Per100g:  nutrition.Amounts{}.With(nutrition.EnergyKcal, 89).With(nutrition.Protein, 1.09).With(nutrition.Sodium, 1).With(nutrition.VitaminC, 8.7),
		Portions: []nutrition.Portion{{Amount: 1, Unit: "cup, mashed", Grams: 225}, {Amount: 0.5, Unit: "cup, sliced", Grams: 75}}})
	n.oil = f.store.AddFood(nutrition.Food{Name: "Oil, olive", Per100g: nutrition.Amounts{}.With(nutrition.EnergyKcal, 884).With(nutrition.Fat, 100)})
	return n
}

func (n *nfixture) day(t *testing.T, d string) (nutrition.Totals, int) {
	t.Helper()
	date, err := nutrition.ParseDate("", d)
	require.NoError(t, err)
	tot, meals, ok := n.store.Day(n.user, date)
	if !ok {
		return nutrition.Totals{}, 0
	}
	return tot, meals
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestLogMealTotals(t *testing.T) {
	n := newNFixture(t)
	bananaID, oilID := n.banana.ID, n.oil.ID
	mashed := n.banana.Portions[0].ID
	m, err := n.meals.LogMeal(n.ctx, app.LogMealInput{
		EatenAt: at("2026-03-01T12:30:00Z"), Type: nutrition.Breakfast,
		Entries: []app.EntryInput{
			{FoodID: &bananaID, PortionID: &mashed, Quantity: fp(2)}, // 2 × 1 cup = 450 g
			{FoodID: &oilID, Grams: fp(10)},
			{Name: strp("Coffee"), Amounts: &nutrition.Amounts{}}, // all unknown
		},
	})
	require.NoError(t, err)
	require.Equal(t, "2026-03-01", m.LocalDate.String())
	require.Len(t, m.Entries, 3)
	require.Equal(t, 450.0, *m.Entries[0].Grams)
	kcal, _ := m.Entries[0].Amounts.Get(nutrition.EnergyKcal)
	require.InDelta(t, 400.5, kcal, 1e-9, "89 kcal/100 g × 450 g")

	tot, meals := n.day(t, "2026-03-01")
	require.Equal(t, 1, meals)
	sum, missing := tot.Get(nutrition.EnergyKcal)
	require.InDelta(t, 400.5+88.4, sum, 1e-9)
	require.Equal(t, 1, missing, "coffee's energy is unknown")
	sum, missing = tot.Get(nutrition.Fat)
	require.InDelta(t, 10.0, sum, 1e-9)
	require.Equal(t, 2, missing, "banana's and coffee's fat are unknown")
	sum, missing = tot.Get(nutrition.VitaminC)
	require.InDelta(t, 39.15, sum, 1e-9)
	require.Equal(t, 2, missing)
}

func strp(s string) *string { return &s }

func TestLogMealValidation(t *testing.T) {
	n := newNFixture(t)
	bananaID := n.banana.ID
	unknown := app.ID{9}
	ok := at("2026-03-01T12:00:00Z")
	many := make([]app.EntryInput, 51)
	for i := range many {
		many[i] = app.EntryInput{FoodID: &bananaID, Grams: fp(1)}
	}
	for _, c := range []struct {
		name  string
		in    app.LogMealInput
		field string
	}{
		{"no entries", app.LogMealInput{EatenAt: ok, Type: nutrition.Lunch}, "entries"},
		{"51 entries", app.LogMealInput{EatenAt: ok, Type: nutrition.Lunch, Entries: many}, "entries"},
		{"two days ahead", app.LogMealInput{EatenAt: ok.Add(25 * time.Hour), Type: nutrition.Lunch, Entries: many[:1]}, "eatenAt"},
		{"bad type", app.LogMealInput{EatenAt: ok, Type: "BRUNCH", Entries: many[:1]}, "type"},
		{"zero grams", app.LogMealInput{EatenAt: ok, Type: nutrition.Lunch, Entries: []app.EntryInput{{FoodID: &bananaID, Grams: fp(0)}}}, "entries.0.grams"},
		{"11 kg", app.LogMealInput{EatenAt: ok, Type: nutrition.Lunch, Entries: []app.EntryInput{{FoodID: &bananaID, Grams: fp(10001)}}}, "entries.0.grams"},
		{"NaN grams", app.LogMealInput{EatenAt: ok, Type: nutrition.Lunch, Entries: []app.EntryInput{many[0], {FoodID: &bananaID, Grams: fp(math.NaN())}}}, "entries.1.grams"},
		{"unknown food", app.LogMealInput{EatenAt: ok, Type: nutrition.Lunch, Entries: []app.EntryInput{{FoodID: &unknown, Grams: fp(1)}}}, "entries.0.foodId"},
		{"unknown portion", app.LogMealInput{EatenAt: ok, Type: nutrition.Lunch, Entries: []app.EntryInput{{FoodID: &bananaID, PortionID: &unknown}}}, "entries.0.portionId"},
		{"negative amount", app.LogMealInput{EatenAt: ok, Type: nutrition.Lunch, Entries: []app.EntryInput{{Name: strp("x"), Amounts: ptrA(nutrition.Amounts{}.With(nutrition.Iron, -1))}}}, "entries.0.nutrients.iron"},
		{"no name", app.LogMealInput{EatenAt: ok, Type: nutrition.Lunch, Entries: []app.EntryInput{{Name: strp("  "), Amounts: &nutrition.Amounts{}}}}, "entries.0.name"},
		{"food without weight", app.LogMealInput{EatenAt: ok, Type: nutrition.Lunch, Entries: []app.EntryInput{{FoodID: &bananaID}}}, "entries.0.grams"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := n.meals.LogMeal(n.ctx, c.in)
			require.Equal(t, nutrition.CodeInvalid, nutrition.CodeOf(err), "%v", err)
			require.Equal(t, c.field, nutrition.FieldOf(err))
		})
	}
	_, meals := n.day(t, "2026-03-01")
	require.Equal(t, 0, meals, "nothing half-written")
	_, err := n.meals.LogMeal(context.Background(), app.LogMealInput{})
	require.Equal(t, nutrition.CodeUnauthenticated, nutrition.CodeOf(err))
}

func ptrA(a nutrition.Amounts) *nutrition.Amounts { return &a }

func TestMealEditsMoveTotals(t *testing.T) {
	n := newNFixture(t)
	oilID := n.oil.ID
	m, err := n.meals.LogMeal(n.ctx, app.LogMealInput{EatenAt: at("2026-03-01T17:00:00Z"), Type: nutrition.Lunch,
		Entries: []app.EntryInput{{FoodID: &oilID, Grams: fp(10)}, {FoodID: &oilID, Grams: fp(5)}}})
	require.NoError(t, err)
	kcal := func(d string) float64 { tot, _ := n.day(t, d); s, _ := tot.Get(nutrition.EnergyKcal); return s }
	require.InDelta(t, 132.6, kcal("2026-03-01"), 1e-9)

	// Grams change rescales the copied amounts.
	m, err = n.meals.UpdateEntry(n.ctx, m.Entries[1].ID, app.UpdateEntryInput{Grams: fp(20)})
	require.NoError(t, err)
	require.InDelta(t, 265.2, kcal("2026-03-01"), 1e-9)

	// Moving the meal to the next local day (2026-03-02 05:00Z is 00:00 EST on 03-02).
	moved := at("2026-03-02T05:00:00Z")
	m, err = n.meals.UpdateMeal(n.ctx, m.ID, app.UpdateMealInput{EatenAt: &moved})
	require.NoError(t, err)
	require.Equal(t, "2026-03-02", m.LocalDate.String())
	require.Equal(t, 0.0, kcal("2026-03-01"))
	_, meals := n.day(t, "2026-03-01")
	require.Equal(t, 0, meals)
	require.InDelta(t, 265.2, kcal("2026-03-02"), 1e-9)

	// Copy to another day, then delete an entry and a meal.
	cp, err := n.meals.CopyMeal(n.ctx, m.ID, at("2026-03-01T23:00:00Z"), nil)
	require.NoError(t, err)
	require.Equal(t, "2026-03-01", cp.LocalDate.String())
	require.InDelta(t, 265.2, kcal("2026-03-01"), 1e-9)
	_, err = n.meals.DeleteEntry(n.ctx, m.Entries[0].ID)
	require.NoError(t, err)
	require.InDelta(t, 176.8, kcal("2026-03-02"), 1e-9)
	require.NoError(t, n.meals.DeleteMeal(n.ctx, cp.ID))
	require.Equal(t, 0.0, kcal("2026-03-01"))
	_, err = n.meals.AddEntry(n.ctx, m.ID, app.EntryInput{Name: strp("Bread"), Amounts: ptrA(nutrition.Amounts{}.With(nutrition.EnergyKcal, 80))})
	require.NoError(t, err)
	require.InDelta(t, 256.8, kcal("2026-03-02"), 1e-9)

	// A time-zone change after logging does not move history.
	tz := "Asia/Tokyo"
	_, err = n.acc.UpdateProfile(n.ctx, app.ProfilePatch{TimeZone: &tz})
	require.NoError(t, err)
	got, err := n.meals.UpdateMeal(n.ctx, m.ID, app.UpdateMealInput{Note: strp("late snack")})
	require.NoError(t, err)
	require.Equal(t, "2026-03-02", got.LocalDate.String())

	// The last entry of a meal stays: delete the meal instead.
	one, err := n.meals.LogMeal(n.ctx, app.LogMealInput{EatenAt: at("2026-03-02T06:00:00Z"), Type: nutrition.Snack,
		Entries: []app.EntryInput{{FoodID: &oilID, Grams: fp(1)}}})
	require.NoError(t, err)
	_, err = n.meals.DeleteEntry(n.ctx, one.Entries[0].ID)
	require.Equal(t, nutrition.CodeInvalid, nutrition.CodeOf(err))
	require.NoError(t, n.meals.DeleteMeal(n.ctx, one.ID))

	// Other users see nothing of it.
	other, err := n.acc.Register(context.Background(), app.RegisterInput{Email: "bob@example.com", Password: "s3cret-pass"})
	require.NoError(t, err)
	ov, _ := n.acc.Authenticate(context.Background(), other.Token)
	octx := app.WithViewer(context.Background(), ov)
	_, err = n.meals.UpdateMeal(octx, m.ID, app.UpdateMealInput{Note: strp("mine now")})
	require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err))
	_, err = n.meals.DeleteEntry(octx, m.Entries[1].ID)
	require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err))
	require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(n.meals.DeleteMeal(octx, m.ID)))
}

func TestTargetsAndSnapshots(t *testing.T) {
	n := newNFixture(t)
	_, err := n.targets.ComputeTargetFromProfile(n.ctx, "")
	require.Equal(t, "profile.sex", nutrition.FieldOf(err))

	sex, lvl, h, w, bd := nutrition.Female, nutrition.Moderate, 165.0, 60.0, "1996-01-15"
	_, err = n.acc.UpdateProfile(n.ctx, app.ProfilePatch{Sex: &sex, ActivityLevel: &lvl, HeightCm: &h, WeightKg: &w, BirthDate: &bd})
	require.NoError(t, err)
	computed, err := n.targets.ComputeTargetFromProfile(n.ctx, "")
	require.NoError(t, err)
	require.True(t, computed.Active)
	require.Equal(t, nutrition.SourceComputed, computed.Source)
	require.Equal(t, 2046.0, computed.Goals[0].Amount)

	custom, err := n.targets.CreateTarget(n.ctx, app.CreateTargetInput{Name: "Cut", Goals: []nutrition.Goal{{Nutrient: nutrition.EnergyKcal, Amount: 1800, Direction: nutrition.AtMost}}})
	require.NoError(t, err)
	require.False(t, custom.Active, "a second target is not activated unless asked")

	n.now = n.now.Add(48 * time.Hour) // 2026-03-03 local
	_, err = n.targets.ActivateTarget(n.ctx, custom.ID)
	require.NoError(t, err)
	n.now = n.now.Add(24 * time.Hour) // 2026-03-04
	_, err = n.targets.UpdateTarget(n.ctx, custom.ID, app.UpdateTargetInput{Goals: []nutrition.Goal{{Nutrient: nutrition.EnergyKcal, Amount: 1700, Direction: nutrition.AtMost}}})
	require.NoError(t, err)
	require.NoError(t, n.targets.DeleteTarget(n.ctx, custom.ID))

	snaps := n.store.Snapshots(n.user)
	require.Len(t, snaps, 4)
	for _, c := range []struct {
		day  string
		kcal float64
		none bool
	}{
		{"2026-02-28", 0, true},
		{"2026-03-01", 2046, false},
		{"2026-03-02", 2046, false},
		{"2026-03-03", 1800, false},
		{"2026-03-04", 0, true}, // updated to 1700, then deleted the same day: the later snapshot wins
	} {
		d, _ := nutrition.ParseDate("", c.day)
		s, ok := nutrition.SnapshotOn(snaps, d)
		if c.none {
			require.True(t, !ok || len(s.Goals) == 0, c.day)
			continue
		}
		require.True(t, ok, c.day)
		require.Equal(t, c.kcal, s.Goals[0].Amount, c.day)
	}

	// Plan limit: after the trial, the free plan allows one target.
	n.now = n.now.Add(15 * 24 * time.Hour)
	_, err = n.targets.CreateTarget(n.ctx, app.CreateTargetInput{Name: "Another", Goals: []nutrition.Goal{{Nutrient: nutrition.Protein, Amount: 50, Direction: nutrition.AtLeast}}})
	require.Equal(t, nutrition.CodePlanLimit, nutrition.CodeOf(err), "%v", err)
	require.Equal(t, "targets", nutrition.FieldOf(err))

	_, err = n.targets.CreateTarget(n.ctx, app.CreateTargetInput{Name: "", Goals: nil})
	require.Equal(t, "name", nutrition.FieldOf(err))
	_, err = n.targets.ActivateTarget(n.ctx, app.ID{7})
	require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err))
}
