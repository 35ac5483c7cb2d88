package server_test

import (
	"net/http"
	"testing"
	"time"

	"nutrigraph/internal/gid"
	"nutrigraph/internal/testdb"
)

// TestUpdateEntryErrorsNameTheField: the input errors of updateEntry name
// the field of UpdateEntryInput (they were ".portionId", ".quantity",
// ".grams": the path of a nested entry input with an empty prefix).
func TestUpdateEntryErrorsNameTheField(t *testing.T) {
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, dialect, nil)
			u := e.register(t, "eater@example.com", "a long password")
			var fd createdFood
			e.ok(t, u.Token, createFoodMutation, map[string]any{"in": map[string]any{"name": "Porridge",
				"nutrients": map[string]any{"energyKcal": 70},
				"portions":  []any{map[string]any{"amount": 1, "unit": "bowl", "grams": 250}}}}, &fd)
			portion := fd.CreateFood.Portions[0].ID
			var ml loggedMeal
			e.ok(t, u.Token, logMealMutation, map[string]any{"in": map[string]any{
				"eatenAt": start.Format(time.RFC3339), "mealType": "BREAKFAST",
				"entries": []any{map[string]any{"foodId": fd.CreateFood.ID, "grams": 100}}}}, &ml)
			entry := ml.LogMeal.Entries[0].ID

			const update = `mutation($id: ID!, $in: UpdateEntryInput!) { updateEntry(id: $id, input: $in) { entries { grams energyKcal } } }`
			for _, c := range []struct {
				in    map[string]any
				field string
			}{
				{map[string]any{"portionId": gid.New(gid.FoodPortion).String()}, "portionId"},
				{map[string]any{"portionId": portion, "grams": 10}, "grams"},
				{map[string]any{"portionId": portion, "quantity": -1}, "quantity"},
				{map[string]any{"portionId": portion, "quantity": 1000}, "quantity"},
				{map[string]any{"grams": 10, "quantity": 1}, "quantity"},
				{map[string]any{"grams": -1}, "grams"},
			} {
				e.fails(t, u.Token, update, map[string]any{"id": entry, "in": c.in}, http.StatusOK, "BAD_USER_INPUT", c.field)
			}
			// A valid change: two bowls.
			var got struct {
				UpdateEntry struct {
					Entries []struct{ Grams, EnergyKcal float64 }
				}
			}
			e.ok(t, u.Token, update, map[string]any{"id": entry, "in": map[string]any{"portionId": portion, "quantity": 2}}, &got)
			if len(got.UpdateEntry.Entries) != 1 || got.UpdateEntry.Entries[0].Grams != 500 || got.UpdateEntry.Entries[0].EnergyKcal != 350 {
				t.Errorf("after updateEntry(2 bowls) = %s, want 500 g, 350 kcal", mustJSON(got))
			}
		})
	}
}
