package server_test

import (
	"crypto/sha256"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"nutrigraph/ent/billingaccount"
	"nutrigraph/ent/dailynutrition"
	"nutrigraph/ent/food"
	"nutrigraph/ent/foodentry"
	"nutrigraph/ent/foodportion"
	"nutrigraph/ent/meal"
	"nutrigraph/ent/mealnutrition"
	"nutrigraph/ent/profile"
	"nutrigraph/ent/session"
	"nutrigraph/ent/target"
	"nutrigraph/ent/targetnutrient"
	"nutrigraph/ent/targetsnapshot"
	"nutrigraph/ent/user"
	"nutrigraph/internal/config"
	"nutrigraph/internal/softdelete"
	"nutrigraph/internal/testdb"
)

const viewerQuery = `{ viewer {
  user { id email plan }
  profile { displayName timeZone goal sex birthDate heightCm weightKg activityLevel }
  billingAccount { status plan trialEndsAt currentPeriodEnd }
  plan
  entitlements { plan maxTargets maxOwnFoods targets ownFoods }
} }`

type viewerData struct {
	Viewer *struct {
		User struct {
			ID, Email, Plan string
		}
		Profile struct {
			DisplayName   *string
			TimeZone      string
			Goal          string
			Sex           *string
			BirthDate     *string
			HeightCm      *float64
			WeightKg      *float64
			ActivityLevel *string
		}
		BillingAccount struct {
			Status, Plan     string
			TrialEndsAt      *time.Time
			CurrentPeriodEnd *time.Time
		}
		Plan         string
		Entitlements struct {
			Plan                    string
			MaxTargets, MaxOwnFoods *int
			Targets, OwnFoods       int
		}
	}
}

func (e *env) viewer(t *testing.T, token string) viewerData {
	t.Helper()
	var v viewerData
	e.ok(t, token, viewerQuery, nil, &v)
	if v.Viewer == nil {
		t.Fatal("viewer is null for a valid token")
	}
	return v
}

// wantRevoked checks that token is refused before any resolver runs:
// 401, UNAUTHENTICATED, WWW-Authenticate.
func (e *env) wantRevoked(t *testing.T, token string) {
	t.Helper()
	r := e.gql(t, token, `{ viewer { user { id } } }`, nil)
	wantError(t, r, http.StatusUnauthorized, "UNAUTHENTICATED", "")
	if got := r.Header.Get("WWW-Authenticate"); got != `Bearer error="invalid_token"` {
		t.Errorf("WWW-Authenticate = %q", got)
	}
	if string(r.Data) != "" && string(r.Data) != "null" {
		t.Errorf("a refused token got data: %s", r.Raw)
	}
}

// TestAccountLifecycle: register → login → viewer with a 14-day premium
// trial → profile edits (valid and invalid) → change password → logout →
// delete account → the email registers again; bad and expired tokens.
func TestAccountLifecycle(t *testing.T) {
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, dialect, nil)
			const pw = "correct horse battery"

			// Register: email trimmed and lower-cased, a session of 30 days.
			var reg struct {
				Register struct {
					Token     string
					ExpiresAt time.Time
					User      struct{ ID, Email string }
				}
			}
			e.ok(t, "", registerMutation, map[string]any{"in": map[string]any{
				"email": "  Ada.Lovelace@Example.COM ", "password": pw, "displayName": " Ada ", "timeZone": "Europe/Paris"}}, &reg)
			if reg.Register.User.Email != "ada.lovelace@example.com" {
				t.Errorf("email = %q, want it trimmed and lower-cased", reg.Register.User.Email)
			}
			if want := start.Add(30 * 24 * time.Hour); !reg.Register.ExpiresAt.Equal(want) {
				t.Errorf("expiresAt = %v, want %v", reg.Register.ExpiresAt, want)
			}
			if len(reg.Register.Token) != 43 { // 256 bits, base64url without padding
				t.Errorf("token %q has %d characters, want 43", reg.Register.Token, len(reg.Register.Token))
			}
			regToken, uid := reg.Register.Token, reg.Register.User.ID

			// The same email in another case is taken.
			e.fails(t, "", registerMutation, map[string]any{"in": map[string]any{"email": "ADA.LOVELACE@example.com", "password": pw}},
				http.StatusOK, "CONFLICT", "email")
			// Registration input errors name the field.
			e.fails(t, "", registerMutation, map[string]any{"in": map[string]any{"email": "not-an-email", "password": pw}},
				http.StatusOK, "BAD_USER_INPUT", "email")
			e.fails(t, "", registerMutation, map[string]any{"in": map[string]any{"email": "x@example.com", "password": "short"}},
				http.StatusOK, "BAD_USER_INPUT", "password")
			e.fails(t, "", registerMutation, map[string]any{"in": map[string]any{"email": "x@example.com", "password": pw, "timeZone": "Mars/Olympus_Mons"}},
				http.StatusOK, "BAD_USER_INPUT", "timeZone")

			// Login (email compared case-insensitively).
			const loginMutation = `mutation($in: LoginInput!) { login(input: $in) { token expiresAt user { id email } } }`
			var login struct {
				Login struct {
					Token     string
					ExpiresAt time.Time
					User      struct{ ID, Email string }
				}
			}
			e.ok(t, "", loginMutation, map[string]any{"in": map[string]any{"email": "Ada.Lovelace@example.com ", "password": pw}}, &login)
			if login.Login.User.ID != uid || login.Login.Token == regToken || login.Login.Token == "" {
				t.Fatalf("login = %+v, want user %s and a new token", login.Login, uid)
			}
			loginToken := login.Login.Token
			// A wrong password and an unknown email answer alike.
			wrong := e.fails(t, "", loginMutation, map[string]any{"in": map[string]any{"email": "ada.lovelace@example.com", "password": "wrong password"}},
				http.StatusOK, "UNAUTHENTICATED", "")
			unknown := e.fails(t, "", loginMutation, map[string]any{"in": map[string]any{"email": "nobody@example.com", "password": "wrong password"}},
				http.StatusOK, "UNAUTHENTICATED", "")
			if wrong.Raw != unknown.Raw {
				t.Errorf("wrong password and unknown email differ:\n%s\n%s", wrong.Raw, unknown.Raw)
			}

			// The viewer: a premium trial ending 14 days from now.
			v := e.viewer(t, loginToken)
			vv := v.Viewer
			if vv.User.ID != uid || vv.User.Email != "ada.lovelace@example.com" {
				t.Errorf("viewer.user = %+v", vv.User)
			}
			if vv.Profile.DisplayName == nil || *vv.Profile.DisplayName != "Ada" || vv.Profile.TimeZone != "Europe/Paris" || vv.Profile.Goal != "MAINTAIN" ||
				vv.Profile.Sex != nil || vv.Profile.BirthDate != nil || vv.Profile.HeightCm != nil || vv.Profile.WeightKg != nil || vv.Profile.ActivityLevel != nil {
				t.Errorf("viewer.profile = %s", mustJSON(vv.Profile))
			}
			ba := vv.BillingAccount
			if ba.Status != "TRIALING" || ba.Plan != "PREMIUM" || ba.TrialEndsAt == nil || !ba.TrialEndsAt.Equal(start.Add(14*24*time.Hour)) || ba.CurrentPeriodEnd != nil {
				t.Errorf("viewer.billingAccount = %s, want TRIALING PREMIUM until %s", mustJSON(ba), start.Add(14*24*time.Hour))
			}
			if vv.Plan != "PREMIUM" {
				t.Errorf("viewer.plan = %s, want PREMIUM", vv.Plan)
			}
			if en := vv.Entitlements; en.Plan != "PREMIUM" || en.MaxTargets != nil || en.MaxOwnFoods != nil || en.Targets != 0 || en.OwnFoods != 0 {
				t.Errorf("viewer.entitlements = %s, want premium, unlimited, nothing used", mustJSON(en))
			}

			// Profile: a valid edit, then invalid ones that name the field
			// and change nothing.
			const updateProfile = `mutation($in: UpdateProfileInput!) { updateProfile(input: $in) {
			  displayName sex birthDate heightCm weightKg activityLevel goal timeZone } }`
			var up struct{ UpdateProfile map[string]any }
			e.ok(t, loginToken, updateProfile, map[string]any{"in": map[string]any{
				"displayName": "Ada L.", "sex": "FEMALE", "birthDate": "1990-12-10", "heightCm": 168.5, "weightKg": 61.2,
				"activityLevel": "MODERATE", "goal": "LOSE", "timeZone": "America/New_York"}}, &up)
			want := map[string]any{"displayName": "Ada L.", "sex": "FEMALE", "birthDate": "1990-12-10", "heightCm": 168.5, "weightKg": 61.2,
				"activityLevel": "MODERATE", "goal": "LOSE", "timeZone": "America/New_York"}
			if mustJSON(up.UpdateProfile) != mustJSON(want) {
				t.Errorf("updateProfile = %s, want %s", mustJSON(up.UpdateProfile), mustJSON(want))
			}
			before := e.ok(t, loginToken, viewerQuery, nil, nil).Raw
			for _, c := range []struct {
				in    map[string]any
				field string
			}{
				{map[string]any{"heightCm": 39.9}, "heightCm"},
				{map[string]any{"heightCm": 275.1}, "heightCm"},
				{map[string]any{"weightKg": 1.9}, "weightKg"},
				{map[string]any{"weightKg": 651}, "weightKg"},
				{map[string]any{"birthDate": "2026-06-16"}, "birthDate"}, // tomorrow in New York
				{map[string]any{"birthDate": "1890-01-01"}, "birthDate"},
				{map[string]any{"birthDate": "1990-02-30"}, "birthDate"},
				{map[string]any{"timeZone": "Europe/Atlantis"}, "timeZone"},
				{map[string]any{"displayName": strings.Repeat("x", 101)}, "displayName"},
				{map[string]any{"sex": "OTHER"}, "input.sex"},                // not an enum value: refused by GraphQL
				{map[string]any{"heightCm": 180, "weightKg": 0}, "weightKg"}, // a valid field does not save an invalid one
			} {
				r := e.gql(t, loginToken, updateProfile, map[string]any{"in": c.in})
				if c.field == "input.sex" {
					// Not an enum value: refused before execution.
					wantError(t, r, http.StatusUnprocessableEntity, "GRAPHQL_VALIDATION_FAILED", "")
					continue
				}
				wantError(t, r, http.StatusOK, "BAD_USER_INPUT", c.field)
			}
			if after := e.ok(t, loginToken, viewerQuery, nil, nil).Raw; after != before {
				t.Errorf("invalid profile edits changed the viewer:\n%s\n%s", before, after)
			}
			// Today in New York is 2026-06-15: a birth date of today is valid.
			e.ok(t, loginToken, updateProfile, map[string]any{"in": map[string]any{"birthDate": "2026-06-15"}}, nil)

			// changePassword from the login session: the other session
			// (registration) ends, this one goes on.
			const changePassword = `mutation($in: ChangePasswordInput!) { changePassword(input: $in) }`
			e.fails(t, loginToken, changePassword, map[string]any{"in": map[string]any{"currentPassword": "not it at all", "newPassword": "a new passphrase"}},
				http.StatusOK, "BAD_USER_INPUT", "currentPassword")
			e.fails(t, loginToken, changePassword, map[string]any{"in": map[string]any{"currentPassword": pw, "newPassword": "short"}},
				http.StatusOK, "BAD_USER_INPUT", "newPassword")
			e.viewer(t, regToken) // both sessions still valid after failed attempts
			var cp struct{ ChangePassword bool }
			e.ok(t, loginToken, changePassword, map[string]any{"in": map[string]any{"currentPassword": pw, "newPassword": "a new passphrase"}}, &cp)
			if !cp.ChangePassword {
				t.Error("changePassword = false")
			}
			e.wantRevoked(t, regToken)
			if got := e.viewer(t, loginToken).Viewer.User.ID; got != uid {
				t.Errorf("current session after changePassword: user %s", got)
			}
			e.fails(t, "", loginMutation, map[string]any{"in": map[string]any{"email": "ada.lovelace@example.com", "password": pw}},
				http.StatusOK, "UNAUTHENTICATED", "")
			e.ok(t, "", loginMutation, map[string]any{"in": map[string]any{"email": "ada.lovelace@example.com", "password": "a new passphrase"}}, &login)
			third := login.Login.Token

			// logout ends the current session only.
			var lo struct{ Logout bool }
			e.ok(t, third, `mutation { logout }`, nil, &lo)
			if !lo.Logout {
				t.Error("logout = false")
			}
			e.wantRevoked(t, third)
			e.viewer(t, loginToken)

			// Invalid tokens: unknown, malformed scheme, too long.
			e.wantRevoked(t, "bm90IGEgdG9rZW4gb2YgYW55b25lIGF0IGFsbCEhISE")
			e.wantRevoked(t, strings.Repeat("a", 200))
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", strings.NewReader(`{"query":"{ viewer { user { id } } }"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Basic "+loginToken)
			wantError(t, e.do(t, req), http.StatusUnauthorized, "UNAUTHENTICATED", "")
			// Without a token, viewer is null.
			var anon viewerData
			e.ok(t, "", viewerQuery, nil, &anon)
			if anon.Viewer != nil {
				t.Errorf("anonymous viewer = %+v, want null", anon.Viewer)
			}

			// deleteAccount: the password is checked, then every session
			// ends and the email can register again.
			// Some data of the account, to be deleted with it.
			e.ok(t, loginToken, `mutation { createTarget(input: {name: "Mine", goals: [{nutrient: PROTEIN, amount: 90, direction: AT_LEAST}]}) { id } }`, nil, nil)
			e.ok(t, loginToken, `mutation { createFood(input: {name: "My soup", nutrients: {energyKcal: 40}, portions: [{amount: 1, unit: "bowl", grams: 300}]}) { id } }`, nil, nil)
			e.ok(t, loginToken, `mutation($at: Time!) { logMeal(input: {eatenAt: $at, mealType: LUNCH, entries: [{name: "Soup", nutrients: {energyKcal: 120}}]}) { id } }`,
				map[string]any{"at": start.Format(time.RFC3339)}, nil)
			if got := ownedRows(e, uid, false); mustJSON(got) != `{"billing_accounts":1,"daily_nutritions":1,"food_entries":1,"food_portions":1,"foods":1,"meal_nutritions":1,"meals":1,"profiles":1,"target_nutrients":1,"target_snapshots":1,"targets":1,"users":1}` {
				t.Errorf("rows of the account before deletion: %s", mustJSON(got))
			}

			const deleteAccount = `mutation($pw: String!) { deleteAccount(input: {password: $pw}) }`
			e.fails(t, loginToken, deleteAccount, map[string]any{"pw": pw}, http.StatusOK, "BAD_USER_INPUT", "password")
			e.viewer(t, loginToken)
			var del struct{ DeleteAccount bool }
			e.ok(t, loginToken, deleteAccount, map[string]any{"pw": "a new passphrase"}, &del)
			if !del.DeleteAccount {
				t.Error("deleteAccount = false")
			}
			e.wantRevoked(t, loginToken)
			// Everything the account owned is soft-deleted: invisible, kept.
			for table, n := range ownedRows(e, uid, false) {
				if n != 0 {
					t.Errorf("%d live %s rows of the deleted account", n, table)
				}
			}
			if got := ownedRows(e, uid, true); mustJSON(got) != `{"billing_accounts":1,"daily_nutritions":1,"food_entries":1,"food_portions":1,"foods":1,"meal_nutritions":1,"meals":1,"profiles":1,"target_nutrients":1,"target_snapshots":1,"targets":1,"users":1}` {
				t.Errorf("rows of the deleted account, deleted included: %s", mustJSON(got))
			}
			e.fails(t, "", loginMutation, map[string]any{"in": map[string]any{"email": "ada.lovelace@example.com", "password": "a new passphrase"}},
				http.StatusOK, "UNAUTHENTICATED", "")
			again := e.register(t, "ada.lovelace@example.com", "yet another passphrase")
			if again.UserID == uid {
				t.Errorf("registering again returned the deleted user %s", uid)
			}
			v2 := e.viewer(t, again.Token).Viewer
			if v2.User.ID != again.UserID || v2.Profile.TimeZone != "UTC" || v2.Profile.DisplayName == nil || *v2.Profile.DisplayName != "" || v2.BillingAccount.Status != "TRIALING" {
				t.Errorf("viewer after registering again = %s", mustJSON(v2))
			}
			// The deleted user, profile and billing account are kept
			// soft-deleted; one live user holds the email.
			ctx := softdelete.IncludeDeleted(system())
			rows, err := e.db.Client.User.Query().Where(user.Email("ada.lovelace@example.com")).All(ctx)
			if err != nil {
				t.Fatal(err)
			}
			live := 0
			for _, u := range rows {
				if u.DeletedAt == nil {
					live++
				}
			}
			if len(rows) != 2 || live != 1 {
				t.Errorf("users with the email: %d rows, %d live; want 2 rows, 1 live", len(rows), live)
			}
			if n := e.db.Client.Profile.Query().Where(profile.DeletedAtIsNil()).CountX(ctx); n != 1 {
				t.Errorf("live profiles = %d, want 1", n)
			}
			if n := e.db.Client.BillingAccount.Query().Where(billingaccount.DeletedAtIsNil()).CountX(ctx); n != 1 {
				t.Errorf("live billing accounts = %d, want 1", n)
			}
			if n := e.db.Client.Session.Query().Where(session.RevokedAtIsNil(), session.DeletedAtIsNil()).CountX(ctx); n != 1 {
				t.Errorf("unrevoked sessions = %d, want 1 (the new registration's)", n)
			}

			// Sessions are stored as SHA-256 hashes of their tokens.
			sum := sha256.Sum256([]byte(again.Token))
			if n := e.db.Client.Session.Query().Where(session.TokenHash(sum[:]), session.UserID(uuid.MustParse(again.UserID))).CountX(system()); n != 1 {
				t.Errorf("%d sessions stored under the token's SHA-256, want 1", n)
			}
			// No token or password reached the logs (every request is
			// logged at debug level here).
			logs := e.logs.String()
			if !strings.Contains(logs, `"path":"/graphql"`) {
				t.Fatalf("no access log: %s", logs)
			}
			for _, secret := range []string{regToken, loginToken, third, again.Token, pw, "a new passphrase", "yet another passphrase"} {
				if strings.Contains(logs, secret) {
					t.Errorf("the logs hold a token or password %q", secret)
				}
			}

			// A session expires 30 days after it was opened.
			e.clock.Advance(30*24*time.Hour - time.Second)
			e.viewer(t, again.Token)
			e.clock.Advance(time.Second)
			e.wantRevoked(t, again.Token)
		})
	}
}

// TestConcurrentRegistrations sends 10 registrations of one email at once:
// exactly one account is created, the others get CONFLICT on email, and no
// partial account (profile, billing account, session) is left behind.
func TestConcurrentRegistrations(t *testing.T) {
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, dialect, nil)
			const n = 10
			results := make([]response, n)
			var wg sync.WaitGroup
			gate := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-gate
					emails := []string{"race@example.com", "Race@Example.com", " RACE@example.com"}
					results[i] = e.gql(t, "", registerMutation, map[string]any{"in": map[string]any{
						"email": emails[i%len(emails)], "password": "password number " + string(rune('a'+i))}})
				}()
			}
			close(gate)
			wg.Wait()
			won, conflicts := 0, 0
			for _, r := range results {
				switch {
				case r.Status == http.StatusOK && len(r.Errors) == 0:
					won++
				case r.Status == http.StatusOK && len(r.Errors) == 1 && r.Errors[0].Extensions["code"] == "CONFLICT" && r.Errors[0].Extensions["field"] == "email":
					conflicts++
				default:
					t.Errorf("unexpected response %d: %s", r.Status, r.Raw)
				}
			}
			if won != 1 || conflicts != n-1 {
				t.Errorf("%d registrations succeeded and %d got CONFLICT; want 1 and %d", won, conflicts, n-1)
			}
			ctx := softdelete.IncludeDeleted(system())
			counts := map[string]int{
				"users":            e.db.Client.User.Query().CountX(ctx),
				"users with email": e.db.Client.User.Query().Where(user.Email("race@example.com")).CountX(ctx),
				"profiles":         e.db.Client.Profile.Query().CountX(ctx),
				"billing accounts": e.db.Client.BillingAccount.Query().CountX(ctx),
				"sessions":         e.db.Client.Session.Query().CountX(ctx),
			}
			for name, got := range counts {
				if got != 1 {
					t.Errorf("%s rows = %d, want 1", name, got)
				}
			}
		})
	}
}

// TestLoginRateLimits: with LOGIN_LIMIT_PER_EMAIL=3 and
// LOGIN_LIMIT_PER_IP=5 in a 15-minute window, the fourth attempt for one
// email and the sixth from one IP are answered 429 with Retry-After (the
// seconds until the oldest attempt leaves the window), even with the right
// password; once the window has passed, logins work again.
func TestLoginRateLimits(t *testing.T) {
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, dialect, func(c *config.Config) {
				c.LoginLimitPerEmail = 3
				c.LoginLimitPerIP = 5
				c.LoginLimitWindow = 15 * time.Minute
			})
			a := e.register(t, "limited@example.com", "the right password")
			const login = `mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token } }`
			attempt := func(email, pw string) response {
				return e.gql(t, "", login, map[string]any{"e": email, "p": pw})
			}
			limited := func(r response, retryAfter string) {
				t.Helper()
				wantError(t, r, http.StatusTooManyRequests, "RATE_LIMITED", "")
				if got := r.Header.Get("Retry-After"); got != retryAfter {
					t.Errorf("Retry-After = %q, want %q", got, retryAfter)
				}
				if string(r.Data) != "null" {
					t.Errorf("a limited login returned data: %s", r.Raw)
				}
			}

			// Three attempts for the email, a minute apart.
			wantError(t, attempt(a.Email, "wrong 1 password"), http.StatusOK, "UNAUTHENTICATED", "")
			e.clock.Advance(time.Minute)
			wantError(t, attempt("LIMITED@example.com", "wrong 2 password"), http.StatusOK, "UNAUTHENTICATED", "")
			e.clock.Advance(time.Minute)
			if r := attempt(a.Email, a.Password); r.Status != http.StatusOK || len(r.Errors) != 0 {
				t.Fatalf("third attempt with the right password: %s", r.Raw)
			}
			e.clock.Advance(time.Minute)
			// The fourth is refused, the right password too: the oldest
			// attempt leaves the window in 15 − 3 = 12 minutes.
			limited(attempt(a.Email, a.Password), "720")
			// Other emails from the same IP: attempts 5 (this IP's fifth)
			// goes through, the sixth is refused by the IP limit.
			wantError(t, attempt("someone@example.com", "some password"), http.StatusOK, "UNAUTHENTICATED", "")
			limited(attempt("else@example.com", "some password"), "720")
			// Registration is not limited.
			e.register(t, "new@example.com", "another password")

			// 12 minutes later the first attempt has left both windows.
			e.clock.Advance(12 * time.Minute)
			if r := attempt(a.Email, a.Password); r.Status != http.StatusOK || len(r.Errors) != 0 {
				t.Fatalf("login after the window: %s", r.Raw)
			}
		})
	}
}

// ownedRows counts the rows user owns in every user-owned table (live
// ones, or all with deleted).
func ownedRows(e *env, userID string, deleted bool) map[string]int {
	ctx := system()
	if deleted {
		ctx = softdelete.IncludeDeleted(ctx)
	}
	u := uuid.MustParse(userID)
	c := e.db.Client
	return map[string]int{
		"users":            c.User.Query().Where(user.ID(u)).CountX(ctx),
		"profiles":         c.Profile.Query().Where(profile.UserID(u)).CountX(ctx),
		"billing_accounts": c.BillingAccount.Query().Where(billingaccount.UserID(u)).CountX(ctx),
		"targets":          c.Target.Query().Where(target.UserID(u)).CountX(ctx),
		"target_nutrients": c.TargetNutrient.Query().Where(targetnutrient.UserID(u)).CountX(ctx),
		"target_snapshots": c.TargetSnapshot.Query().Where(targetsnapshot.UserID(u)).CountX(ctx),
		"foods":            c.Food.Query().Where(food.UserID(u)).CountX(ctx),
		"food_portions":    c.FoodPortion.Query().Where(foodportion.HasFoodWith(food.UserID(u))).CountX(ctx),
		"meals":            c.Meal.Query().Where(meal.UserID(u)).CountX(ctx),
		"food_entries":     c.FoodEntry.Query().Where(foodentry.UserID(u)).CountX(ctx),
		"meal_nutritions":  c.MealNutrition.Query().Where(mealnutrition.UserID(u)).CountX(ctx),
		"daily_nutritions": c.DailyNutrition.Query().Where(dailynutrition.UserID(u)).CountX(ctx),
	}
}

// TestUserRecordsPlanAndTrialEnd: the users table holds the effective plan
// and the trial end (DESIGN §4; GraphQL User.plan and User.trialEndsAt,
// "as last computed from the billing account"). Whenever the billing
// account is written — at registration, by a billing event — they must
// agree with it, not contradict viewer.plan.
func TestUserRecordsPlanAndTrialEnd(t *testing.T) {
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, dialect, nil)
			a := e.register(t, "mirror@example.com", "a long password")
			const q = `{ viewer { plan user { plan trialEndsAt } billingAccount { id trialEndsAt } } }`
			var v struct {
				Viewer struct {
					Plan string
					User struct {
						Plan        string
						TrialEndsAt *time.Time
					}
					BillingAccount struct {
						ID          string
						TrialEndsAt *time.Time
					}
				}
			}
			e.ok(t, a.Token, q, nil, &v)
			trialEnd := start.Add(14 * 24 * time.Hour)
			if v.Viewer.Plan != "PREMIUM" || v.Viewer.User.Plan != "PREMIUM" || v.Viewer.User.TrialEndsAt == nil || !v.Viewer.User.TrialEndsAt.Equal(trialEnd) {
				t.Errorf("after registration: viewer.plan %s, user.plan %s, user.trialEndsAt %v; want PREMIUM, PREMIUM, %s",
					v.Viewer.Plan, v.Viewer.User.Plan, v.Viewer.User.TrialEndsAt, trialEnd)
			}
			outcome(t, e.signedEvent(t, event("evt_c", "subscription.canceled", v.Viewer.BillingAccount.ID, start, nil)), "applied")
			e.ok(t, a.Token, q, nil, &v)
			if v.Viewer.Plan != "FREE" || v.Viewer.User.Plan != "FREE" {
				t.Errorf("after cancellation: viewer.plan %s, user.plan %s; want FREE, FREE", v.Viewer.Plan, v.Viewer.User.Plan)
			}
		})
	}
}
