package server_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"nutrigraph/ent/billingevent"
	"nutrigraph/ent/session"
	"nutrigraph/internal/gid"
	"nutrigraph/internal/testdb"
)

// The two-user privacy matrix (DESIGN §6): user A owns one row of every
// user-owned type; user B, and a client without a token, try every path of
// the API against A's ids and data. Another user's id must answer exactly
// like an id that does not exist, nothing of A may appear in B's answers,
// and A's data must be unchanged at the end.

// Shared catalogue foods (user_id NULL), written like the importer does.
const (
	appleName = "Apples, raw, with skin"
	breadName = "Bread, white, commercially prepared"
)

// ent is one user-owned entity type with A's row of it.
type entity struct {
	typ  string   // GraphQL type
	code gid.Code // table code of its ids
	a    string   // A's row
}

// world is what the matrix starts from.
type world struct {
	a, b        account
	day         string // the local date of both users' meals
	apple       string // shared food
	applePortio string // a portion of the shared apple
	bread       string

	// A's rows.
	aProfile, aBilling, aSession, aEvent                  string
	aTarget, aNutrient, aSnapshot                         string
	aFood, aPortion                                       string
	aMeal, aEntryOwn, aEntryApple, aEntryFree, aMealTotal string
	aDay                                                  string

	// B's rows.
	bTarget, bFood, bPortion, bMeal, bEntryApple, bEntryBar, bDay string

	// What A and B read of their own data once it was written.
	aBefore, bBefore string
}

func (w *world) entities() []entity {
	return []entity{
		{"User", gid.User, w.a.UserID},
		{"Profile", gid.Profile, w.aProfile},
		{"BillingAccount", gid.BillingAccount, w.aBilling},
		{"BillingEvent", gid.BillingEvent, w.aEvent},
		{"Session", gid.Session, w.aSession},
		{"Target", gid.Target, w.aTarget},
		{"TargetNutrient", gid.TargetNutrient, w.aNutrient},
		{"TargetSnapshot", gid.TargetSnapshot, w.aSnapshot},
		{"Food", gid.Food, w.aFood},
		{"FoodPortion", gid.FoodPortion, w.aPortion},
		{"Meal", gid.Meal, w.aMeal},
		{"FoodEntry", gid.FoodEntry, w.aEntryApple},
		{"MealNutrition", gid.MealNutrition, w.aMealTotal},
		{"DailyNutrition", gid.DailyNutrition, w.aDay},
	}
}

// aIDs are every id of A's rows.
func (w *world) aIDs() []string {
	return []string{w.a.UserID, w.aProfile, w.aBilling, w.aSession, w.aEvent, w.aTarget, w.aNutrient, w.aSnapshot,
		w.aFood, w.aPortion, w.aMeal, w.aEntryOwn, w.aEntryApple, w.aEntryFree, w.aMealTotal, w.aDay}
}

// noTraceOfA fails when r mentions any id or text of A's.
func (w *world) noTraceOfA(t *testing.T, what string, r response) {
	t.Helper()
	for _, id := range w.aIDs() {
		if strings.Contains(r.Raw, id) {
			t.Errorf("%s: the answer holds A's id %s: %s", what, id, r.Raw)
		}
	}
	if strings.Contains(strings.ToLower(r.Raw), "alice") {
		t.Errorf("%s: the answer holds A's data: %s", what, r.Raw)
	}
}

const logMealMutation = `mutation($in: LogMealInput!) { logMeal(input: $in) {
  id localDate entries { id name energyKcal } nutrition { id energyKcal entryCount } } }`

type loggedMeal struct {
	LogMeal struct {
		ID, LocalDate string
		Entries       []struct {
			ID, Name   string
			EnergyKcal *float64
		}
		Nutrition struct {
			ID         string
			EnergyKcal float64
			EntryCount int
		}
	}
}

const createTargetMutation = `mutation($in: CreateTargetInput!) { createTarget(input: $in) {
  id nutrients { id } snapshots(first: 50) { edges { node { id effectiveFrom } } } } }`

type createdTarget struct {
	CreateTarget struct {
		ID        string
		Nutrients []struct{ ID string }
		Snapshots struct {
			Edges []struct {
				Node struct{ ID, EffectiveFrom string }
			}
		}
	}
}

const createFoodMutation = `mutation($in: FoodInput!) { createFood(input: $in) { id portions { id } } }`

type createdFood struct {
	CreateFood struct {
		ID       string
		Portions []struct{ ID string }
	}
}

// setUpWorld creates the shared catalogue, A's rows and B's rows.
func setUpWorld(t *testing.T, e *env) *world {
	t.Helper()
	w := &world{}
	ctx := system()
	c := e.db.Client
	apple := c.Food.Create().SetName(appleName).SetFoodGroup("Fruits and Fruit Juices").SetSource("usda-sr26").SetSourceID("09003").
		SetEnergyKcal(52).SetProteinG(0.26).SaveX(ctx)
	w.applePortio = c.FoodPortion.Create().SetFoodID(apple.ID).SetSeq(0).SetAmount(1).SetUnit("medium").SetGrams(182).SaveX(ctx).ID.String()
	bread := c.Food.Create().SetName(breadName).SetFoodGroup("Baked Products").SetSource("usda-sr26").SetSourceID("18069").
		SetEnergyKcal(266).SaveX(ctx)
	w.apple, w.bread = apple.ID.String(), bread.ID.String()

	w.a = e.register(t, "alice@example.com", "alice's password")
	w.b = e.register(t, "bob@example.com", "bob's password!")

	// A: profile, target, own food with a portion, a meal of three
	// entries (own food by portion, shared food by grams, free-form).
	var ids struct {
		Viewer struct {
			Profile        struct{ ID string }
			BillingAccount struct{ ID string }
		}
	}
	e.ok(t, w.a.Token, `mutation { updateProfile(input: {displayName: "Alice", heightCm: 170, weightKg: 60}) { id } }`, nil, nil)
	e.ok(t, w.a.Token, `{ viewer { profile { id } billingAccount { id } } }`, nil, &ids)
	w.aProfile, w.aBilling = ids.Viewer.Profile.ID, ids.Viewer.BillingAccount.ID

	var tg createdTarget
	e.ok(t, w.a.Token, createTargetMutation, map[string]any{"in": map[string]any{"name": "Alice cut", "goals": []any{
		map[string]any{"nutrient": "ENERGY_KCAL", "amount": 1800, "direction": "AT_MOST"},
		map[string]any{"nutrient": "PROTEIN", "amount": 120, "direction": "AT_LEAST"},
	}}}, &tg)
	w.aTarget, w.aNutrient = tg.CreateTarget.ID, tg.CreateTarget.Nutrients[0].ID
	w.aSnapshot = tg.CreateTarget.Snapshots.Edges[0].Node.ID

	var fd createdFood
	e.ok(t, w.a.Token, createFoodMutation, map[string]any{"in": map[string]any{"name": "Alice secret apple cake", "foodGroup": "Baked",
		"nutrients": map[string]any{"energyKcal": 200, "proteinG": 4},
		"portions":  []any{map[string]any{"amount": 1, "unit": "slice", "grams": 50}}}}, &fd)
	w.aFood, w.aPortion = fd.CreateFood.ID, fd.CreateFood.Portions[0].ID

	var ml loggedMeal
	e.ok(t, w.a.Token, logMealMutation, map[string]any{"in": map[string]any{
		"eatenAt": start.Add(-2 * time.Hour).Format(time.RFC3339), "mealType": "BREAKFAST", "note": "alice's breakfast",
		"entries": []any{
			map[string]any{"foodId": w.aFood, "portionId": w.aPortion, "quantity": 2},
			map[string]any{"foodId": w.apple, "grams": 200},
			map[string]any{"name": "Alice coffee", "nutrients": map[string]any{"energyKcal": 5}},
		}}}, &ml)
	w.aMeal, w.aMealTotal, w.day = ml.LogMeal.ID, ml.LogMeal.Nutrition.ID, ml.LogMeal.LocalDate
	w.aEntryOwn, w.aEntryApple, w.aEntryFree = ml.LogMeal.Entries[0].ID, ml.LogMeal.Entries[1].ID, ml.LogMeal.Entries[2].ID
	if ml.LogMeal.Nutrition.EnergyKcal != 309 || ml.LogMeal.Nutrition.EntryCount != 3 || w.day != "2026-06-15" {
		t.Fatalf("A's meal = %s, want 200 + 104 + 5 = 309 kcal in 3 entries on 2026-06-15", mustJSON(ml))
	}
	var days struct {
		DailyNutritions struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	e.ok(t, w.a.Token, `{ dailyNutritions(first: 50) { edges { node { id } } } }`, nil, &days)
	w.aDay = days.DailyNutritions.Edges[0].Node.ID

	// A's session and a recorded billing event of A's account (a renewal
	// of a trial is rejected, and recorded with the account).
	w.aSession = c.Session.Query().Where(session.UserID(uuid.MustParse(w.a.UserID))).OnlyX(ctx).ID.String()
	outcome(t, e.signedEvent(t, event("evt_alice", "subscription.renewed", w.aBilling, start, nil)), "rejected")
	w.aEvent = c.BillingEvent.Query().Where(billingevent.EventID("evt_alice")).OnlyX(ctx).ID.String()

	// A's data as A sees it, before anyone else writes anything.
	w.aBefore = e.ok(t, w.a.Token, everything, map[string]any{"day": w.day}, nil).Raw

	// B: targets, own foods and meals on the same day, with every kind of
	// change along the way (each must touch B's rows only), and session
	// changes (each must touch B's sessions only).
	createTarget := func(name string, amount float64, dir string, activate bool) string {
		e.ok(t, w.b.Token, createTargetMutation, map[string]any{"in": map[string]any{"name": name, "activate": activate, "goals": []any{
			map[string]any{"nutrient": "ENERGY_KCAL", "amount": amount, "direction": dir},
		}}}, &tg)
		return tg.CreateTarget.ID
	}
	w.bTarget = createTarget("Bob bulk", 3000, "AT_LEAST", false)
	cut := createTarget("Bob cut", 2500, "AT_MOST", true)
	e.ok(t, w.b.Token, `mutation($id: ID!) { updateTarget(id: $id, input: {goals: [{nutrient: ENERGY_KCAL, amount: 2000, direction: AT_MOST}]}) { id } }`, map[string]any{"id": cut}, nil)
	e.ok(t, w.b.Token, `mutation($id: ID!) { activateTarget(id: $id) { id } }`, map[string]any{"id": w.bTarget}, nil)
	e.ok(t, w.b.Token, `mutation($id: ID!) { deleteTarget(id: $id) }`, map[string]any{"id": cut}, nil)

	e.ok(t, w.b.Token, createFoodMutation, map[string]any{"in": map[string]any{"name": "Bob protein bar",
		"nutrients": map[string]any{"energyKcal": 500, "proteinG": 40},
		"portions":  []any{map[string]any{"amount": 1, "unit": "bar", "grams": 50}}}}, &fd)
	w.bFood, w.bPortion = fd.CreateFood.ID, fd.CreateFood.Portions[0].ID
	e.ok(t, w.b.Token, `mutation($id: ID!) { archiveFood(id: $id) { id } }`, map[string]any{"id": w.bFood}, nil)
	e.ok(t, w.b.Token, `mutation($id: ID!) { archiveFood(id: $id, archived: false) { id } }`, map[string]any{"id": w.bFood}, nil)
	e.ok(t, w.b.Token, createFoodMutation, map[string]any{"in": map[string]any{"name": "Bob temporary"}}, &fd)
	e.ok(t, w.b.Token, `mutation($id: ID!) { deleteFood(id: $id) { id } }`, map[string]any{"id": fd.CreateFood.ID}, nil)

	e.ok(t, w.b.Token, logMealMutation, map[string]any{"in": map[string]any{
		"eatenAt": start.Add(-time.Hour).Format(time.RFC3339), "mealType": "SNACK", "note": "bob's snack",
		"entries": []any{
			map[string]any{"foodId": w.apple, "grams": 100},
			map[string]any{"foodId": w.bFood, "portionId": w.bPortion},
		}}}, &ml)
	w.bMeal, w.bEntryApple, w.bEntryBar = ml.LogMeal.ID, ml.LogMeal.Entries[0].ID, ml.LogMeal.Entries[1].ID
	if ml.LogMeal.Nutrition.EnergyKcal != 302 || ml.LogMeal.LocalDate != w.day {
		t.Fatalf("B's meal = %s, want 52 + 250 = 302 kcal on %s", mustJSON(ml), w.day)
	}
	var changed struct {
		AddEntry struct{ Entries []struct{ ID string } }
	}
	e.ok(t, w.b.Token, `mutation($id: ID!) { addEntry(mealId: $id, input: {name: "Bob gum", nutrients: {energyKcal: 10}}) { entries { id } } }`,
		map[string]any{"id": w.bMeal}, &changed)
	gum := changed.AddEntry.Entries[2].ID
	e.ok(t, w.b.Token, `mutation($id: ID!) { updateEntry(id: $id, input: {nutrients: {energyKcal: 20}}) { id } }`, map[string]any{"id": gum}, nil)
	e.ok(t, w.b.Token, `mutation($id: ID!) { deleteEntry(id: $id) { id } }`, map[string]any{"id": gum}, nil)
	e.ok(t, w.b.Token, `mutation($id: ID!, $at: Time!) { updateMeal(id: $id, input: {eatenAt: $at}) { id } }`,
		map[string]any{"id": w.bMeal, "at": start.Add(-time.Hour).Format(time.RFC3339)}, nil)
	var copied struct{ CopyMeal struct{ ID string } }
	e.ok(t, w.b.Token, `mutation($id: ID!, $at: Time!) { copyMeal(id: $id, input: {eatenAt: $at, mealType: DINNER}) { id } }`,
		map[string]any{"id": w.bMeal, "at": start.Add(-3 * time.Hour).Format(time.RFC3339)}, &copied)
	e.ok(t, w.b.Token, `mutation($id: ID!) { deleteMeal(id: $id) }`, map[string]any{"id": copied.CopyMeal.ID}, nil)

	e.ok(t, w.b.Token, `mutation { updateProfile(input: {displayName: "Bob", timeZone: "UTC"}) { id } }`, nil, nil)
	var second struct{ Login struct{ Token string } }
	e.ok(t, "", `mutation { login(input: {email: "bob@example.com", password: "bob's password!"}) { token } }`, nil, &second)
	e.ok(t, second.Login.Token, `mutation { logout }`, nil, nil)
	e.ok(t, w.b.Token, `mutation { changePassword(input: {currentPassword: "bob's password!", newPassword: "bob's new password"}) }`, nil, nil)
	w.b.Password = "bob's new password"

	e.ok(t, w.b.Token, `{ dailyNutritions(first: 50) { edges { node { id } } } }`, nil, &days)
	w.bDay = days.DailyNutritions.Edges[0].Node.ID
	w.bBefore = e.ok(t, w.b.Token, everything, map[string]any{"day": w.day}, nil).Raw

	// C: data on the same day, then the account is deleted (everything C
	// owns is deleted with it, nothing of A's or B's).
	chris := e.register(t, "chris@example.com", "chris's password")
	e.ok(t, chris.Token, `mutation { createTarget(input: {name: "Chris", goals: [{nutrient: ENERGY_KCAL, amount: 1, direction: AT_LEAST}]}) { id } }`, nil, nil)
	e.ok(t, chris.Token, `mutation { createFood(input: {name: "Chris food", portions: [{amount: 1, unit: "cup", grams: 10}]}) { id } }`, nil, nil)
	e.ok(t, chris.Token, logMealMutation, map[string]any{"in": map[string]any{
		"eatenAt": start.Add(-time.Hour).Format(time.RFC3339), "mealType": "SNACK",
		"entries": []any{map[string]any{"foodId": w.apple, "grams": 10}}}}, nil)
	e.ok(t, chris.Token, `mutation { deleteAccount(input: {password: "chris's password"}) }`, nil, nil)
	return w
}

// everything reads all of a user's data, with update times: any write
// shows as a difference.
const everything = `query($day: Date!) {
  viewer {
    user { id email }
    profile { id updatedAt displayName sex birthDate heightCm weightKg activityLevel goal timeZone }
    billingAccount { id updatedAt status plan trialEndsAt currentPeriodEnd }
    plan entitlements { plan targets ownFoods } activeTarget { id }
  }
  meals(first: 50) { totalCount edges { node { id updatedAt eatenAt localDate mealType note
    entries { id updatedAt position name grams foodID energyKcal proteinG food { id name } }
    nutrition { id updatedAt energyKcal energyKcalMissing proteinG proteinGMissing entryCount } } } }
  targets(first: 50) { totalCount edges { node { id updatedAt name active source
    nutrients { id updatedAt nutrient amount direction }
    snapshots(first: 50) { totalCount edges { node { id updatedAt effectiveFrom } } } } } }
  dailyNutritions(first: 50) { totalCount edges { node { id updatedAt localDate mealCount energyKcal entryCount saltEquivalentG } } }
  own: foods(first: 100, where: {hasUser: true}) { totalCount edges { node { id updatedAt name foodGroup archivedAt energyKcal proteinG
    portions { id updatedAt seq amount unit grams } } } }
  dailySummaries(from: $day, to: $day) { date mealCount entryCount nutrients { nutrient amount missing }
    target { id name } progress { nutrient consumed goal direction status } }
}`

// catalogue reads the shared foods as a client without a token.
const catalogue = `{ foods(first: 100) { totalCount edges { node { id updatedAt name foodGroup energyKcal archivedAt portions { id updatedAt unit grams } } } } }`

// normalize replaces ids[i] in raw with a placeholder: two answers that
// differ only in the ids asked for compare equal.
func normalize(raw string, ids ...string) string {
	for i, id := range ids {
		raw = strings.ReplaceAll(raw, id, fmt.Sprintf("<id %d>", i))
	}
	return raw
}

// sameAsMissing sends query with A's ids and with fresh ids of the same
// tables (that exist nowhere) as token, and checks that both answers are
// the same but for the ids. It returns the answer to A's ids.
func sameAsMissing(t *testing.T, e *env, what, token, query string, vars func(ids ...string) map[string]any, aIDs []string, codes []gid.Code) response {
	t.Helper()
	random := make([]string, len(codes))
	for i, c := range codes {
		random[i] = gid.New(c).String()
	}
	got := e.gql(t, token, query, vars(aIDs...))
	missing := e.gql(t, token, query, vars(random...))
	if got.Status != missing.Status || normalize(got.Raw, aIDs...) != normalize(missing.Raw, random...) {
		t.Errorf("%s: another user's id and a missing id answer differently:\n  other's: %d %s\n  missing: %d %s",
			what, got.Status, got.Raw, missing.Status, missing.Raw)
	}
	return got
}

func TestTwoUserPrivacyMatrix(t *testing.T) {
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, dialect, nil)
			w := setUpWorld(t, e)
			dayVars := map[string]any{"day": w.day}
			aBefore, bBefore := w.aBefore, w.bBefore
			if got := e.ok(t, w.a.Token, everything, dayVars, nil).Raw; got != aBefore {
				t.Errorf("B's and C's writes changed A's data:\nbefore: %s\nafter:  %s", aBefore, got)
			}
			if got := e.ok(t, w.b.Token, everything, dayVars, nil).Raw; got != bBefore {
				t.Errorf("C's writes changed B's data:\nbefore: %s\nafter:  %s", bBefore, got)
			}
			catalogueBefore := e.ok(t, "", catalogue, nil, nil).Raw
			aSessions := e.db.Client.Session.Query().Where(session.UserID(uuid.MustParse(w.a.UserID)), session.RevokedAtIsNil()).CountX(system())
			if aSessions != 1 {
				t.Fatalf("A has %d live sessions, want 1", aSessions)
			}
			if !strings.Contains(aBefore, "Alice secret apple cake") || !strings.Contains(aBefore, `"energyKcal":309`) {
				t.Fatalf("A's own view lacks A's data: %s", aBefore)
			}

			t.Run("node", func(t *testing.T) { testNode(t, e, w) })
			t.Run("nodes", func(t *testing.T) { testNodes(t, e, w) })
			t.Run("connections", func(t *testing.T) { testConnections(t, e, w) })
			t.Run("where", func(t *testing.T) { testWherePredicates(t, e, w) })
			t.Run("eager", func(t *testing.T) { testEagerLoads(t, e, w) })
			t.Run("mutations", func(t *testing.T) { testMutations(t, e, w) })
			t.Run("input ids", func(t *testing.T) { testInputIDs(t, e, w) })
			t.Run("summaries", func(t *testing.T) { testSummaries(t, e, w) })
			t.Run("export", func(t *testing.T) { testExport(t, e, w) })
			t.Run("anonymous", func(t *testing.T) { testAnonymous(t, e, w) })

			// Nothing of A's, B's or the catalogue changed.
			if got := e.ok(t, w.a.Token, everything, dayVars, nil).Raw; got != aBefore {
				t.Errorf("A's data changed:\nbefore: %s\nafter:  %s", aBefore, got)
			}
			if got := e.ok(t, w.b.Token, everything, dayVars, nil).Raw; got != bBefore {
				t.Errorf("B's data changed by refused requests:\nbefore: %s\nafter:  %s", bBefore, got)
			}
			if got := e.ok(t, "", catalogue, nil, nil).Raw; got != catalogueBefore {
				t.Errorf("the shared catalogue changed:\nbefore: %s\nafter:  %s", catalogueBefore, got)
			}
			if n := e.db.Client.Session.Query().Where(session.UserID(uuid.MustParse(w.a.UserID)), session.RevokedAtIsNil()).CountX(system()); n != 2 {
				t.Errorf("A has %d live sessions, want 2 (registration, anonymous login)", n)
			}
		})
	}
}

const nodeQuery = `query($id: ID!) { node(id: $id) { id __typename
  ... on User { email } ... on Profile { displayName } ... on BillingAccount { status } ... on BillingEvent { eventID }
  ... on Session { expiresAt } ... on Target { name } ... on TargetNutrient { amount } ... on TargetSnapshot { effectiveFrom }
  ... on Food { name } ... on FoodPortion { unit } ... on Meal { note } ... on FoodEntry { name }
  ... on MealNutrition { energyKcal } ... on DailyNutrition { energyKcal } } }`

// testNode: node(id:) with A's id of every type, as B and anonymously,
// answers like a missing id; A reads their own rows (so the ids are real).
func testNode(t *testing.T, e *env, w *world) {
	vars := func(ids ...string) map[string]any { return map[string]any{"id": ids[0]} }
	for _, en := range w.entities() {
		// A sees the row (billing events are the system's only).
		var own struct {
			Node *struct {
				ID       string
				Typename string `json:"__typename"`
			}
		}
		if en.typ == "BillingEvent" {
			e.fails(t, w.a.Token, nodeQuery, vars(en.a), http.StatusOK, "NOT_FOUND", "")
		} else {
			r := e.ok(t, w.a.Token, nodeQuery, vars(en.a), nil)
			if err := json.Unmarshal(r.Data, &own); err != nil || own.Node == nil || own.Node.Typename != en.typ {
				t.Errorf("A's node(%s) = %s, want a %s", en.typ, r.Raw, en.typ)
			}
		}
		for _, who := range []struct{ name, token, code string }{
			{"B", w.b.Token, "NOT_FOUND"},
			{"anonymous", "", anonymousCode(en.typ)},
		} {
			what := fmt.Sprintf("node(%s) as %s", en.typ, who.name)
			r := sameAsMissing(t, e, what, who.token, nodeQuery, vars, []string{en.a}, []gid.Code{en.code})
			wantError(t, r, http.StatusOK, who.code, "")
			if !jsonEq(t, r.Data, []byte(`{"node":null}`)) {
				t.Errorf("%s: data = %s, want {\"node\":null}", what, r.Data)
			}
			if who.name == "B" {
				w.noTraceOfA(t, what, response{Raw: normalize(r.Raw, en.a)})
			}
		}
	}
	// B reads B's own rows and the shared catalogue through node.
	for _, id := range []string{w.b.UserID, w.bMeal, w.bFood, w.bPortion, w.bDay, w.bTarget, w.apple, w.applePortio} {
		var got struct{ Node *struct{ ID string } }
		e.ok(t, w.b.Token, nodeQuery, vars(id), &got)
		if got.Node == nil || got.Node.ID != id {
			t.Errorf("B's node(%s) = %+v", id, got.Node)
		}
	}
}

// anonymousCode is what a client without a token gets for a node of typ:
// owned rows need a viewer; foods and their portions are public (A's are
// filtered out, so not found); billing events are denied to every client.
func anonymousCode(typ string) string {
	switch typ {
	case "Food", "FoodPortion", "BillingEvent":
		return "NOT_FOUND"
	}
	return "UNAUTHENTICATED"
}

// testNodes: nodes(ids:) with all of A's ids at once, and mixed with B's.
func testNodes(t *testing.T, e *env, w *world) {
	const q = `query($ids: [ID!]!) { nodes(ids: $ids) { id __typename ... on Meal { note } ... on Food { name } } }`
	ens := w.entities()
	ids := make([]string, len(ens))
	codes := make([]gid.Code, len(ens))
	for i, en := range ens {
		ids[i], codes[i] = en.a, en.code
	}
	vars := func(ids ...string) map[string]any { return map[string]any{"ids": ids} }
	nulls := "[" + strings.TrimSuffix(strings.Repeat("null,", len(ids)), ",") + "]"
	for _, who := range []struct{ name, token string }{{"B", w.b.Token}, {"anonymous", ""}} {
		r := sameAsMissing(t, e, "nodes as "+who.name, who.token, q, vars, ids, codes)
		if r.Status != http.StatusOK || !jsonEq(t, r.Data, []byte(`{"nodes":`+nulls+`}`)) || len(r.Errors) != len(ids) {
			t.Errorf("nodes as %s = %d %s, want %d nulls and %d errors", who.name, r.Status, r.Raw, len(ids), len(ids))
			continue
		}
		for i, err := range r.Errors {
			want := "NOT_FOUND"
			if who.name == "anonymous" {
				want = anonymousCode(ens[i].typ)
			}
			if mustJSON(err.Path) != fmt.Sprintf(`["nodes",%d]`, i) || err.Extensions["code"] != want {
				// Errors come in table order; find the one of index i.
				found := false
				for _, other := range r.Errors {
					if mustJSON(other.Path) == fmt.Sprintf(`["nodes",%d]`, i) && other.Extensions["code"] == want {
						found = true
					}
				}
				if !found {
					t.Errorf("nodes as %s: no %s error at nodes.%d (%s): %s", who.name, want, i, ens[i].typ, r.Raw)
				}
			}
		}
	}
	// Mixed with B's own meal: B's comes back, A's is null.
	var got struct{ Nodes []*struct{ ID, Note string } }
	r := e.gql(t, w.b.Token, q, vars(w.aMeal, w.bMeal, w.aFood, w.bFood))
	if err := json.Unmarshal(r.Data, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Nodes) != 4 || got.Nodes[0] != nil || got.Nodes[1] == nil || got.Nodes[1].ID != w.bMeal || got.Nodes[1].Note != "bob's snack" ||
		got.Nodes[2] != nil || got.Nodes[3] == nil || got.Nodes[3].ID != w.bFood || len(r.Errors) != 2 {
		t.Errorf("nodes(A meal, B meal, A food, B food) as B = %s", r.Raw)
	}
	for _, err := range r.Errors {
		if err.Extensions["code"] != "NOT_FOUND" {
			t.Errorf("nodes: error %s, want NOT_FOUND", mustJSON(err))
		}
	}
}

type idList struct {
	TotalCount int
	Edges      []struct{ Node struct{ ID, Name string } }
}

func (l idList) ids() []string {
	out := make([]string, 0, len(l.Edges))
	for _, e := range l.Edges {
		out = append(out, e.Node.ID)
	}
	slices.Sort(out)
	return out
}

func (l idList) names() []string {
	out := make([]string, 0, len(l.Edges))
	for _, e := range l.Edges {
		out = append(out, e.Node.Name)
	}
	slices.Sort(out)
	return out
}

func sorted(s ...string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// testConnections: B's root connections and user edges hold B's rows only;
// foods are the shared catalogue and B's own.
func testConnections(t *testing.T, e *env, w *world) {
	const q = `{
	  meals(first: 50) { totalCount edges { node { id } } }
	  targets(first: 50) { totalCount edges { node { id name } } }
	  dailyNutritions(first: 50) { totalCount edges { node { id } } }
	  foods(first: 100) { totalCount edges { node { id name } } }
	  own: foods(first: 100, where: {hasUser: true}) { totalCount edges { node { id name } } }
	  apple: foods(search: "apple", first: 50) { totalCount edges { node { id name } } }
	  secret: foods(search: "secret cake", first: 50) { totalCount edges { node { id name } } }
	  viewer { user {
	    meals(first: 50) { totalCount edges { node { id } } }
	    targets(first: 50) { totalCount edges { node { id name } } }
	    foods(first: 50) { totalCount edges { node { id name } } }
	    dailyNutritions(first: 50) { totalCount edges { node { id } } }
	  } }
	}`
	type lists struct {
		Meals, Targets, DailyNutritions, Foods, Own, Apple, Secret idList
		Viewer                                                     struct {
			User struct{ Meals, Targets, Foods, DailyNutritions idList }
		}
	}
	var b, a lists
	r := e.ok(t, w.b.Token, q, nil, &b)
	w.noTraceOfA(t, "B's connections", r)
	check := func(name string, l idList, want ...string) {
		t.Helper()
		if got := l.ids(); l.TotalCount != len(want) || !slices.Equal(got, sorted(want...)) {
			t.Errorf("%s = %d %v, want %v", name, l.TotalCount, got, sorted(want...))
		}
	}
	check("B meals", b.Meals, w.bMeal)
	check("B targets", b.Targets, w.bTarget)
	check("B dailyNutritions", b.DailyNutritions, w.bDay)
	check("B foods", b.Foods, w.apple, w.bread, w.bFood)
	check("B own foods", b.Own, w.bFood)
	check("B foods(search: apple)", b.Apple, w.apple)
	check("B foods(search: secret cake)", b.Secret)
	check("B user.meals", b.Viewer.User.Meals, w.bMeal)
	check("B user.targets", b.Viewer.User.Targets, w.bTarget)
	check("B user.foods", b.Viewer.User.Foods, w.bFood)
	check("B user.dailyNutritions", b.Viewer.User.DailyNutritions, w.bDay)

	// The same query as A finds A's rows: the probes above can see them.
	e.ok(t, w.a.Token, q, nil, &a)
	check("A meals", a.Meals, w.aMeal)
	check("A targets", a.Targets, w.aTarget)
	check("A foods", a.Foods, w.apple, w.bread, w.aFood)
	check("A foods(search: apple)", a.Apple, w.apple, w.aFood)
	check("A foods(search: secret cake)", a.Secret, w.aFood)
	check("A user.foods", a.Viewer.User.Foods, w.aFood)
}

// testWherePredicates: every filter and edge predicate of the generated
// WhereInputs that points at A's rows finds nothing for B, while the same
// filter finds A's row for A.
func testWherePredicates(t *testing.T, e *env, w *world) {
	cases := []struct {
		root, input string
		where       map[string]any
	}{
		{"meals", "MealWhereInput", map[string]any{"id": w.aMeal}},
		{"meals", "MealWhereInput", map[string]any{"idIn": []string{w.aMeal, w.bMeal}, "noteContains": "alice"}},
		{"meals", "MealWhereInput", map[string]any{"noteContainsFold": "ALICE"}},
		{"meals", "MealWhereInput", map[string]any{"hasUserWith": []any{map[string]any{"id": w.a.UserID}}}},
		{"meals", "MealWhereInput", map[string]any{"hasUserWith": []any{map[string]any{"emailContains": "alice"}}}},
		{"meals", "MealWhereInput", map[string]any{"hasEntriesWith": []any{map[string]any{"id": w.aEntryApple}}}},
		{"meals", "MealWhereInput", map[string]any{"hasEntriesWith": []any{map[string]any{"nameContains": "Alice"}}}},
		{"meals", "MealWhereInput", map[string]any{"hasEntriesWith": []any{map[string]any{"hasFoodWith": []any{map[string]any{"id": w.aFood}}}}}},
		{"meals", "MealWhereInput", map[string]any{"hasEntriesWith": []any{map[string]any{"hasMealWith": []any{map[string]any{"id": w.aMeal}}}}}},
		{"meals", "MealWhereInput", map[string]any{"hasEntriesWith": []any{map[string]any{"hasUserWith": []any{map[string]any{"id": w.a.UserID}}}}}},
		{"meals", "MealWhereInput", map[string]any{"hasNutritionWith": []any{map[string]any{"id": w.aMealTotal}}}},
		{"meals", "MealWhereInput", map[string]any{"hasNutritionWith": []any{map[string]any{"entryCount": 3}}}},
		{"meals", "MealWhereInput", map[string]any{"hasUserWith": []any{map[string]any{"hasFoodsWith": []any{map[string]any{"nameContains": "Alice"}}}}}},
		{"targets", "TargetWhereInput", map[string]any{"id": w.aTarget}},
		{"targets", "TargetWhereInput", map[string]any{"nameContains": "Alice"}},
		{"targets", "TargetWhereInput", map[string]any{"hasNutrientsWith": []any{map[string]any{"id": w.aNutrient}}}},
		{"targets", "TargetWhereInput", map[string]any{"hasNutrientsWith": []any{map[string]any{"amount": 1800}}}},
		{"targets", "TargetWhereInput", map[string]any{"hasSnapshotsWith": []any{map[string]any{"id": w.aSnapshot}}}},
		{"targets", "TargetWhereInput", map[string]any{"hasUserWith": []any{map[string]any{"hasMealsWith": []any{map[string]any{"noteContains": "alice"}}}}}},
		{"targets", "TargetWhereInput", map[string]any{"hasUserWith": []any{map[string]any{"hasProfileWith": []any{map[string]any{"displayName": "Alice"}}}}}},
		{"dailyNutritions", "DailyNutritionWhereInput", map[string]any{"id": w.aDay}},
		{"dailyNutritions", "DailyNutritionWhereInput", map[string]any{"entryCount": 3}},
		{"dailyNutritions", "DailyNutritionWhereInput", map[string]any{"hasUserWith": []any{map[string]any{"id": w.a.UserID}}}},
		{"dailyNutritions", "DailyNutritionWhereInput", map[string]any{"hasUserWith": []any{map[string]any{"hasBillingAccountWith": []any{map[string]any{"id": w.aBilling}}}}}},
		{"dailyNutritions", "DailyNutritionWhereInput", map[string]any{"hasUserWith": []any{map[string]any{"hasTargetsWith": []any{map[string]any{"hasSnapshotsWith": []any{map[string]any{"id": w.aSnapshot}}}}}}}},
		{"foods", "FoodWhereInput", map[string]any{"id": w.aFood}},
		{"foods", "FoodWhereInput", map[string]any{"nameContains": "Alice"}},
		{"foods", "FoodWhereInput", map[string]any{"hasUserWith": []any{map[string]any{"id": w.a.UserID}}}},
		{"foods", "FoodWhereInput", map[string]any{"hasPortionsWith": []any{map[string]any{"id": w.aPortion}}}},
		{"foods", "FoodWhereInput", map[string]any{"hasPortionsWith": []any{map[string]any{"unit": "slice"}}}},
		{"foods", "FoodWhereInput", map[string]any{"hasUserWith": []any{map[string]any{"hasMealsWith": []any{map[string]any{"id": w.aMeal}}}}}},
	}
	for _, c := range cases {
		q := fmt.Sprintf(`query($w: %s) { %s(first: 50, where: $w) { totalCount edges { node { id } } } }`, c.input, c.root)
		what := fmt.Sprintf("%s(where: %s)", c.root, mustJSON(c.where))
		var asA map[string]idList
		e.ok(t, w.a.Token, q, map[string]any{"w": c.where}, &asA)
		if asA[c.root].TotalCount != 1 {
			t.Errorf("%s as A: %d rows, want 1 (the probe must match A's row)", what, asA[c.root].TotalCount)
		}
		var asB map[string]idList
		r := e.ok(t, w.b.Token, q, map[string]any{"w": c.where}, &asB)
		if asB[c.root].TotalCount != 0 || len(asB[c.root].Edges) != 0 {
			t.Errorf("%s as B: %s, want nothing", what, r.Raw)
		}
		w.noTraceOfA(t, what+" as B", response{Raw: string(r.Data)})
	}
	// Through B's own user edges too.
	var asB struct {
		Viewer struct{ User struct{ Meals, Foods idList } }
	}
	e.ok(t, w.b.Token, `query($m: MealWhereInput, $f: FoodWhereInput) { viewer { user {
	  meals(first: 50, where: $m) { totalCount edges { node { id } } } foods(first: 50, where: $f) { totalCount edges { node { id } } } } } }`,
		map[string]any{"m": map[string]any{"hasEntriesWith": []any{map[string]any{"hasFoodWith": []any{map[string]any{"id": w.aFood}}}}},
			"f": map[string]any{"hasPortionsWith": []any{map[string]any{"id": w.aPortion}}}}, &asB)
	if asB.Viewer.User.Meals.TotalCount != 0 || asB.Viewer.User.Foods.TotalCount != 0 {
		t.Errorf("B's user edges with predicates on A's rows: %s", mustJSON(asB))
	}
}

// testEagerLoads: a deep query of everything B can reach, edges and
// back-edges eagerly loaded, holds B's rows and shared foods only.
func testEagerLoads(t *testing.T, e *env, w *world) {
	const q = `query($apple: ID!) {
	  viewer { user { id profile { userID user { id } } billingAccount { userID user { id } }
	    targets(first: 5) { edges { node { userID user { id } nutrients { userID user { id } target { userID } }
	      snapshots(first: 5) { edges { node { userID user { id } target { userID } } } } } } }
	    foods(first: 5) { edges { node { userID user { id } portions { food { userID } } } } }
	    meals(first: 5) { edges { node { userID user { id } entries { userID user { id } meal { userID } food { id userID user { id } portions { id } } }
	      nutrition { userID user { id } meal { userID entries { userID } } } } } }
	    dailyNutritions(first: 5) { edges { node { userID user { id } } } } } }
	  meals(first: 5) { edges { node { entries { food { userID user { id meals(first: 5) { edges { node { userID } } } } } } } } }
	  node(id: $apple) { ... on Food { userID user { id } portions { food { userID user { id } } } } }
	}`
	r := e.ok(t, w.b.Token, q, map[string]any{"apple": w.apple}, nil)
	w.noTraceOfA(t, "B's deep query", r)
	var data any
	if err := json.Unmarshal(r.Data, &data); err != nil {
		t.Fatal(err)
	}
	// Every userID and user.id is B's, or null (shared foods).
	owners := map[string]int{}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == "userID" || (key == "user" && k == "id") {
					owners[fmt.Sprint(x)]++
					continue
				}
				walk(k, x)
			}
		case []any:
			for _, x := range v {
				walk(key, x)
			}
		}
	}
	walk("", data)
	for owner, n := range owners {
		if owner != w.b.UserID && owner != "<nil>" {
			t.Errorf("%d rows of user %s in B's deep query", n, owner)
		}
	}
	if owners[w.b.UserID] < 20 {
		t.Errorf("only %d owner fields of B's: the deep query did not load what it asked for: %s", owners[w.b.UserID], r.Raw)
	}
}

// testMutations: every mutation with an id of A's row, as B, answers
// NOT_FOUND like a missing id; shared foods cannot be changed either.
func testMutations(t *testing.T, e *env, w *world) {
	at := start.Add(-30 * time.Minute).Format(time.RFC3339)
	for _, m := range mutationsWithIDs(w, at) {
		for _, target := range m.targets {
			what := fmt.Sprintf("%s(%s) as B", m.name, target.what)
			r := sameAsMissing(t, e, what, w.b.Token, m.query, m.vars, []string{target.id}, []gid.Code{target.code})
			wantError(t, r, http.StatusOK, "NOT_FOUND", "")
			if string(r.Data) != "null" {
				t.Errorf("%s: data = %s, want null", what, r.Data)
			}
			w.noTraceOfA(t, what, response{Raw: normalize(r.Raw, target.id)})
		}
	}
}

type mutationTarget struct {
	what string
	id   string
	code gid.Code
}

type mutationCase struct {
	name, query string
	vars        func(ids ...string) map[string]any
	targets     []mutationTarget
}

// mutationsWithIDs lists every mutation that takes the id of an owned row,
// with A's rows (and shared foods) to aim it at.
func mutationsWithIDs(w *world, at string) []mutationCase {
	id := func(ids ...string) map[string]any { return map[string]any{"id": ids[0]} }
	withAt := func(ids ...string) map[string]any { return map[string]any{"id": ids[0], "at": at} }
	aMeal := []mutationTarget{{"A's meal", w.aMeal, gid.Meal}}
	aEntries := []mutationTarget{{"A's own-food entry", w.aEntryOwn, gid.FoodEntry}, {"A's shared-food entry", w.aEntryApple, gid.FoodEntry}, {"A's free-form entry", w.aEntryFree, gid.FoodEntry}}
	aTarget := []mutationTarget{{"A's target", w.aTarget, gid.Target}}
	foods := []mutationTarget{{"A's food", w.aFood, gid.Food}, {"a shared food", w.apple, gid.Food}}
	return []mutationCase{
		{"updateMeal", `mutation($id: ID!) { updateMeal(id: $id, input: {note: "bob was here"}) { id note } }`, id, aMeal},
		{"updateMeal eatenAt", `mutation($id: ID!, $at: Time!) { updateMeal(id: $id, input: {eatenAt: $at, mealType: DINNER}) { id } }`, withAt, aMeal},
		{"addEntry", `mutation($id: ID!) { addEntry(mealId: $id, input: {name: "Bob snack", nutrients: {energyKcal: 1}}) { id entries { name } } }`, id, aMeal},
		{"addEntry food", `mutation($id: ID!) { addEntry(mealId: $id, input: {foodId: "` + w.apple + `", grams: 10}) { id } }`, id, aMeal},
		{"updateEntry grams", `mutation($id: ID!) { updateEntry(id: $id, input: {grams: 1}) { id entries { name grams } } }`, id, aEntries},
		{"updateEntry name", `mutation($id: ID!) { updateEntry(id: $id, input: {name: "bob", nutrients: {energyKcal: 0}}) { id } }`, id, aEntries},
		{"updateEntry portion", `mutation($id: ID!) { updateEntry(id: $id, input: {portionId: "` + w.aPortion + `", quantity: 1}) { id } }`, id, aEntries[:1]},
		{"deleteEntry", `mutation($id: ID!) { deleteEntry(id: $id) { id } }`, id, aEntries},
		{"copyMeal", `mutation($id: ID!, $at: Time!) { copyMeal(id: $id, input: {eatenAt: $at}) { id entries { name } } }`, withAt, aMeal},
		{"deleteMeal", `mutation($id: ID!) { deleteMeal(id: $id) }`, id, aMeal},
		{"updateTarget", `mutation($id: ID!) { updateTarget(id: $id, input: {name: "Bob's", goals: [{nutrient: ENERGY_KCAL, amount: 1, direction: AT_LEAST}]}) { id name } }`, id, aTarget},
		{"updateTarget name", `mutation($id: ID!) { updateTarget(id: $id, input: {name: "Bob's"}) { id } }`, id, aTarget},
		{"activateTarget", `mutation($id: ID!) { activateTarget(id: $id) { id active } }`, id, aTarget},
		{"deleteTarget", `mutation($id: ID!) { deleteTarget(id: $id) }`, id, aTarget},
		{"updateFood", `mutation($id: ID!) { updateFood(id: $id, input: {name: "Bob's now", nutrients: {energyKcal: 1}}) { id name } }`, id, foods},
		{"archiveFood", `mutation($id: ID!) { archiveFood(id: $id) { id archivedAt } }`, id, foods},
		{"unarchiveFood", `mutation($id: ID!) { archiveFood(id: $id, archived: false) { id } }`, id, foods},
		{"deleteFood", `mutation($id: ID!) { deleteFood(id: $id) { id archived } }`, id, foods},
	}
}

// testInputIDs: ids of A's rows inside inputs (a food or a portion to log)
// are BAD_USER_INPUT on that field, like missing ids, and write nothing.
func testInputIDs(t *testing.T, e *env, w *world) {
	at := start.Add(-30 * time.Minute).Format(time.RFC3339)
	logMeal := func(entries ...map[string]any) func(ids ...string) map[string]any {
		return func(ids ...string) map[string]any {
			out := make([]any, len(entries))
			for i, en := range entries {
				cp := map[string]any{}
				for k, v := range en {
					if s, ok := v.(string); ok && strings.HasPrefix(s, "$") {
						var n int
						fmt.Sscanf(s, "$%d", &n)
						v = ids[n]
					}
					cp[k] = v
				}
				out[i] = cp
			}
			return map[string]any{"in": map[string]any{"eatenAt": at, "mealType": "LUNCH", "entries": out}}
		}
	}
	const addEntry = `mutation($meal: ID!, $in: EntryInput!) { addEntry(mealId: $meal, input: $in) { id } }`
	const updateEntry = `mutation($id: ID!, $in: UpdateEntryInput!) { updateEntry(id: $id, input: $in) { id } }`
	cases := []struct {
		what, query string
		vars        func(ids ...string) map[string]any
		ids         []string
		codes       []gid.Code
		field       string
	}{
		{"logMeal with A's food", logMealMutation, logMeal(map[string]any{"foodId": "$0", "grams": 100}),
			[]string{w.aFood}, []gid.Code{gid.Food}, "entries.0.foodId"},
		{"logMeal with A's food and its portion", logMealMutation, logMeal(map[string]any{"foodId": "$0", "portionId": "$1", "quantity": 1}),
			[]string{w.aFood, w.aPortion}, []gid.Code{gid.Food, gid.FoodPortion}, "entries.0.foodId"},
		{"logMeal with a shared food and A's portion", logMealMutation, logMeal(map[string]any{"foodId": w.apple, "portionId": "$0"}),
			[]string{w.aPortion}, []gid.Code{gid.FoodPortion}, "entries.0.portionId"},
		{"logMeal with B's food and A's portion", logMealMutation, logMeal(map[string]any{"foodId": w.bFood, "portionId": "$0", "quantity": 2}),
			[]string{w.aPortion}, []gid.Code{gid.FoodPortion}, "entries.0.portionId"},
		{"logMeal with A's food second", logMealMutation, logMeal(
			map[string]any{"name": "Bob water", "nutrients": map[string]any{"energyKcal": 0}}, map[string]any{"foodId": "$0", "grams": 10}),
			[]string{w.aFood}, []gid.Code{gid.Food}, "entries.1.foodId"},
		{"addEntry with A's food", addEntry, func(ids ...string) map[string]any {
			return map[string]any{"meal": w.bMeal, "in": map[string]any{"foodId": ids[0], "grams": 10}}
		}, []string{w.aFood}, []gid.Code{gid.Food}, "entry.foodId"},
		{"addEntry with A's portion", addEntry, func(ids ...string) map[string]any {
			return map[string]any{"meal": w.bMeal, "in": map[string]any{"foodId": w.apple, "portionId": ids[0]}}
		}, []string{w.aPortion}, []gid.Code{gid.FoodPortion}, "entry.portionId"},
		{"updateEntry of a shared food with A's portion", updateEntry, func(ids ...string) map[string]any {
			return map[string]any{"id": w.bEntryApple, "in": map[string]any{"portionId": ids[0], "quantity": 1}}
		}, []string{w.aPortion}, []gid.Code{gid.FoodPortion}, "portionId"},
		{"updateEntry of B's food with A's portion", updateEntry, func(ids ...string) map[string]any {
			return map[string]any{"id": w.bEntryBar, "in": map[string]any{"portionId": ids[0]}}
		}, []string{w.aPortion}, []gid.Code{gid.FoodPortion}, "portionId"},
	}
	for _, c := range cases {
		r := sameAsMissing(t, e, c.what, w.b.Token, c.query, c.vars, c.ids, c.codes)
		wantError(t, r, http.StatusOK, "BAD_USER_INPUT", c.field)
		w.noTraceOfA(t, c.what, response{Raw: normalize(r.Raw, c.ids...)})
	}
}

// testSummaries: B's daily summaries and progress hold B's totals only.
func testSummaries(t *testing.T, e *env, w *world) {
	const q = `query($from: Date!, $to: Date!, $day: Date!) {
	  dailySummaries(from: $from, to: $to) { date mealCount entryCount nutrients { nutrient amount missing } target { id } progress { nutrient consumed goal status } }
	  progress(date: $day) { date mealCount entryCount target { id name } progress { nutrient consumed missing goal direction ratio status } }
	}`
	type summary struct {
		Date                  string
		MealCount, EntryCount int
		Nutrients             []struct {
			Nutrient string
			Amount   float64
			Missing  int
		}
		Target   *struct{ ID, Name string }
		Progress []map[string]any
	}
	var got struct {
		DailySummaries []summary
		Progress       summary
	}
	vars := map[string]any{"from": "2026-06-14", "to": "2026-06-16", "day": w.day}
	r := e.ok(t, w.b.Token, q, vars, &got)
	w.noTraceOfA(t, "B's summaries", r)
	if len(got.DailySummaries) != 3 {
		t.Fatalf("dailySummaries = %s", r.Raw)
	}
	energy := func(s summary) float64 {
		for _, n := range s.Nutrients {
			if n.Nutrient == "ENERGY_KCAL" {
				return n.Amount
			}
		}
		return -1
	}
	for i, s := range got.DailySummaries {
		// B's target applies from the day it was created (2026-06-15).
		wantMeals, wantEntries, wantEnergy, wantTarget := 0, 0, 0.0, w.bTarget
		switch s.Date {
		case "2026-06-14":
			wantTarget = ""
		case w.day:
			wantMeals, wantEntries, wantEnergy = 1, 2, 302
		}
		target := ""
		if s.Target != nil {
			target = s.Target.ID
		}
		if s.Date != []string{"2026-06-14", "2026-06-15", "2026-06-16"}[i] || s.MealCount != wantMeals || s.EntryCount != wantEntries ||
			energy(s) != wantEnergy || target != wantTarget {
			t.Errorf("B's summary %d = %s, want %d meals, %d entries, %g kcal, target %q", i, mustJSON(s), wantMeals, wantEntries, wantEnergy, wantTarget)
		}
	}
	p := got.Progress
	wantProgress := `[{"consumed":302,"direction":"AT_LEAST","goal":3000,"missing":0,"nutrient":"ENERGY_KCAL","ratio":0.10066666666666667,"status":"UNDER"}]`
	if p.Date != w.day || p.MealCount != 1 || p.EntryCount != 2 || p.Target == nil || p.Target.Name != "Bob bulk" || mustJSON(p.Progress) != wantProgress {
		t.Errorf("B's progress = %s, want %s", mustJSON(p), wantProgress)
	}
	// A's view of the same day has A's totals (the probe is meaningful).
	e.ok(t, w.a.Token, q, vars, &got)
	if got.Progress.EntryCount != 3 || energy(got.DailySummaries[1]) != 309 || got.Progress.Target == nil || got.Progress.Target.ID != w.aTarget {
		t.Errorf("A's progress = %s", mustJSON(got.Progress))
	}
}

// testExport: the CSV export of B has B's entries only.
func testExport(t *testing.T, e *env, w *world) {
	path := "/export/entries.csv?from=2026-06-01&to=2026-06-30"
	read := func(token string) (int, [][]string, string) {
		t.Helper()
		r := e.get(t, token, path)
		if r.Status != http.StatusOK {
			return r.Status, nil, r.Raw
		}
		recs, err := csv.NewReader(strings.NewReader(r.Raw)).ReadAll()
		if err != nil {
			t.Fatalf("export is not CSV: %v\n%s", err, r.Raw)
		}
		return r.Status, recs, r.Raw
	}
	_, recs, raw := read(w.b.Token)
	if strings.Contains(strings.ToLower(raw), "alice") {
		t.Errorf("B's export holds A's entries:\n%s", raw)
	}
	wantB := [][]string{
		{"2026-06-15", "2026-06-15T09:00:00Z", "SNACK", appleName, "100"},
		{"2026-06-15", "2026-06-15T09:00:00Z", "SNACK", "Bob protein bar", "50"},
	}
	if len(recs) != 3 || !slices.Equal(recs[1][:5], wantB[0]) || !slices.Equal(recs[2][:5], wantB[1]) || recs[1][5] != "52" || recs[2][5] != "250" {
		t.Errorf("B's export =\n%s\nwant a header and %v", raw, wantB)
	}
	_, recs, raw = read(w.a.Token)
	if len(recs) != 4 || recs[1][3] != "Alice secret apple cake" || recs[3][3] != "Alice coffee" {
		t.Errorf("A's export =\n%s", raw)
	}
	if status, _, raw := read(""); status != http.StatusUnauthorized || !strings.Contains(raw, `"UNAUTHENTICATED"`) {
		t.Errorf("anonymous export = %d %s, want 401 UNAUTHENTICATED", status, raw)
	}
}

// testAnonymous: without a token only register, login and the shared
// catalogue work; owned data is UNAUTHENTICATED, every other mutation too.
func testAnonymous(t *testing.T, e *env, w *world) {
	// The shared catalogue, without anyone's own foods.
	var foods struct{ All, Apple, Secret, Where idList }
	r := e.ok(t, "", `query($u: ID!) { all: foods(first: 50) { totalCount edges { node { id name } } }
	  apple: foods(search: "apple", first: 50) { totalCount edges { node { id name } } }
	  secret: foods(search: "secret", first: 50) { totalCount edges { node { id name } } }
	  where: foods(first: 50, where: {hasUserWith: [{id: $u}]}) { totalCount edges { node { id name } } } }`, map[string]any{"u": w.a.UserID}, &foods)
	w.noTraceOfA(t, "anonymous foods", response{Raw: string(r.Data)})
	if got := foods.All.names(); !slices.Equal(got, []string{appleName, breadName}) || foods.All.TotalCount != 2 {
		t.Errorf("anonymous foods = %v", got)
	}
	if got := foods.Apple.names(); !slices.Equal(got, []string{appleName}) {
		t.Errorf("anonymous foods(search: apple) = %v", got)
	}
	if foods.Secret.TotalCount != 0 || foods.Where.TotalCount != 0 {
		t.Errorf("anonymous foods found own foods: %s", r.Raw)
	}
	var v struct{ Viewer *struct{} }
	e.ok(t, "", `{ viewer { plan } }`, nil, &v)
	if v.Viewer != nil {
		t.Error("anonymous viewer is not null")
	}

	// Owned reads.
	for _, q := range []string{
		`{ meals(first: 50) { totalCount } }`,
		`{ targets(first: 50) { totalCount } }`,
		`{ dailyNutritions(first: 50) { totalCount } }`,
		`{ dailySummaries(from: "2026-06-15", to: "2026-06-15") { mealCount } }`,
		`{ progress(date: "2026-06-15") { mealCount } }`,
	} {
		r := e.fails(t, "", q, nil, http.StatusOK, "UNAUTHENTICATED", "")
		if string(r.Data) != "null" {
			t.Errorf("anonymous %s: data = %s, want null", q, r.Data)
		}
	}

	// Mutations with A's ids: like missing ids, UNAUTHENTICATED.
	at := start.Add(-30 * time.Minute).Format(time.RFC3339)
	for _, m := range mutationsWithIDs(w, at) {
		for _, target := range m.targets {
			what := fmt.Sprintf("%s(%s) anonymously", m.name, target.what)
			r := sameAsMissing(t, e, what, "", m.query, m.vars, []string{target.id}, []gid.Code{target.code})
			wantError(t, r, http.StatusOK, "UNAUTHENTICATED", "")
		}
	}
	// Mutations without ids.
	for _, c := range []struct {
		q    string
		vars map[string]any
	}{
		{createTargetMutation, map[string]any{"in": map[string]any{"name": "x", "goals": []any{map[string]any{"nutrient": "ENERGY_KCAL", "amount": 1, "direction": "AT_LEAST"}}}}},
		{`mutation { computeTargetFromProfile { id } }`, nil},
		{createFoodMutation, map[string]any{"in": map[string]any{"name": "x"}}},
		{logMealMutation, map[string]any{"in": map[string]any{"eatenAt": at, "mealType": "LUNCH", "entries": []any{map[string]any{"name": "x", "nutrients": map[string]any{"energyKcal": 1}}}}}},
		{`mutation { updateProfile(input: {displayName: "x"}) { id } }`, nil},
		{`mutation { changePassword(input: {currentPassword: "alice's password", newPassword: "taken over!"}) }`, nil},
		{`mutation { deleteAccount(input: {password: "alice's password"}) }`, nil},
		{`mutation { logout }`, nil},
	} {
		r := e.fails(t, "", c.q, c.vars, http.StatusOK, "UNAUTHENTICATED", "")
		if string(r.Data) != "null" {
			t.Errorf("anonymous %s: data = %s, want null", c.q, r.Data)
		}
	}

	// What works: register and login.
	e.register(t, "carol@example.com", "carol's password")
	var login struct {
		Login struct{ User struct{ ID string } }
	}
	e.ok(t, "", `mutation { login(input: {email: "alice@example.com", password: "alice's password"}) { token user { id } } }`, nil, &login)
	if login.Login.User.ID != w.a.UserID {
		t.Errorf("login as A: user %s", login.Login.User.ID)
	}
}
