package store_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"nutrigraph/ent"
	"nutrigraph/ent/billingevent"
	"nutrigraph/ent/meal"
	"nutrigraph/ent/targetnutrient"
	"nutrigraph/internal/db"
	"nutrigraph/internal/nutrition"
	"nutrigraph/internal/store"
)

// account is one user with one row of every table that belongs to them.
type account struct {
	User           *ent.User
	Profile        *ent.Profile
	BillingAccount *ent.BillingAccount
	BillingEvent   *ent.BillingEvent // linked to the account; not owned (kept on deletion)
	Session        *ent.Session
	Target         *ent.Target
	TargetNutrient *ent.TargetNutrient
	TargetSnapshot *ent.TargetSnapshot
	Food           *ent.Food // the user's own food
	FoodPortion    *ent.FoodPortion
	Meal           *ent.Meal
	FoodEntry      *ent.FoodEntry
	MealNutrition  *ent.MealNutrition
	DailyNutrition *ent.DailyNutrition
}

// nodes returns every row of a as (type name, id, node).
func (a *account) nodes() []struct {
	Type string
	ID   uuid.UUID
	Node ent.Noder
} {
	type n = struct {
		Type string
		ID   uuid.UUID
		Node ent.Noder
	}
	return []n{
		{"User", a.User.ID, a.User},
		{"Profile", a.Profile.ID, a.Profile},
		{"BillingAccount", a.BillingAccount.ID, a.BillingAccount},
		{"BillingEvent", a.BillingEvent.ID, a.BillingEvent},
		{"Session", a.Session.ID, a.Session},
		{"Target", a.Target.ID, a.Target},
		{"TargetNutrient", a.TargetNutrient.ID, a.TargetNutrient},
		{"TargetSnapshot", a.TargetSnapshot.ID, a.TargetSnapshot},
		{"Food", a.Food.ID, a.Food},
		{"FoodPortion", a.FoodPortion.ID, a.FoodPortion},
		{"Meal", a.Meal.ID, a.Meal},
		{"FoodEntry", a.FoodEntry.ID, a.FoodEntry},
		{"MealNutrition", a.MealNutrition.ID, a.MealNutrition},
		{"DailyNutrition", a.DailyNutrition.ID, a.DailyNutrition},
	}
}

// day is the local date of the fixture's meal and daily totals.
const day = "2026-03-01"

// seedAccount creates, in one transaction, a user named by email with one
// row of every table.
func seedAccount(t *testing.T, ctx context.Context, c *ent.Client, email string) *account {
	t.Helper()
	var a account
	now := time.Now().UTC()
	token := sha256.Sum256([]byte(email))
	err := store.WithTx(ctx, c, func(tx *ent.Tx) (err error) {
		a = account{}
		if a.User, err = tx.User.Create().SetEmail(email).SetPasswordHash("argon2id$test").Save(ctx); err != nil {
			return fmt.Errorf("user: %w", err)
		}
		uid := a.User.ID
		if a.Profile, err = tx.Profile.Create().SetUserID(uid).SetDisplayName(email).Save(ctx); err != nil {
			return fmt.Errorf("profile: %w", err)
		}
		if a.BillingAccount, err = tx.BillingAccount.Create().SetUserID(uid).SetProviderCustomerID("cus_" + email).Save(ctx); err != nil {
			return fmt.Errorf("billing account: %w", err)
		}
		if a.BillingEvent, err = tx.BillingEvent.Create().SetEventID("evt_" + email).SetType("invoice.paid").
			SetAccountRef("cus_" + email).SetBillingAccountID(a.BillingAccount.ID).SetOccurredAt(now).
			SetOutcome(billingevent.OutcomeAPPLIED).SetPayload([]byte(`{}`)).Save(ctx); err != nil {
			return fmt.Errorf("billing event: %w", err)
		}
		if a.Session, err = tx.Session.Create().SetUserID(uid).SetTokenHash(token[:]).SetExpiresAt(now.Add(time.Hour)).Save(ctx); err != nil {
			return fmt.Errorf("session: %w", err)
		}
		if a.Target, err = tx.Target.Create().SetUserID(uid).SetName("Main").SetActive(true).Save(ctx); err != nil {
			return fmt.Errorf("target: %w", err)
		}
		if a.TargetNutrient, err = tx.TargetNutrient.Create().SetUserID(uid).SetTargetID(a.Target.ID).
			SetNutrient(targetnutrient.NutrientPROTEIN).SetAmount(60).SetDirection(targetnutrient.DirectionAT_LEAST).Save(ctx); err != nil {
			return fmt.Errorf("target nutrient: %w", err)
		}
		if a.TargetSnapshot, err = tx.TargetSnapshot.Create().SetUserID(uid).SetTargetID(a.Target.ID).SetEffectiveFrom(day).
			SetGoals([]nutrition.Goal{{Nutrient: nutrition.Protein, Amount: 60, Direction: nutrition.AtLeast}}).Save(ctx); err != nil {
			return fmt.Errorf("target snapshot: %w", err)
		}
		if a.Food, err = tx.Food.Create().SetUserID(uid).SetName("Own oats").SetProteinG(13).Save(ctx); err != nil {
			return fmt.Errorf("food: %w", err)
		}
		if a.FoodPortion, err = tx.FoodPortion.Create().SetFoodID(a.Food.ID).SetSeq(0).SetAmount(1).SetUnit("cup").SetGrams(81).Save(ctx); err != nil {
			return fmt.Errorf("food portion: %w", err)
		}
		if a.Meal, err = tx.Meal.Create().SetUserID(uid).SetEatenAt(now).SetLocalDate(day).SetMealType(meal.MealTypeBREAKFAST).Save(ctx); err != nil {
			return fmt.Errorf("meal: %w", err)
		}
		if a.FoodEntry, err = tx.FoodEntry.Create().SetUserID(uid).SetMealID(a.Meal.ID).SetFoodID(a.Food.ID).
			SetName("Own oats").SetGrams(81).SetProteinG(10.5).Save(ctx); err != nil {
			return fmt.Errorf("food entry: %w", err)
		}
		if a.MealNutrition, err = tx.MealNutrition.Create().SetUserID(uid).SetMealID(a.Meal.ID).SetProteinG(10.5).SetEntryCount(1).Save(ctx); err != nil {
			return fmt.Errorf("meal nutrition: %w", err)
		}
		if a.DailyNutrition, err = tx.DailyNutrition.Create().SetUserID(uid).SetLocalDate(day).SetProteinG(10.5).SetMealCount(1).Save(ctx); err != nil {
			return fmt.Errorf("daily nutrition: %w", err)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seeding %s: %v", email, err)
	}
	return &a
}

// ownedTables are the tables whose rows a user owns, with the SQL condition
// that selects the rows of user $1 (food portions belong to the user's foods).
var ownedTables = []struct{ table, owner string }{
	{"users", "id = $1"},
	{"profiles", "user_id = $1"},
	{"billing_accounts", "user_id = $1"},
	{"sessions", "user_id = $1"},
	{"targets", "user_id = $1"},
	{"target_nutrients", "user_id = $1"},
	{"target_snapshots", "user_id = $1"},
	{"foods", "user_id = $1"},
	{"food_portions", "food_id IN (SELECT id FROM foods WHERE user_id = $1)"},
	{"meals", "user_id = $1"},
	{"food_entries", "user_id = $1"},
	{"meal_nutritions", "user_id = $1"},
	{"daily_nutritions", "user_id = $1"},
}

// rowCounts counts, with plain SQL (no ent interceptor involved), the rows
// of user in every owned table: live ones and all.
func rowCounts(t *testing.T, ctx context.Context, d *db.DB, user uuid.UUID) (live, all map[string]int) {
	t.Helper()
	live, all = map[string]int{}, map[string]int{}
	for _, o := range ownedTables {
		cond := o.owner
		if d.Dialect == "sqlite3" {
			cond = strings.ReplaceAll(cond, "$1", "?1")
		}
		q := "SELECT COUNT(*), COALESCE(SUM(CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END), 0) FROM " + o.table + " WHERE " + cond
		var n, l int
		if err := d.SQL.QueryRowContext(ctx, q, user).Scan(&n, &l); err != nil {
			t.Fatalf("counting %s: %v", o.table, err)
		}
		all[o.table], live[o.table] = n, l
	}
	return live, all
}

// deleteNode deletes the row id of the named type through ent (in tx when
// the type's delete cascades).
func deleteNode(ctx context.Context, c *ent.Client, typ string, id uuid.UUID) error {
	switch typ {
	case "User":
		return c.User.DeleteOneID(id).Exec(ctx)
	case "Profile":
		return c.Profile.DeleteOneID(id).Exec(ctx)
	case "BillingAccount":
		return c.BillingAccount.DeleteOneID(id).Exec(ctx)
	case "BillingEvent":
		return c.BillingEvent.DeleteOneID(id).Exec(ctx)
	case "Session":
		return c.Session.DeleteOneID(id).Exec(ctx)
	case "Target":
		return c.Target.DeleteOneID(id).Exec(ctx)
	case "TargetNutrient":
		return c.TargetNutrient.DeleteOneID(id).Exec(ctx)
	case "TargetSnapshot":
		return c.TargetSnapshot.DeleteOneID(id).Exec(ctx)
	case "Food":
		return c.Food.DeleteOneID(id).Exec(ctx)
	case "FoodPortion":
		return c.FoodPortion.DeleteOneID(id).Exec(ctx)
	case "Meal":
		return c.Meal.DeleteOneID(id).Exec(ctx)
	case "FoodEntry":
		return c.FoodEntry.DeleteOneID(id).Exec(ctx)
	case "MealNutrition":
		return c.MealNutrition.DeleteOneID(id).Exec(ctx)
	case "DailyNutrition":
		return c.DailyNutrition.DeleteOneID(id).Exec(ctx)
	}
	return fmt.Errorf("unknown type %s", typ)
}
