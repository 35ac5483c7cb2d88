package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"nutrigraph/ent"
	"nutrigraph/ent/privacy"
	"nutrigraph/ent/user"
	"nutrigraph/internal/db"
	"nutrigraph/internal/nutrition"
	"nutrigraph/internal/store"
)

func TestTranslatePassesThrough(t *testing.T) {
	domain := nutrition.Conflict("email", "taken")
	wrappedDomain := fmt.Errorf("registering: %w", nutrition.NotFound("user"))
	canceled := fmt.Errorf("query: %w", context.Canceled)
	deadline := fmt.Errorf("query: %w", context.DeadlineExceeded)
	// A domain error wrapping a driver error is still a domain error.
	internalWithCause := &nutrition.Error{Code: nutrition.CodeInternal, Message: "internal error", Err: &pq.Error{Code: "23505"}}
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"domain error", domain},
		{"wrapped domain error", wrappedDomain},
		{"domain error with a driver cause", internalWithCause},
		{"context canceled", context.Canceled},
		{"wrapped context canceled", canceled},
		{"deadline exceeded", context.DeadlineExceeded},
		{"wrapped deadline exceeded", deadline},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := store.Translate(tc.err); got != tc.err {
				t.Fatalf("Translate(%v) = %v (%T), want the same error", tc.err, got, got)
			}
		})
	}
	if got := store.Translate(nil); got != nil {
		t.Fatalf("Translate(nil) = %v, want nil", got)
	}
}

func TestTranslateMapping(t *testing.T) {
	for _, tc := range []struct {
		name    string
		err     error
		code    nutrition.ErrorCode
		field   string
		message string // the user-facing message, when checked
	}{
		{"privacy deny", privacy.Deny, nutrition.CodeNotFound, "", "item not found"},
		{"privacy denyf", privacy.Denyf("meal %s belongs to another user", uuid.Nil), nutrition.CodeNotFound, "", "item not found"},
		{"wrapped privacy deny", fmt.Errorf("ent: %w", privacy.Deny), nutrition.CodeNotFound, "", ""},
		{"sql no rows", fmt.Errorf("scan: %w", sql.ErrNoRows), nutrition.CodeNotFound, "", ""},

		{"pq unique email", &pq.Error{Code: "23505", Table: "users", Constraint: "user_email",
			Detail: "Key (email)=(a@example.com) already exists."},
			nutrition.CodeConflict, "email", "another user has the same email"},
		{"pq unique daily", &pq.Error{Code: "23505", Table: "daily_nutritions", Constraint: "dailynutrition_user_id_local_date"},
			nutrition.CodeConflict, "localDate", "another daily nutrition has the same local date"},
		{"pq unique active target", &pq.Error{Code: "23505", Table: "targets", Constraint: "target_one_active_per_user"},
			nutrition.CodeConflict, "active", "the user already has an active target"},
		{"pq unique profile", &pq.Error{Code: "23505", Table: "profiles", Constraint: "profile_user_id"},
			nutrition.CodeConflict, "userID", "the user already has a profile"},
		{"pq unique billing event", &pq.Error{Code: "23505", Table: "billing_events", Constraint: "billingevent_event_id"},
			nutrition.CodeConflict, "eventID", "another billing event has the same event id"},
		{"pq unique without table", &pq.Error{Code: "23505", Constraint: "session_token_hash"},
			nutrition.CodeConflict, "tokenHash", ""},
		{"pq unique unknown index, columns from detail", &pq.Error{Code: "23505", Table: "foods", Constraint: "some_new_index",
			Detail: "Key (source, source_id)=(usda, 123) already exists."},
			nutrition.CodeConflict, "sourceID", ""},
		{"pq unique unknown index, columns from its name", &pq.Error{Code: "23505", Table: "meals", Constraint: "meal_local_date_meal_type"},
			nutrition.CodeConflict, "mealType", ""},
		{"pq unique column constraint", &pq.Error{Code: "23505", Table: "profiles", Constraint: "profiles_user_id_key"},
			nutrition.CodeConflict, "userID", "the user already has a profile"},
		{"pq foreign key", &pq.Error{Code: "23503", Table: "meals", Constraint: "meals_users_meals"},
			nutrition.CodeNotFound, "userID", "user not found"},
		{"pq foreign key to a meal", &pq.Error{Code: "23503", Table: "food_entries", Constraint: "food_entries_meals_entries"},
			nutrition.CodeNotFound, "mealID", "meal not found"},
		{"pq foreign key, unknown name", &pq.Error{Code: "23503", Constraint: "x",
			Detail: `Key (billing_account_id)=(…) is not present in table "billing_accounts".`},
			nutrition.CodeNotFound, "billingAccountID", "billing account not found"},
		{"pq not null", &pq.Error{Code: "23502", Table: "users", Column: "email"},
			nutrition.CodeInvalid, "email", "email is required"},
		{"pq check", &pq.Error{Code: "23514", Table: "profiles", Constraint: "profiles_height_cm_check"},
			nutrition.CodeInvalid, "heightCm", ""},
		{"pq value too long", &pq.Error{Code: "22001"}, nutrition.CodeInvalid, "", ""},
		{"pq numeric out of range", &pq.Error{Code: "22003"}, nutrition.CodeInvalid, "", ""},
		{"pq serialization failure", &pq.Error{Code: "40001", Message: "could not serialize access"},
			nutrition.CodeInternal, "", "internal error"},
		{"pq syntax error", &pq.Error{Code: "42601", Message: `syntax error at or near "SELEC"`},
			nutrition.CodeInternal, "", "internal error"},

		{"sqlite unique by message", errors.New("constraint failed: UNIQUE constraint failed: users.email (2067)"),
			nutrition.CodeConflict, "email", "another user has the same email"},
		{"sqlite unique two columns by message", errors.New("UNIQUE constraint failed: daily_nutritions.user_id, daily_nutritions.local_date"),
			nutrition.CodeConflict, "localDate", ""},
		{"sqlite unique active target by message", errors.New("constraint failed: UNIQUE constraint failed: targets.user_id (2067)"),
			nutrition.CodeConflict, "active", "the user already has an active target"},
		{"sqlite unique expression index by message", errors.New("UNIQUE constraint failed: index 'user_email'"),
			nutrition.CodeConflict, "email", ""},
		{"sqlite foreign key by message", errors.New("constraint failed: FOREIGN KEY constraint failed (787)"),
			nutrition.CodeNotFound, "", "referenced item not found"},
		{"sqlite not null by message", errors.New("constraint failed: NOT NULL constraint failed: meals.local_date (1299)"),
			nutrition.CodeInvalid, "localDate", "local date is required"},
		{"sqlite check by message", errors.New("constraint failed: CHECK constraint failed: grams (275)"),
			nutrition.CodeInvalid, "grams", ""},
		{"postgres unique by message", errors.New(`pq: duplicate key value violates unique constraint "user_email"`),
			nutrition.CodeConflict, "email", ""},

		{"anything else", errors.New("dial tcp 10.0.0.1:5432: connection refused"), nutrition.CodeInternal, "", "internal error"},
		{"a transaction already done", sql.ErrTxDone, nutrition.CodeInternal, "", "internal error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := store.Translate(tc.err)
			wantCode(t, got, tc.code, tc.field)
			if tc.message != "" && nutrition.MessageOf(got) != tc.message {
				t.Errorf("message = %q, want %q", nutrition.MessageOf(got), tc.message)
			}
			if !errors.Is(got, tc.err) {
				t.Errorf("the translated error lost its cause %v", tc.err)
			}
			checkNoLeak(t, got, tc.err)
		})
	}
}

// checkNoLeak fails when the user-facing message of err repeats any of the
// driver's text.
func checkNoLeak(t *testing.T, got, cause error) {
	t.Helper()
	msg := nutrition.MessageOf(got)
	for _, leak := range []string{"pq:", "ent:", "constraint", "UNIQUE", "SQL", "(", "relation", "Key", "@"} {
		if strings.Contains(msg, leak) {
			t.Errorf("message %q repeats driver text %q (cause: %v)", msg, leak, cause)
		}
	}
}

func TestFieldName(t *testing.T) {
	for in, want := range map[string]string{
		"email":                "email",
		"local_date":           "localDate",
		"user_id":              "userID",
		"billing_account_id":   "billingAccountID",
		"provider_customer_id": "providerCustomerID",
		"token_hash":           "tokenHash",
		"energy_kcal_missing":  "energyKcalMissing",
		"url":                  "url",
		"source_url":           "sourceURL",
	} {
		if got := store.FieldName(in); got != want {
			t.Errorf("FieldName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTranslateRealErrors translates errors produced by the real databases.
func TestTranslateRealErrors(t *testing.T) {
	eachDialect(t, func(t *testing.T, d *db.DB) {
		ctx := testCtx(t)
		c := d.Client
		u := mustCreateUser(t, ctx, c, "taken@example.com")
		missing := uuid.Must(uuid.NewV7())
		if _, err := c.Profile.Create().SetUserID(u.ID).Save(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := c.DailyNutrition.Create().SetUserID(u.ID).SetLocalDate("2026-03-01").Save(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Target.Create().SetUserID(u.ID).SetName("first").SetActive(true).Save(ctx); err != nil {
			t.Fatal(err)
		}
		token := []byte("0123456789abcdef0123456789abcdef")
		if _, err := c.Session.Create().SetUserID(u.ID).SetTokenHash(token).SetExpiresAt(time.Now().UTC().Add(time.Hour)).Save(ctx); err != nil {
			t.Fatal(err)
		}
		fkField := "userID"
		if d.Dialect == "sqlite3" {
			fkField = "" // SQLite does not say which key failed
		}
		canceled, cancel := context.WithCancel(ctx)
		cancel()

		for _, tc := range []struct {
			name  string
			run   func() error
			code  nutrition.ErrorCode
			field string
		}{
			{"duplicate live email", func() error {
				_, err := c.User.Create().SetEmail("taken@example.com").SetPasswordHash("h").Save(ctx)
				return err
			}, nutrition.CodeConflict, "email"},
			{"second live profile", func() error {
				_, err := c.Profile.Create().SetUserID(u.ID).Save(ctx)
				return err
			}, nutrition.CodeConflict, "userID"},
			{"second daily row of a day", func() error {
				_, err := c.DailyNutrition.Create().SetUserID(u.ID).SetLocalDate("2026-03-01").Save(ctx)
				return err
			}, nutrition.CodeConflict, "localDate"},
			{"second active target", func() error {
				_, err := c.Target.Create().SetUserID(u.ID).SetName("second").SetActive(true).Save(ctx)
				return err
			}, nutrition.CodeConflict, "active"},
			{"duplicate session token", func() error {
				_, err := c.Session.Create().SetUserID(u.ID).SetTokenHash(token).SetExpiresAt(time.Now().UTC()).Save(ctx)
				return err
			}, nutrition.CodeConflict, "tokenHash"},
			{"meal of a missing user", func() error {
				_, err := c.Meal.Create().SetUserID(missing).SetEatenAt(time.Now().UTC()).SetLocalDate("2026-03-01").SetMealType("LUNCH").Save(ctx)
				return err
			}, nutrition.CodeNotFound, fkField},
			{"empty email (validator)", func() error {
				_, err := c.User.Create().SetEmail("").SetPasswordHash("h").Save(ctx)
				return err
			}, nutrition.CodeInvalid, "email"},
			{"missing email (required field)", func() error {
				_, err := c.User.Create().SetPasswordHash("h").Save(ctx)
				return err
			}, nutrition.CodeInvalid, "email"},
			{"bad local date (validator)", func() error {
				_, err := c.DailyNutrition.Create().SetUserID(u.ID).SetLocalDate("1 March").Save(ctx)
				return err
			}, nutrition.CodeInvalid, "localDate"},
			{"NULL email (database)", func() error {
				q := `INSERT INTO users (id, created_at, updated_at, password_hash, plan) VALUES ($1, $2, $2, 'h', 'FREE')`
				if d.Dialect == "sqlite3" {
					q = `INSERT INTO users (id, created_at, updated_at, password_hash, plan) VALUES (?1, ?2, ?2, 'h', 'FREE')`
				}
				_, err := d.SQL.ExecContext(ctx, q, uuid.Must(uuid.NewV7()), time.Now().UTC())
				return err
			}, nutrition.CodeInvalid, "email"},
			{"get of a missing id", func() error {
				_, err := c.User.Get(ctx, missing)
				return err
			}, nutrition.CodeNotFound, ""},
			{"only of nothing", func() error {
				_, err := c.User.Query().Where(user.Email("nobody@example.com")).Only(ctx)
				return err
			}, nutrition.CodeNotFound, ""},
			{"delete of a missing id", func() error {
				return c.Session.DeleteOneID(missing).Exec(ctx)
			}, nutrition.CodeNotFound, ""},
			{"syntax error", func() error {
				_, err := d.SQL.ExecContext(ctx, `SELEC 1`)
				return err
			}, nutrition.CodeInternal, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				raw := tc.run()
				if raw == nil {
					t.Fatal("the statement succeeded; it should have failed")
				}
				got := store.Translate(raw)
				wantCode(t, got, tc.code, tc.field)
				checkNoLeak(t, got, raw)
				if !errors.Is(got, raw) {
					t.Errorf("the translated error lost its cause")
				}
			})
		}

		t.Run("canceled context passes through", func(t *testing.T) {
			_, raw := c.User.Query().All(canceled)
			if raw == nil {
				t.Fatal("query with a canceled context succeeded")
			}
			got := store.Translate(raw)
			if !errors.Is(got, context.Canceled) {
				t.Fatalf("Translate(%v) = %v, want context.Canceled", raw, got)
			}
		})

		t.Run("check constraint", func(t *testing.T) {
			if _, err := d.SQL.ExecContext(ctx, `CREATE TABLE store_check_probe (amount integer CONSTRAINT store_check_probe_amount_check CHECK (amount > 0))`); err != nil {
				t.Fatal(err)
			}
			_, raw := d.SQL.ExecContext(ctx, `INSERT INTO store_check_probe (amount) VALUES (-1)`)
			got := store.Translate(raw)
			wantCode(t, got, nutrition.CodeInvalid, "amount")
			checkNoLeak(t, got, raw)
		})

		t.Run("not found names the type", func(t *testing.T) {
			_, raw := c.DailyNutrition.Get(ctx, missing)
			if got := nutrition.MessageOf(store.Translate(raw)); got != "daily nutrition not found" {
				t.Fatalf("message = %q", got)
			}
		})
	})
}

var _ = ent.IsNotFound
