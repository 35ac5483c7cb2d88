package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"nutrigraph/internal/testdb"
)

// Regression tests of what an adversarial run found.

// TestSummaryFloodRefused: a year of summaries costs its selection once per
// day, so a query cannot ask for it hundreds of times over.
func TestSummaryFloodRefused(t *testing.T) {
	e := newEnv(t, "sqlite3", nil)
	a := e.register(t, "flood@example.com", "a long password")
	sel := `{ date mealCount nutrients { nutrient amount missing } progress { nutrient goal ratio status } }`
	one := `dailySummaries(from: "2026-01-01", to: "2026-12-31") ` + sel
	e.ok(t, a.Token, "{ "+one+" }", nil, nil)
	var b strings.Builder
	b.WriteString("{ ")
	for i := range 20 {
		fmt.Fprintf(&b, "a%d: %s ", i, one)
	}
	b.WriteString("}")
	e.fails(t, a.Token, b.String(), nil, http.StatusUnprocessableEntity, "COMPLEXITY_LIMIT_EXCEEDED", "")
}

// TestHostileValuesAreUserErrors: values that used to reach the database or
// overflow come back as BAD_USER_INPUT naming the field, on both databases,
// and nothing is written.
func TestHostileValuesAreUserErrors(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			e := newEnv(t, d, nil)
			a := e.register(t, "hostile@example.com", "a long password")
			logMeal := `mutation($in: LogMealInput!) { logMeal(input: $in) { id } }`
			meal := func(entry map[string]any, note string) map[string]any {
				return map[string]any{"in": map[string]any{"eatenAt": start.Add(-time.Hour).Format(time.RFC3339), "mealType": "LUNCH", "note": note,
					"entries": []any{entry}}}
			}
			e.fails(t, a.Token, logMeal, meal(map[string]any{"name": "x", "nutrients": map[string]any{"energyKcal": 1e308}}, ""),
				http.StatusOK, "BAD_USER_INPUT", "entries.0.nutrients.energy_kcal")
			e.fails(t, a.Token, logMeal, meal(map[string]any{"name": "nul\u0000name", "nutrients": map[string]any{}}, ""),
				http.StatusOK, "BAD_USER_INPUT", "entries.0.name")
			e.fails(t, a.Token, logMeal, meal(map[string]any{"name": "ok", "nutrients": map[string]any{}}, "nul\u0000note"),
				http.StatusOK, "BAD_USER_INPUT", "note")
			e.fails(t, a.Token, `mutation { createTarget(input: {name: "tiny", goals: [{nutrient: ENERGY_KCAL, amount: 1e-310, direction: AT_MOST}]}) { id } }`, nil,
				http.StatusOK, "BAD_USER_INPUT", "goals.0.amount")
			e.fails(t, a.Token, `mutation($n: String!) { createFood(input: {name: $n}) { id } }`, map[string]any{"n": "a\u0000b"},
				http.StatusOK, "BAD_USER_INPUT", "name")
			// A filter value the database cannot hold is the user's mistake too.
			r := e.gql(t, a.Token, `query($s: String!) { meals(first: 5, where: {noteContains: $s}) { totalCount } }`, map[string]any{"s": "\u0000"})
			if len(r.Errors) > 0 && r.Errors[0].Extensions["code"] == "INTERNAL" {
				t.Errorf("NUL in a filter: %s", r.Raw)
			}
			var got struct{ Meals struct{ TotalCount int } }
			e.ok(t, a.Token, `{ meals { totalCount } }`, nil, &got)
			if got.Meals.TotalCount != 0 {
				t.Errorf("%d meals written by refused requests", got.Meals.TotalCount)
			}
		})
	}
}
