package e2e

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the test's own time zone arithmetic does not depend on the host

	"nutrigraph/internal/testdb"
)

// The user signs up in American Samoa (UTC−11) and spends the week on
// Kiritimati (UTC+14). The two zones are 25 hours apart, so at any instant
// Kiritimati's date is at least one day after Pago Pago's: the target
// computed at sign-up applies from a date before the week's "today", and
// the target changed during the week applies from today (the server runs
// on the real clock). On Kiritimati every meal before 14:00 local time has
// a UTC date one day earlier than its local date.
const (
	homeZone = "Pacific/Pago_Pago"
	awayZone = "Pacific/Kiritimati"
)

// TestJourney builds the server, runs it in an empty folder on SQLite and on
// a new PostgreSQL database, and lives a week through its HTTP API as a
// frontend would: register, profile, computed target, foods searched in the
// catalogue, meals logged by weight and by portion, a free-form entry with
// some nutrients unknown, edits, a meal moved to another day, deletions, a
// copy, a target change during the week. Then it checks every day's totals
// and progress, every meal's totals and the CSV export against numbers it
// computes itself from the food values the API showed it.
func TestJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server; skipped with -short")
	}
	dialects := testdb.Dialects(t)
	bin := buildBinary(t)
	for _, dialect := range dialects {
		t.Run(dialect, func(t *testing.T) {
			dir := t.TempDir()
			env := map[string]string{}
			if dialect == "postgres" {
				env["DATABASE_URL"] = freshPostgres(t)
			}
			p := start(t, bin, dir, env)
			journey(t, p.base)
			p.stop()
			if dialect != "postgres" {
				if _, err := os.Stat(filepath.Join(dir, "nutrigraph.db")); err != nil {
					t.Errorf("nutrigraph.db not in the working folder: %v", err)
				}
			}
		})
	}
}

// --- the test's model ------------------------------------------------------

type portion struct {
	ID     string
	Amount float64
	Unit   string
	Grams  float64
}

type food struct {
	ID       string
	Name     string
	per100   amounts
	portions []portion
}

// portion returns the food's portion of amount whose unit starts with unit.
func (f *food) portion(t testing.TB, amount float64, unit string) portion {
	t.Helper()
	for _, p := range f.portions {
		if p.Amount == amount && strings.HasPrefix(p.Unit, unit) {
			return p
		}
	}
	t.Fatalf("%s has no portion %g %q: %+v", f.Name, amount, unit, f.portions)
	return portion{}
}

// scaled returns per-100 g amounts for a weight.
func (f *food) scaled(grams float64) amounts {
	var a amounts
	for i, v := range f.per100 {
		if v != nil {
			a[i] = f64(*v * grams / 100)
		}
	}
	return a
}

type entry struct {
	id       string
	position int
	food     *food // nil for a free-form entry
	name     string
	grams    *float64
	amounts  amounts
}

type meal struct {
	id        string
	eatenAt   time.Time
	localDate string
	typ       string
	entries   []*entry // live ones
}

// snapshot is a change of the goals in force, as the test made it.
type snapshot struct {
	target     string // the target's name
	goals      map[string]goal
	candidates []string // the viewer's local date just before and just after the change
	from       string   // the effective date the server recorded (one of candidates)
}

type goal struct {
	amount    float64
	direction string
}

// world is what the test knows the user did.
type world struct {
	t     *testing.T
	c     *client
	zone  *time.Location // the profile's zone now
	meals map[string]*meal
	snaps []*snapshot
}

// item is one entry to log: a food by weight, a food by portion, or a
// free-form entry.
type item struct {
	food    *food
	grams   float64
	portion *portion
	qty     float64
	name    string
	amounts amounts
}

func byWeight(f *food, grams float64) item { return item{food: f, grams: grams} }

func byPortion(t testing.TB, f *food, amount float64, unit string, qty float64) item {
	p := f.portion(t, amount, unit)
	return item{food: f, portion: &p, qty: qty}
}

func freeForm(name string, a amounts) item { return item{name: name, amounts: a} }

func (it item) input() map[string]any {
	switch {
	case it.food == nil:
		return map[string]any{"name": it.name, "nutrients": it.amounts.input()}
	case it.portion != nil:
		return map[string]any{"foodId": it.food.ID, "portionId": it.portion.ID, "quantity": it.qty}
	default:
		return map[string]any{"foodId": it.food.ID, "grams": it.grams}
	}
}

// expect is the entry the test expects the server to make of it: quantity ×
// portion grams / portion amount, and per-100 g values × grams / 100.
func (it item) expect() *entry {
	switch {
	case it.food == nil:
		return &entry{name: it.name, amounts: it.amounts}
	case it.portion != nil:
		g := it.qty * it.portion.Grams / it.portion.Amount
		return &entry{food: it.food, name: it.food.Name, grams: &g, amounts: it.food.scaled(g)}
	default:
		g := it.grams
		return &entry{food: it.food, name: it.food.Name, grams: &g, amounts: it.food.scaled(g)}
	}
}

const mealFields = `id localDate eatenAt mealType entries { id position name grams }`

type mealResp struct {
	ID        string
	LocalDate string
	EatenAt   time.Time
	MealType  string
	Entries   []struct {
		ID       string
		Position int
		Name     string
		Grams    *float64
	}
}

// apply checks a meal the server returned against the model's meal m and
// records the entry ids (matched by position).
func (w *world) apply(m *meal, r mealResp) {
	w.t.Helper()
	if r.LocalDate != m.localDate || !r.EatenAt.Equal(m.eatenAt) || r.MealType != m.typ {
		w.t.Fatalf("meal %s: server has %s %s %s, want %s %s %s", r.ID, r.LocalDate, r.EatenAt, r.MealType, m.localDate, m.eatenAt, m.typ)
	}
	if len(r.Entries) != len(m.entries) {
		w.t.Fatalf("meal %s: %d entries, want %d", r.ID, len(r.Entries), len(m.entries))
	}
	m.id = r.ID
	for _, e := range m.entries {
		found := false
		for _, re := range r.Entries {
			if re.Position != e.position {
				continue
			}
			found = true
			e.id = re.ID
			if re.Name != e.name {
				w.t.Errorf("entry %d of meal %s: name %q, want %q", e.position, r.ID, re.Name, e.name)
			}
			if (re.Grams == nil) != (e.grams == nil) || (e.grams != nil && !near(*re.Grams, *e.grams)) {
				w.t.Errorf("entry %d (%s) of meal %s: grams %v, want %v", e.position, e.name, r.ID, ptrString(re.Grams), ptrString(e.grams))
			}
		}
		if !found {
			w.t.Fatalf("meal %s: no entry at position %d", r.ID, e.position)
		}
	}
	w.meals[m.id] = m
}

func ptrString(p *float64) string {
	if p == nil {
		return "null"
	}
	return strconv.FormatFloat(*p, 'g', -1, 64)
}

func (w *world) localDate(at time.Time) string { return at.In(w.zone).Format(time.DateOnly) }

// logMeal logs a meal and returns the model of it.
func (w *world) logMeal(at time.Time, typ string, items ...item) *meal {
	w.t.Helper()
	m := &meal{eatenAt: at, localDate: w.localDate(at), typ: typ}
	var in []map[string]any
	for i, it := range items {
		e := it.expect()
		e.position = i
		m.entries = append(m.entries, e)
		in = append(in, it.input())
	}
	var r struct{ LogMeal mealResp }
	w.c.do(&r, `mutation($in: LogMealInput!) { logMeal(input: $in) { `+mealFields+` } }`,
		map[string]any{"in": map[string]any{"eatenAt": at.Format(time.RFC3339), "mealType": typ, "entries": in}})
	w.apply(m, r.LogMeal)
	return m
}

// setGrams changes the weight of entry i of m.
func (w *world) setGrams(m *meal, i int, grams float64) {
	w.t.Helper()
	e := m.entries[i]
	e.grams, e.amounts = &grams, e.food.scaled(grams)
	var r struct{ UpdateEntry mealResp }
	w.c.do(&r, `mutation($id: ID!, $in: UpdateEntryInput!) { updateEntry(id: $id, input: $in) { `+mealFields+` } }`,
		map[string]any{"id": e.id, "in": map[string]any{"grams": grams}})
	w.apply(m, r.UpdateEntry)
}

// setPortion changes entry i of m to qty of portion p of its food.
func (w *world) setPortion(m *meal, i int, p portion, qty float64) {
	w.t.Helper()
	e := m.entries[i]
	g := qty * p.Grams / p.Amount
	e.grams, e.amounts = &g, e.food.scaled(g)
	var r struct{ UpdateEntry mealResp }
	w.c.do(&r, `mutation($id: ID!, $in: UpdateEntryInput!) { updateEntry(id: $id, input: $in) { `+mealFields+` } }`,
		map[string]any{"id": e.id, "in": map[string]any{"portionId": p.ID, "quantity": qty}})
	w.apply(m, r.UpdateEntry)
}

// addEntry adds an entry at the end of m.
func (w *world) addEntry(m *meal, it item) {
	w.t.Helper()
	e := it.expect()
	e.position = m.entries[len(m.entries)-1].position + 1
	m.entries = append(m.entries, e)
	var r struct{ AddEntry mealResp }
	w.c.do(&r, `mutation($id: ID!, $in: EntryInput!) { addEntry(mealId: $id, input: $in) { `+mealFields+` } }`,
		map[string]any{"id": m.id, "in": it.input()})
	w.apply(m, r.AddEntry)
}

// deleteEntry deletes entry i of m.
func (w *world) deleteEntry(m *meal, i int) {
	w.t.Helper()
	id := m.entries[i].id
	m.entries = slices.Delete(m.entries, i, i+1)
	var r struct{ DeleteEntry mealResp }
	w.c.do(&r, `mutation($id: ID!) { deleteEntry(id: $id) { `+mealFields+` } }`, map[string]any{"id": id})
	w.apply(m, r.DeleteEntry)
}

// moveMeal changes the eaten-at of m (its local date follows, in the zone of now).
func (w *world) moveMeal(m *meal, at time.Time) {
	w.t.Helper()
	m.eatenAt, m.localDate = at, w.localDate(at)
	var r struct{ UpdateMeal mealResp }
	w.c.do(&r, `mutation($id: ID!, $in: UpdateMealInput!) { updateMeal(id: $id, input: $in) { `+mealFields+` } }`,
		map[string]any{"id": m.id, "in": map[string]any{"eatenAt": at.Format(time.RFC3339), "note": "moved"}})
	w.apply(m, r.UpdateMeal)
}

// deleteMeal deletes m.
func (w *world) deleteMeal(m *meal) {
	w.t.Helper()
	var r struct{ DeleteMeal string }
	w.c.do(&r, `mutation($id: ID!) { deleteMeal(id: $id) }`, map[string]any{"id": m.id})
	if r.DeleteMeal != m.id {
		w.t.Fatalf("deleteMeal returned %q, want %q", r.DeleteMeal, m.id)
	}
	delete(w.meals, m.id)
}

// copyMeal copies m to another time with another type.
func (w *world) copyMeal(m *meal, at time.Time, typ string) *meal {
	w.t.Helper()
	cp := &meal{eatenAt: at, localDate: w.localDate(at), typ: typ}
	for _, e := range m.entries {
		c := *e
		c.id = ""
		cp.entries = append(cp.entries, &c)
	}
	var r struct{ CopyMeal mealResp }
	w.c.do(&r, `mutation($id: ID!, $in: CopyMealInput!) { copyMeal(id: $id, input: $in) { `+mealFields+` } }`,
		map[string]any{"id": m.id, "in": map[string]any{"eatenAt": at.Format(time.RFC3339), "mealType": typ}})
	w.apply(cp, r.CopyMeal)
	return cp
}

const targetFields = `id name active nutrients { nutrient amount direction }`

type targetResp struct {
	ID        string
	Name      string
	Active    bool
	Nutrients []struct {
		Nutrient  string
		Amount    float64
		Direction string
	}
}

// changeTarget runs a mutation that changes the goals in force and records
// the snapshot the test expects it to write.
func (w *world) changeTarget(field, query string, vars map[string]any) targetResp {
	w.t.Helper()
	before := w.localDate(time.Now())
	var r map[string]targetResp
	w.c.do(&r, query, vars)
	after := w.localDate(time.Now())
	tg := r[field]
	if !tg.Active || len(tg.Nutrients) == 0 {
		w.t.Fatalf("%s: target %+v, want active with goals", field, tg)
	}
	s := &snapshot{target: tg.Name, goals: map[string]goal{}, candidates: []string{before, after}}
	for _, n := range tg.Nutrients {
		s.goals[n.Nutrient] = goal{n.Amount, n.Direction}
	}
	w.snaps = append(w.snaps, s)
	return tg
}

// goalsOn returns the snapshot in force on day: the latest effective date
// not after day, the latest change on ties.
func (w *world) goalsOn(day string) *snapshot {
	var best *snapshot
	for _, s := range w.snaps {
		if s.from <= day && (best == nil || s.from >= best.from) {
			best = s
		}
	}
	return best
}

// --- the journey -----------------------------------------------------------

func journey(t *testing.T, base string) {
	home, err := time.LoadLocation(homeZone)
	if err != nil {
		t.Fatal(err)
	}
	away, err := time.LoadLocation(awayZone)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, base)
	w := &world{t: t, c: c, zone: home, meals: map[string]*meal{}}

	// Sign up at home, fill the profile, compute a target.
	c.register("ana.journey@example.com", homeZone)
	var prof struct {
		UpdateProfile struct{ TimeZone, Sex, Goal string }
	}
	c.do(&prof, `mutation($in: UpdateProfileInput!) { updateProfile(input: $in) { timeZone sex goal } }`,
		map[string]any{"in": map[string]any{"displayName": "Ana", "sex": "FEMALE", "birthDate": "1990-04-12",
			"heightCm": 168.0, "weightKg": 63.5, "activityLevel": "MODERATE", "goal": "MAINTAIN"}})
	if prof.UpdateProfile.TimeZone != homeZone {
		t.Fatalf("profile: %+v", prof.UpdateProfile)
	}
	computed := w.changeTarget("computeTargetFromProfile",
		`mutation { computeTargetFromProfile(name: "Computed at home") { `+targetFields+` } }`, nil)
	if computed.Name != "Computed at home" || len(computed.Nutrients) < 5 {
		t.Fatalf("computed target: %+v", computed)
	}

	foods := searchFoods(t, c)
	banana, oats, chicken, milk := foods["banana"], foods["oats"], foods["chicken"], foods["milk"]
	apple, rice, riceMed, egg := foods["apple"], foods["rice"], foods["riceMed"], foods["egg"]
	broccoli, pb, bread, cheddar := foods["broccoli"], foods["pb"], foods["bread"], foods["cheddar"]

	// Dinner at home before the flight: its local date is Pago Pago's and
	// stays so after the time zone changes.
	homeDinner := w.logMeal(time.Now().Add(-3*time.Hour).Truncate(time.Second), "DINNER",
		byWeight(chicken, 150), byPortion(t, rice, 1, "cup", 1))

	// The week on Kiritimati: the seven days ending today there.
	c.do(&prof, `mutation { updateProfile(input: {timeZone: "`+awayZone+`"}) { timeZone sex goal } }`, nil)
	if prof.UpdateProfile.TimeZone != awayZone {
		t.Fatalf("profile: %+v", prof.UpdateProfile)
	}
	w.zone = away
	now := time.Now().In(away)
	at := func(day, hour, minute int) time.Time {
		return time.Date(now.Year(), now.Month(), now.Day()-6+day, hour, minute, 0, 0, away)
	}
	dayOf := func(day int) string { return at(day, 12, 0).Format(time.DateOnly) }

	breakfasts := [][]item{
		{byPortion(t, oats, 0.333, "cup", 1.5), byPortion(t, milk, 1, "cup", 1), byPortion(t, banana, 1, "medium", 1)},
		{byPortion(t, egg, 1, "large", 2), byPortion(t, bread, 1, "slice", 2), byWeight(apple, 150)},
		{byWeight(oats, 50), byPortion(t, milk, 1, "cup", 0.75), byPortion(t, pb, 1, "tbsp", 1)},
	}
	lunches := func(day int) [][]item {
		return [][]item{
			{byWeight(chicken, 120+5*float64(day)), byPortion(t, rice, 1, "cup", 1), byPortion(t, broccoli, 0.5, "cup, chopped", 1)},
			{byPortion(t, bread, 1, "slice", 2), byPortion(t, cheddar, 1, "slice", 1), byPortion(t, apple, 1, "medium", 1)},
			{byWeight(riceMed, 180), byPortion(t, egg, 1, "large", 1), byWeight(broccoli, 90)},
		}
	}
	snacks := [][]item{
		{byPortion(t, apple, 1, "small", 1), byPortion(t, pb, 1, "tbsp", 1)},
		{byWeight(banana, 100)},
		{byPortion(t, cheddar, 1, "oz", 1.5), byWeight(apple, 80)},
	}
	dinners := [][]item{
		{byPortion(t, chicken, 0.5, "breast", 1), byPortion(t, riceMed, 1, "cup", 1), byWeight(broccoli, 120)},
		{byPortion(t, egg, 1, "large", 2), byPortion(t, bread, 1, "slice", 1), byWeight(cheddar, 30), byPortion(t, milk, 1, "cup", 1)},
		{byWeight(chicken, 160), byWeight(rice, 200), byPortion(t, broccoli, 0.5, "cup, chopped", 2)},
	}
	// Café au lait with only some nutrients known: the others are unknown, not 0.
	cafe := freeForm("Café au lait (oat milk), 日本", amounts{0: f64(95), 1: f64(1.1), 4: f64(14.2), sodiumIndex: f64(48)})

	type dayMeals struct{ breakfast, lunch, snack, dinner, late *meal }
	week := make([]dayMeals, 7)
	logDay := func(d int) {
		m := &week[d]
		m.breakfast = w.logMeal(at(d, 7, 30), "BREAKFAST", breakfasts[d%3]...)
		lunch := lunches(d)[(d+1)%3]
		if d == 3 {
			lunch = append(slices.Clone(lunch), cafe)
		}
		m.lunch = w.logMeal(at(d, 12, 30), "LUNCH", lunch...)
		if d%3 != 0 {
			m.snack = w.logMeal(at(d, 16, 0), "SNACK", snacks[d%3]...)
		}
		m.dinner = w.logMeal(at(d, 19, 30), "DINNER", dinners[(d+2)%3]...)
		if d%3 == 2 {
			m.late = w.logMeal(at(d, 21, 45), "SNACK", snacks[(d+1)%3]...)
		}
	}
	for d := range 4 {
		logDay(d)
	}

	// The rest of the week from another device: a new session.
	var login struct{ Login struct{ Token string } }
	c.do(&login, `mutation { login(input: {email: "ana.journey@example.com", password: "correct horse battery"}) { token } }`, nil)
	if login.Login.Token == "" || login.Login.Token == c.token {
		t.Fatalf("login: token %q", login.Login.Token)
	}
	c.token = login.Login.Token

	// Mid-week: a custom target replaces the computed one from today on…
	goalsB := []map[string]any{
		{"nutrient": "ENERGY_KCAL", "amount": 2000.0, "direction": "AROUND"},
		{"nutrient": "PROTEIN", "amount": 90.0, "direction": "AT_LEAST"},
		{"nutrient": "SUGARS", "amount": 40.0, "direction": "AT_MOST"},
		{"nutrient": "FIBER", "amount": 28.0, "direction": "AT_LEAST"},
		{"nutrient": "SODIUM", "amount": 1500.0, "direction": "AT_MOST"},
		{"nutrient": "CALCIUM", "amount": 1000.0, "direction": "AROUND"},
		{"nutrient": "VITAMIN_C", "amount": 75.0, "direction": "AT_LEAST"},
		{"nutrient": "SATURATED_FAT", "amount": 0.0, "direction": "AT_MOST"},
	}
	w.changeTarget("createTarget", `mutation($in: CreateTargetInput!) { createTarget(input: $in) { `+targetFields+` } }`,
		map[string]any{"in": map[string]any{"name": "Island week", "goals": goalsB, "activate": true}})
	for d := 4; d < 7; d++ {
		logDay(d)
	}
	// …and its goals change again the same day: the later change wins today.
	var targets struct {
		Targets struct{ Edges []struct{ Node targetResp } }
	}
	c.do(&targets, `{ targets(first: 10) { edges { node { `+targetFields+` } } } }`, nil)
	var islandID string
	for _, e := range targets.Targets.Edges {
		if e.Node.Name == "Island week" {
			islandID = e.Node.ID
		}
	}
	goalsB2 := slices.Clone(goalsB)
	goalsB2[0] = map[string]any{"nutrient": "ENERGY_KCAL", "amount": 1800.0, "direction": "AROUND"}
	goalsB2[1] = map[string]any{"nutrient": "PROTEIN", "amount": 110.0, "direction": "AT_LEAST"}
	goalsB2 = append(goalsB2, map[string]any{"nutrient": "IRON", "amount": 18.0, "direction": "AT_LEAST"})
	w.changeTarget("updateTarget", `mutation($id: ID!, $in: UpdateTargetInput!) { updateTarget(id: $id, input: $in) { `+targetFields+` } }`,
		map[string]any{"id": islandID, "in": map[string]any{"goals": goalsB2}})

	// Edits.
	w.setGrams(week[1].lunch, 0, 210)  // more rice
	w.setGrams(week[5].lunch, 0, 95.5) // a smaller piece of chicken
	w.setPortion(week[2].breakfast, 1, milk.portion(t, 1, "fl oz"), 8)
	w.moveMeal(week[2].dinner, at(4, 20, 15)) // day 2's dinner was eaten on day 4
	w.deleteEntry(week[3].lunch, 1)
	w.deleteMeal(week[5].late)
	w.copyMeal(week[3].lunch, at(6, 10, 30), "SNACK") // the live entries only, positions kept
	w.addEntry(week[6].dinner, byWeight(apple, 120))

	// Every meal of the week and the dinner at home are where the test expects.
	if got := w.meals[homeDinner.id].localDate; got != homeDinner.eatenAt.In(home).Format(time.DateOnly) {
		t.Errorf("dinner at home: local date %s", got)
	}
	utcDiffers := 0
	for _, m := range w.meals {
		if m.eatenAt.UTC().Format(time.DateOnly) != m.localDate {
			utcDiffers++
		}
	}
	if utcDiffers == 0 {
		t.Error("no meal has a UTC date other than its local date: the test does not test local dates")
	}

	w.readSnapshots()
	from, to := dayOf(0), dayOf(6)
	first := at(0, 12, 0).AddDate(0, 0, -1).Format(time.DateOnly) // an empty day before the week
	if homeDinner.localDate < first {
		t.Fatalf("dinner at home on %s, before the checked range %s..%s", homeDinner.localDate, first, to)
	}
	w.checkSummaries(first, to)
	w.checkMeals(first, to)
	w.checkCSV(from, to)
}

// searchFoods finds the week's foods with foods(search:) and picks them by name.
func searchFoods(t *testing.T, c *client) map[string]*food {
	t.Helper()
	want := []struct{ key, search, name string }{
		{"banana", "banana raw", "Bananas, raw"},
		{"oats", "oats regular quick", "Cereals, oats, regular and quick, not fortified, dry"},
		{"chicken", "chicken breast roasted", "Chicken, broilers or fryers, breast, meat only, cooked, roasted"},
		{"milk", "milk reduced fat", "Milk, reduced fat, fluid, 2% milkfat, with added vitamin A and vitamin D"},
		{"apple", "apple raw", "Apples, raw, with skin"},
		{"rice", "rice white cooked", "Rice, white, long-grain, regular, cooked, enriched"},
		{"riceMed", "rice white cooked", "Rice, white, medium-grain, cooked"},
		{"egg", "egg whole boiled", "Egg, whole, cooked, hard-boiled"},
		{"broccoli", "broccoli boiled", "Broccoli, cooked, boiled, drained, without salt"},
		{"pb", "peanut butter omega", "Peanut butter with omega-3, creamy"},
		{"bread", "bread whole wheat", "Bread, whole-wheat, commercially prepared"},
		{"cheddar", "cheddar", "Cheese, cheddar"},
	}
	query := `query($q: String!) { foods(search: $q, first: 30) { edges { node { id name ` +
		strings.Join(nutrientFields[:], " ") + ` portions { id amount unit grams } } } } }`
	out := map[string]*food{}
	for _, w := range want {
		var r struct {
			Foods struct {
				Edges []struct{ Node map[string]any }
			}
		}
		c.do(&r, query, map[string]any{"q": w.search})
		for _, e := range r.Foods.Edges {
			if e.Node["name"] != w.name {
				continue
			}
			f := &food{ID: e.Node["id"].(string), Name: w.name}
			for i, field := range nutrientFields {
				if v, ok := e.Node[field].(float64); ok {
					f.per100[i] = f64(v)
				}
			}
			ps, _ := e.Node["portions"].([]any)
			for _, p := range ps {
				p := p.(map[string]any)
				f.portions = append(f.portions, portion{ID: p["id"].(string), Amount: p["amount"].(float64), Unit: p["unit"].(string), Grams: p["grams"].(float64)})
			}
			out[w.key] = f
			break
		}
		if out[w.key] == nil {
			t.Fatalf("foods(search: %q) does not list %q", w.search, w.name)
		}
	}
	// Catalogue foods with unknown values make the missing counts non-zero.
	if out["riceMed"].per100[5] != nil || out["pb"].per100[11] != nil {
		t.Fatalf("expected unknown sugars in %s and vitamin C in %s", out["riceMed"].Name, out["pb"].Name)
	}
	return out
}

// readSnapshots reads the effective dates of the targets' snapshots and
// matches them with the changes the test made.
func (w *world) readSnapshots() {
	w.t.Helper()
	var r struct {
		Targets struct {
			Edges []struct {
				Node struct {
					Name      string
					Snapshots struct {
						Edges []struct {
							Node struct{ EffectiveFrom string }
						}
					}
				}
			}
		}
	}
	w.c.do(&r, `{ targets(first: 10) { edges { node { name snapshots(first: 10) { edges { node { effectiveFrom } } } } } } }`, nil)
	dates := map[string][]string{}
	for _, e := range r.Targets.Edges {
		for _, s := range e.Node.Snapshots.Edges {
			dates[e.Node.Name] = append(dates[e.Node.Name], s.Node.EffectiveFrom)
		}
	}
	for _, s := range w.snaps {
		for _, c := range s.candidates {
			if slices.Contains(dates[s.target], c) {
				s.from = c
			}
		}
		if s.from == "" {
			w.t.Fatalf("target %q: snapshots from %v, want one from the viewer's local today %v", s.target, dates[s.target], s.candidates)
		}
	}
	// The computed target applies from a date before Kiritimati's today.
	if w.snaps[0].from >= w.snaps[1].from {
		w.t.Fatalf("computed target from %s, custom target from %s: the week has no day of the old goals", w.snaps[0].from, w.snaps[1].from)
	}
}

// expectedDays sums the model's live entries per local date.
func (w *world) expectedDays() (map[string]*totals, map[string]int) {
	days, meals := map[string]*totals{}, map[string]int{}
	for _, m := range w.meals {
		if days[m.localDate] == nil {
			days[m.localDate] = &totals{}
		}
		meals[m.localDate]++
		for _, e := range m.entries {
			days[m.localDate].add(e.amounts)
		}
	}
	return days, meals
}

type summaryResp struct {
	Date       string
	MealCount  int
	EntryCount int
	Nutrients  []struct {
		Nutrient string
		Unit     string
		Amount   float64
		Missing  int
	}
	SaltEquivalentG float64
	SaltMissing     int
	Target          *struct{ Name string }
	Progress        []struct {
		Nutrient  string
		Consumed  float64
		Missing   int
		Goal      float64
		Ratio     *float64
		Status    string
		Direction string
	}
}

const summaryFields = `date mealCount entryCount nutrients { nutrient unit amount missing } saltEquivalentG saltMissing
	target { name } progress { nutrient consumed missing goal ratio status direction }`

// judge is the status DESIGN §5 gives consumption against a goal.
func judge(g goal, consumed float64) string {
	switch g.direction {
	case "AT_LEAST":
		if consumed < g.amount {
			return "UNDER"
		}
	case "AT_MOST":
		if consumed > g.amount {
			return "OVER"
		}
	case "AROUND":
		if consumed < g.amount*0.9 {
			return "UNDER"
		}
		if consumed > g.amount*1.1 {
			return "OVER"
		}
	}
	return "WITHIN"
}

var units = [numNutrients]string{"kcal", "g", "g", "g", "g", "g", "g", "mg", "mg", "mg", "mg", "mg"}

// checkSummaries compares dailySummaries (and progress of the last day)
// with the model.
func (w *world) checkSummaries(from, to string) {
	t := w.t
	t.Helper()
	var r struct{ DailySummaries []summaryResp }
	w.c.do(&r, `query($from: Date!, $to: Date!) { dailySummaries(from: $from, to: $to) { `+summaryFields+` } }`,
		map[string]any{"from": from, "to": to})
	days, meals := w.expectedDays()
	start, _ := time.Parse(time.DateOnly, from)
	end, _ := time.Parse(time.DateOnly, to)
	if n := int(end.Sub(start).Hours()/24) + 1; len(r.DailySummaries) != n {
		t.Fatalf("dailySummaries(%s, %s): %d days, want %d", from, to, len(r.DailySummaries), n)
	}
	statuses := map[string]int{}
	withGoals := map[string]bool{}
	for i, s := range r.DailySummaries {
		day := start.AddDate(0, 0, i).Format(time.DateOnly)
		if s.Date != day {
			t.Fatalf("summary %d is %s, want %s", i, s.Date, day)
		}
		exp := days[day]
		if exp == nil {
			exp = &totals{}
		}
		if s.MealCount != meals[day] || s.EntryCount != exp.entries {
			t.Errorf("%s: %d meals, %d entries; want %d, %d", day, s.MealCount, s.EntryCount, meals[day], exp.entries)
		}
		if len(s.Nutrients) != numNutrients {
			t.Fatalf("%s: %d nutrients", day, len(s.Nutrients))
		}
		for j, n := range s.Nutrients {
			if n.Nutrient != nutrientEnums[j] || n.Unit != units[j] {
				t.Errorf("%s: nutrient %d is %s (%s), want %s (%s)", day, j, n.Nutrient, n.Unit, nutrientEnums[j], units[j])
			}
			if !near(n.Amount, exp.sum[j]) || n.Missing != exp.missing[j] {
				t.Errorf("%s %s: %v (missing %d), want %v (missing %d)", day, n.Nutrient, n.Amount, n.Missing, exp.sum[j], exp.missing[j])
			}
		}
		if salt := exp.sum[sodiumIndex] * 2.54 / 1000; !near(s.SaltEquivalentG, salt) || s.SaltMissing != exp.missing[sodiumIndex] {
			t.Errorf("%s salt: %v (missing %d), want %v (missing %d)", day, s.SaltEquivalentG, s.SaltMissing, salt, exp.missing[sodiumIndex])
		}

		snap := w.goalsOn(day)
		target := "-"
		if s.Target != nil {
			target = s.Target.Name
		}
		t.Logf("%s: %d meals, %2d entries, %7.1f kcal (%d unknown), salt %.2f g, target %s, %d goals",
			day, s.MealCount, s.EntryCount, s.Nutrients[0].Amount, s.Nutrients[0].Missing, s.SaltEquivalentG, target, len(s.Progress))
		if snap == nil {
			if s.Target != nil || len(s.Progress) != 0 {
				t.Errorf("%s: target %+v with %d goals, want none (before the first target)", day, s.Target, len(s.Progress))
			}
			continue
		}
		withGoals[snap.target+" "+fmt.Sprint(len(snap.goals))] = true
		if s.Target == nil || s.Target.Name != snap.target {
			t.Errorf("%s: target %+v, want %q", day, s.Target, snap.target)
		}
		if len(s.Progress) != len(snap.goals) {
			t.Errorf("%s: %d progress items, want %d", day, len(s.Progress), len(snap.goals))
		}
		for _, p := range s.Progress {
			g, ok := snap.goals[p.Nutrient]
			if !ok {
				t.Errorf("%s: progress of %s, which %q does not have a goal for", day, p.Nutrient, snap.target)
				continue
			}
			j := slices.Index(nutrientEnums[:], p.Nutrient)
			consumed := exp.sum[j]
			if p.Goal != g.amount || p.Direction != g.direction {
				t.Errorf("%s %s: goal %v %s, want %v %s (%s)", day, p.Nutrient, p.Goal, p.Direction, g.amount, g.direction, snap.target)
			}
			if !near(p.Consumed, consumed) || p.Missing != exp.missing[j] {
				t.Errorf("%s %s: consumed %v (missing %d), want %v (missing %d)", day, p.Nutrient, p.Consumed, p.Missing, consumed, exp.missing[j])
			}
			switch {
			case g.amount == 0 && p.Ratio != nil:
				t.Errorf("%s %s: ratio %v for a goal of 0, want null", day, p.Nutrient, *p.Ratio)
			case g.amount != 0 && (p.Ratio == nil || !near(*p.Ratio, consumed/g.amount)):
				t.Errorf("%s %s: ratio %s, want %v", day, p.Nutrient, ptrString(p.Ratio), consumed/g.amount)
			}
			if want := judge(g, consumed); p.Status != want {
				t.Errorf("%s %s: %s, want %s (consumed %v, goal %v %s)", day, p.Nutrient, p.Status, want, consumed, g.amount, g.direction)
			}
			statuses[p.Status]++
		}
	}
	// The week is meant to see the old goals, the new ones and every status.
	if len(withGoals) < 2 || len(statuses) < 3 {
		t.Errorf("the week saw goal sets %v and statuses %v: want at least two sets and every status", withGoals, statuses)
	}

	// progress(date:) of today is today's summary.
	var p struct{ Progress summaryResp }
	w.c.do(&p, `query($d: Date!) { progress(date: $d) { `+summaryFields+` } }`, map[string]any{"d": to})
	last := r.DailySummaries[len(r.DailySummaries)-1]
	if a, b := mustJSON(t, p.Progress), mustJSON(t, last); a != b {
		t.Errorf("progress(%s) = %s\nwant the day's summary %s", to, a, b)
	}
}

func mustJSON(t testing.TB, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkMeals compares the meals connection (dates, types, per-meal totals,
// filters) with the model.
func (w *world) checkMeals(from, to string) {
	t := w.t
	t.Helper()
	var fields []string
	for _, f := range nutrientFields {
		fields = append(fields, f, f+"Missing")
	}
	query := `query($where: MealWhereInput) { meals(first: 100, where: $where, orderBy: {field: EATEN_AT}) {
		totalCount edges { node { id localDate eatenAt mealType entries { id } nutrition { ` + strings.Join(fields, " ") + ` } } } } }`
	var r struct {
		Meals struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID        string
					LocalDate string
					EatenAt   time.Time
					MealType  string
					Entries   []struct{ ID string }
					Nutrition map[string]float64
				}
			}
		}
	}
	w.c.do(&r, query, map[string]any{"where": map[string]any{"localDateGTE": from, "localDateLTE": to}})
	if r.Meals.TotalCount != len(w.meals) || len(r.Meals.Edges) != len(w.meals) {
		t.Fatalf("meals %s..%s: %d (total %d), want %d", from, to, len(r.Meals.Edges), r.Meals.TotalCount, len(w.meals))
	}
	var prev time.Time
	for _, e := range r.Meals.Edges {
		n := e.Node
		m := w.meals[n.ID]
		if m == nil {
			t.Errorf("meal %s is listed but the test deleted it or never logged it", n.ID)
			continue
		}
		if n.LocalDate != m.localDate || !n.EatenAt.Equal(m.eatenAt) || n.MealType != m.typ || len(n.Entries) != len(m.entries) {
			t.Errorf("meal %s: %s %s %s with %d entries, want %s %s %s with %d", n.ID, n.LocalDate, n.EatenAt, n.MealType, len(n.Entries),
				m.localDate, m.eatenAt, m.typ, len(m.entries))
		}
		if n.EatenAt.Before(prev) {
			t.Errorf("meals not in eaten-at order: %s after %s", n.EatenAt, prev)
		}
		prev = n.EatenAt
		var exp totals
		for _, x := range m.entries {
			exp.add(x.amounts)
		}
		for j, f := range nutrientFields {
			if !near(n.Nutrition[f], exp.sum[j]) || int(n.Nutrition[f+"Missing"]) != exp.missing[j] {
				t.Errorf("meal %s on %s, %s: %v (missing %v), want %v (missing %d)", n.ID, m.localDate, f, n.Nutrition[f], n.Nutrition[f+"Missing"], exp.sum[j], exp.missing[j])
			}
		}
	}
	for _, typ := range []string{"BREAKFAST", "LUNCH", "DINNER", "SNACK"} {
		want := 0
		for _, m := range w.meals {
			if m.typ == typ {
				want++
			}
		}
		var f struct{ Meals struct{ TotalCount int } }
		w.c.do(&f, `query($where: MealWhereInput) { meals(first: 1, where: $where) { totalCount } }`,
			map[string]any{"where": map[string]any{"localDateGTE": from, "localDateLTE": to, "mealType": typ}})
		if f.Meals.TotalCount != want {
			t.Errorf("meals of type %s: %d, want %d", typ, f.Meals.TotalCount, want)
		}
	}
}

// checkCSV compares the CSV export of from..to with the model's live entries.
func (w *world) checkCSV(from, to string) {
	t := w.t
	t.Helper()
	res := w.c.get("/export/entries.csv?from=" + from + "&to=" + to)
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("export: %d %s: %s", res.StatusCode, res.Header.Get("Content-Type"), b)
	}
	rows, err := csv.NewReader(res.Body).ReadAll()
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	header := append([]string{"local_date", "eaten_at", "meal_type", "food_name", "grams"}, nutrientColumns[:]...)
	if len(rows) == 0 || !slices.Equal(rows[0], header) {
		t.Fatalf("export header: %v", rows[:min(1, len(rows))])
	}
	type want struct {
		m *meal
		e *entry
	}
	var wants []want
	for _, m := range w.meals {
		if m.localDate < from || m.localDate > to {
			continue
		}
		for _, e := range m.entries {
			wants = append(wants, want{m, e})
		}
	}
	sort.Slice(wants, func(i, j int) bool {
		a, b := wants[i], wants[j]
		if a.m.localDate != b.m.localDate {
			return a.m.localDate < b.m.localDate
		}
		if !a.m.eatenAt.Equal(b.m.eatenAt) {
			return a.m.eatenAt.Before(b.m.eatenAt)
		}
		return a.e.position < b.e.position
	})
	rows = rows[1:]
	if len(rows) != len(wants) {
		t.Fatalf("export %s..%s: %d rows, want one per live entry: %d", from, to, len(rows), len(wants))
	}
	cell := func(s string) (*float64, error) {
		if s == "" {
			return nil, nil
		}
		v, err := strconv.ParseFloat(s, 64)
		return &v, err
	}
	same := func(got *float64, want *float64) bool {
		return (got == nil) == (want == nil) && (got == nil || near(*got, *want))
	}
	for i, row := range rows {
		x := wants[i]
		eaten := x.m.eatenAt.In(w.zone).Format(time.RFC3339)
		if row[0] != x.m.localDate || row[1] != eaten || row[2] != x.m.typ || row[3] != x.e.name {
			t.Errorf("row %d: %q, want %s %s %s %q", i+1, row[:4], x.m.localDate, eaten, x.m.typ, x.e.name)
			continue
		}
		if g, err := cell(row[4]); err != nil || !same(g, x.e.grams) {
			t.Errorf("row %d (%s): grams %q, want %s", i+1, x.e.name, row[4], ptrString(x.e.grams))
		}
		for j := range numNutrients {
			if v, err := cell(row[5+j]); err != nil || !same(v, x.e.amounts[j]) {
				t.Errorf("row %d (%s): %s %q, want %s", i+1, x.e.name, nutrientColumns[j], row[5+j], ptrString(x.e.amounts[j]))
			}
		}
	}
}
