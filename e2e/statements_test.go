package e2e

import (
	"fmt"
	"testing"
	"time"

	"nutrigraph/internal/testdb"
)

// authStatements is what the bearer-token middleware costs every
// authenticated request: the session lookup.
const authStatements = 1

// TestStatementCounts sends the reads a frontend sends most through the real
// schema and middleware and counts the SQL statements each issues, first
// with few parents (2 meals on 2 days, a meal of 2 entries), then with many
// (40 meals on 26 days, a meal of 40 entries): the counts must be the same
// fixed numbers — bounded by the edges the query traverses, never by the
// rows (DESIGN §7, eager loading).
func TestStatementCounts(t *testing.T) {
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			s := newStack(t, dialect)
			c := s.user(t, "counted@example.com", "America/New_York")
			loc, _ := time.LoadLocation("America/New_York")
			now := time.Now().In(loc)

			var porridge, yoghurt struct {
				CreateFood struct {
					ID       string
					Portions []struct{ ID string }
				}
			}
			c.do(&porridge, `mutation { createFood(input: {name: "Porridge", nutrients: {energyKcal: 71, proteinG: 2.5, sodiumMg: 49},
				portions: [{amount: 1, unit: "bowl", grams: 250}, {amount: 0.5, unit: "cup", grams: 117}]}) { id portions { id } } }`, nil)
			c.do(&yoghurt, `mutation { createFood(input: {name: "Yoghurt", nutrients: {energyKcal: 61, calciumMg: 121},
				portions: [{amount: 1, unit: "pot", grams: 125}]}) { id portions { id } } }`, nil)

			// Two targets in force over the 31 days: one from 40 days ago, the
			// other from 10 days ago (the use cases' clock set back).
			goals := `goals: [{nutrient: ENERGY_KCAL, amount: 2000, direction: AROUND}, {nutrient: SODIUM, amount: 2300, direction: AT_MOST}]`
			s.at(now.AddDate(0, 0, -40), func() {
				c.do(nil, `mutation { createTarget(input: {name: "Before", `+goals+`}) { id } }`, nil)
			})
			s.at(now.AddDate(0, 0, -10), func() {
				c.do(nil, `mutation { createTarget(input: {name: "After", activate: true, `+goals+`}) { id } }`, nil)
			})

			entries := func(n int) []any {
				out := []any{
					map[string]any{"foodId": porridge.CreateFood.ID, "portionId": porridge.CreateFood.Portions[0].ID, "quantity": 1},
					map[string]any{"name": "Coffee", "nutrients": map[string]any{"energyKcal": 2}},
				}
				for i := 2; i < n; i++ {
					if i%2 == 0 {
						out = append(out, map[string]any{"foodId": yoghurt.CreateFood.ID, "grams": 100 + i})
					} else {
						out = append(out, map[string]any{"foodId": porridge.CreateFood.ID, "portionId": porridge.CreateFood.Portions[1].ID, "quantity": 2})
					}
				}
				return out
			}
			var meals []string
			logMeal := func(at time.Time, n int) {
				var r struct{ LogMeal struct{ ID string } }
				c.do(&r, `mutation($in: LogMealInput!) { logMeal(input: $in) { id } }`, map[string]any{"in": map[string]any{
					"eatenAt": at.Format(time.RFC3339), "mealType": "LUNCH", "entries": entries(n)}})
				meals = append(meals, r.LogMeal.ID)
			}
			// Meal i is eaten 18 hours before meal i-1: 40 meals cover 31 days.
			mealAt := func(i int) time.Time { return now.Add(-time.Duration(i)*18*time.Hour - time.Hour) }

			// The summaries cover 2 days with few parents and 31 with many.
			days := 2
			from := func() string { return now.AddDate(0, 0, 1-days).Format(time.DateOnly) }
			to := now.Format(time.DateOnly)
			cases := []struct {
				name  string
				query func() string
				want  int // statements besides authStatements
				why   string
			}{
				{"dailySummaries", func() string {
					return fmt.Sprintf(`{ dailySummaries(from: %q, to: %q) { date mealCount entryCount nutrients { nutrient amount missing }
						saltEquivalentG target { name } progress { nutrient goal ratio status } } }`, from(), to)
				}, 3, "daily totals, snapshots, targets"},
				{"dailySummaries with the targets' goals", func() string {
					return fmt.Sprintf(`{ dailySummaries(from: %q, to: %q) { date target { name nutrients { nutrient amount direction } } } }`, from(), to)
				}, 4, "daily totals, snapshots, targets, target nutrients"},
				{"dailySummaries with the targets' snapshots", func() string {
					return fmt.Sprintf(`{ dailySummaries(from: %q, to: %q) { date target { name snapshots(first: 5) { totalCount edges { node { effectiveFrom } } } } } }`, from(), to)
				}, 5, "daily totals, snapshots, targets, the targets' snapshots, their count"},
				{"progress(date:) with the target's goals", func() string {
					return fmt.Sprintf(`{ progress(date: %q) { date target { name nutrients { nutrient } } progress { goal status } } }`, to)
				}, 4, "daily totals, snapshots, targets, target nutrients"},
				{"meals(first: 50) with entries, foods, portions, totals", func() string {
					return `{ meals(first: 50) { edges { node { entries { name food { name portions { grams } } } nutrition { energyKcal } } } } }`
				}, 5, "meals, meal totals, entries, foods, portions"},
				{"node(id:) of a meal with entries", func() string {
					return fmt.Sprintf(`{ node(id: %q) { ... on Meal { eatenAt entries { name grams food { name } } nutrition { energyKcal } } } }`, meals[0])
				}, 4, "meal, entries, foods, meal totals"},
				{"viewer with profile, billing account, plan, entitlements", func() string {
					return `{ viewer { profile { timeZone } billingAccount { plan status } plan entitlements { plan maxTargets targets ownFoods } } }`
				}, 6, "profile; billing account three times (billingAccount, plan, entitlements.plan); count of targets; count of own foods"},
			}

			measure := func(phase string) map[string]int {
				got := map[string]int{}
				if st := s.count(c, nil, `{ __typename }`, nil); len(st) != authStatements {
					t.Errorf("%s: an authenticated { __typename } issues %d statements, want %d:%s", phase, len(st), authStatements, showStatements(st))
				}
				for _, tc := range cases {
					st := s.count(c, nil, tc.query(), nil)
					got[tc.name] = len(st)
					if len(st) != authStatements+tc.want {
						t.Errorf("%s, %s: %d statements, want %d + %d (%s):%s", phase, tc.name, len(st), authStatements, tc.want, tc.why, showStatements(st))
					}
				}
				return got
			}

			// Few parents: 2 meals on 2 days, summaries of 2 days; meals[0] has 2 entries.
			logMeal(mealAt(0), 2)
			logMeal(mealAt(1), 3)
			few := measure("2 meals, 2 days")

			// Many parents: 41 meals on 31 days, summaries of 31 days; the node
			// query reads a meal of 40 entries.
			days = 31
			for i := 2; i < 40; i++ {
				logMeal(mealAt(i), 3+i%4)
			}
			meals[0], meals[39] = meals[39], meals[0]
			logMeal(now.Add(-30*time.Minute), 40)
			meals[0] = meals[len(meals)-1]
			var check struct {
				Meals struct {
					Edges []struct{ Node struct{ LocalDate string } }
				}
				Node struct{ Entries []struct{ Name string } }
			}
			c.do(&check, fmt.Sprintf(`{ meals(first: 50) { edges { node { localDate } } } node(id: %q) { ... on Meal { entries { name } } } }`, meals[0]), nil)
			mealDays := map[string]bool{}
			for _, e := range check.Meals.Edges {
				mealDays[e.Node.LocalDate] = true
			}
			if len(check.Meals.Edges) != 41 || len(mealDays) < 26 || len(check.Node.Entries) != 40 {
				t.Fatalf("setup: %d meals on %d days, node with %d entries", len(check.Meals.Edges), len(mealDays), len(check.Node.Entries))
			}
			many := measure("41 meals, 31 days")

			// What the eager loads loaded is what each day shows: the goals
			// of the target in force that day.
			var sums struct {
				DailySummaries []struct {
					Date   string
					Target *struct {
						Name      string
						Nutrients []struct{ Nutrient string }
					}
				}
			}
			c.do(&sums, cases[1].query(), nil)
			switchDay := now.AddDate(0, 0, -10).Format(time.DateOnly)
			for _, d := range sums.DailySummaries {
				want := "Before"
				if d.Date >= switchDay {
					want = "After"
				}
				if d.Target == nil || d.Target.Name != want || len(d.Target.Nutrients) != 2 {
					t.Errorf("%s: target %+v, want %q with 2 goals", d.Date, d.Target, want)
				}
			}
			if len(sums.DailySummaries) != 31 {
				t.Errorf("%d summaries, want 31", len(sums.DailySummaries))
			}
			// Logging a meal costs the same whatever its number of entries:
			// the foods they name are read in one statement (and their
			// portions in one more), the entries inserted in one.
			logCount := func(n int) int {
				st := s.count(c, nil, `mutation($in: LogMealInput!) { logMeal(input: $in) { id } }`, map[string]any{"in": map[string]any{
					"eatenAt": now.Add(-2 * time.Hour).Format(time.RFC3339), "mealType": "SNACK", "entries": entries(n)}})
				return len(st)
			}
			if small, large := logCount(3), logCount(40); small != large {
				t.Errorf("logMeal: %d statements with 3 entries, %d with 40", small, large)
			}
			for _, tc := range cases {
				t.Logf("%-58s %d statements with few parents, %d with many (each + %d for the session)", tc.name+":", few[tc.name]-authStatements, many[tc.name]-authStatements, authStatements)
			}
		})
	}
}
