package server_test

import (
	"fmt"
	"maps"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"nutrigraph/ent/billingaccount"
	"nutrigraph/ent/billingevent"
	"nutrigraph/internal/app"
	"nutrigraph/internal/testdb"
)

const accountQuery = `{ viewer { plan billingAccount { id status plan trialEndsAt currentPeriodEnd }
  entitlements { plan maxTargets maxOwnFoods } } }`

type accountState struct {
	Viewer struct {
		Plan           string
		BillingAccount struct {
			ID, Status, Plan string
			TrialEndsAt      *time.Time
			CurrentPeriodEnd *time.Time
		}
		Entitlements struct {
			Plan                    string
			MaxTargets, MaxOwnFoods *int
		}
	}
}

func (e *env) account(t *testing.T, token string) accountState {
	t.Helper()
	var s accountState
	e.ok(t, token, accountQuery, nil, &s)
	return s
}

// wantAccount checks the billing account's status and plan and the
// viewer's effective plan (with its limits).
func (e *env) wantAccount(t *testing.T, token, status, plan, effective string, periodEnd *time.Time) {
	t.Helper()
	s := e.account(t, token)
	ba := s.Viewer.BillingAccount
	if ba.Status != status || ba.Plan != plan || s.Viewer.Plan != effective || s.Viewer.Entitlements.Plan != effective {
		t.Errorf("account = %s %s, viewer plan %s (entitlements %s); want %s %s, viewer plan %s",
			ba.Status, ba.Plan, s.Viewer.Plan, s.Viewer.Entitlements.Plan, status, plan, effective)
	}
	switch {
	case periodEnd == nil && ba.CurrentPeriodEnd != nil,
		periodEnd != nil && (ba.CurrentPeriodEnd == nil || !ba.CurrentPeriodEnd.Equal(*periodEnd)):
		t.Errorf("currentPeriodEnd = %v, want %v", ba.CurrentPeriodEnd, periodEnd)
	}
	limits := s.Viewer.Entitlements
	if effective == "FREE" && (limits.MaxTargets == nil || *limits.MaxTargets != 1 || limits.MaxOwnFoods == nil || *limits.MaxOwnFoods != 30) {
		t.Errorf("free entitlements = %s, want 1 target and 30 own foods", mustJSON(limits))
	}
	if effective == "PREMIUM" && (limits.MaxTargets != nil || limits.MaxOwnFoods != nil) {
		t.Errorf("premium entitlements = %s, want unlimited", mustJSON(limits))
	}
}

// outcome checks a webhook answer of 200 {"outcome": want}.
func outcome(t *testing.T, r response, want string) {
	t.Helper()
	if r.Status != http.StatusOK || strings.TrimSpace(r.Raw) != fmt.Sprintf(`{"outcome":%q}`, want) {
		t.Errorf("webhook = %d %s, want 200 {\"outcome\":%q}", r.Status, r.Raw, want)
	}
}

// TestBillingWebhook drives one account through every status with signed
// provider events over HTTP: refused signatures change nothing, a replayed
// event is applied once, an impossible transition is rejected and recorded.
func TestBillingWebhook(t *testing.T) {
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, dialect, nil)
			a := e.register(t, "payer@example.com", "a long password")
			other := e.register(t, "bystander@example.com", "a long password")
			acct := e.account(t, a.Token).Viewer.BillingAccount.ID
			otherBefore := e.ok(t, other.Token, accountQuery, nil, nil).Raw
			trialEnd := start.Add(14 * 24 * time.Hour)
			e.wantAccount(t, a.Token, "TRIALING", "PREMIUM", "PREMIUM", nil)

			events := func() int { return e.db.Client.BillingEvent.Query().CountX(system()) }
			unchanged := func(step string) {
				t.Helper()
				e.wantAccount(t, a.Token, "TRIALING", "PREMIUM", "PREMIUM", nil)
				if n := events(); n != 0 {
					t.Errorf("%s: %d billing events recorded, want 0", step, n)
				}
			}
			periodEnd := start.Add(30 * 24 * time.Hour)
			activated := event("evt_1", "subscription.activated", acct, start, &periodEnd)

			// Refused: 401 UNAUTHENTICATED, nothing recorded or changed.
			now := e.clock.Now()
			for name, sig := range map[string]string{
				"no signature": "",
				"wrong secret": app.SignBillingEvent([]byte("not the secret"), now, activated),
				"signature of another body": app.SignBillingEvent([]byte(webhookSecret), now,
					event("evt_1", "subscription.activated", acct, start, nil)),
				"older than 5 minutes":      app.SignBillingEvent([]byte(webhookSecret), now.Add(-5*time.Minute-time.Second), activated),
				"more than 5 minutes ahead": app.SignBillingEvent([]byte(webhookSecret), now.Add(5*time.Minute+time.Second), activated),
				"timestamp changed": strings.Replace(app.SignBillingEvent([]byte(webhookSecret), now, activated),
					fmt.Sprintf("t=%d", now.Unix()), fmt.Sprintf("t=%d", now.Unix()-1), 1),
				"malformed header": "v1=deadbeef",
			} {
				r := e.webhook(t, activated, sig)
				wantError(t, r, http.StatusUnauthorized, "UNAUTHENTICATED", "")
				unchanged(name)
			}
			// A signed body that is not an event: 400 naming the field.
			bad := []byte(`{"id":"evt_x","type":"subscription.activated","created":1781517600}`)
			wantError(t, e.signedEvent(t, bad), http.StatusBadRequest, "BAD_USER_INPUT", "account")
			unchanged("invalid body")
			// GET is not a route.
			if r := e.get(t, "", "/webhooks/billing"); r.Status != http.StatusMethodNotAllowed {
				t.Errorf("GET /webhooks/billing = %d, want 405", r.Status)
			}

			// A signature exactly 5 minutes old is accepted: TRIALING → ACTIVE.
			outcome(t, e.webhook(t, activated, app.SignBillingEvent([]byte(webhookSecret), now.Add(-5*time.Minute), activated)), "applied")
			e.wantAccount(t, a.Token, "ACTIVE", "PREMIUM", "PREMIUM", &periodEnd)
			// The trial end is kept, and no longer matters.
			if got := e.account(t, a.Token).Viewer.BillingAccount.TrialEndsAt; got == nil || !got.Equal(trialEnd) {
				t.Errorf("trialEndsAt = %v, want %v", got, trialEnd)
			}
			// Replays of the same event id, even with another body, are
			// duplicates: nothing changes.
			outcome(t, e.signedEvent(t, activated), "duplicate")
			outcome(t, e.signedEvent(t, event("evt_1", "subscription.canceled", acct, start, nil)), "duplicate")
			e.wantAccount(t, a.Token, "ACTIVE", "PREMIUM", "PREMIUM", &periodEnd)

			// payment.failed by the provider's customer id → PAST_DUE: the
			// viewer falls back to the free plan.
			if err := e.db.Client.BillingAccount.UpdateOneID(uuid.MustParse(acct)).SetProviderCustomerID("cus_42").Exec(system()); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(time.Hour)
			outcome(t, e.signedEvent(t, event("evt_2", "payment.failed", "cus_42", e.clock.Now(), nil)), "applied")
			e.wantAccount(t, a.Token, "PAST_DUE", "PREMIUM", "FREE", &periodEnd)

			// subscription.renewed → ACTIVE with a new period end.
			nextEnd := periodEnd.Add(30 * 24 * time.Hour)
			outcome(t, e.signedEvent(t, event("evt_3", "subscription.renewed", acct, e.clock.Now(), &nextEnd)), "applied")
			e.wantAccount(t, a.Token, "ACTIVE", "PREMIUM", "PREMIUM", &nextEnd)

			// subscription.canceled → CANCELED: free.
			outcome(t, e.signedEvent(t, event("evt_4", "subscription.canceled", "cus_42", e.clock.Now(), nil)), "applied")
			e.wantAccount(t, a.Token, "CANCELED", "PREMIUM", "FREE", &nextEnd)

			// Impossible transitions and unknown accounts or types are
			// rejected, recorded, and change nothing.
			outcome(t, e.signedEvent(t, event("evt_5", "subscription.renewed", acct, e.clock.Now(), nil)), "rejected")
			outcome(t, e.signedEvent(t, event("evt_6", "payment.failed", acct, e.clock.Now(), nil)), "rejected")
			outcome(t, e.signedEvent(t, event("evt_7", "subscription.activated", "cus_nobody", e.clock.Now(), nil)), "rejected")
			outcome(t, e.signedEvent(t, event("evt_8", "subscription.paused", acct, e.clock.Now(), nil)), "rejected")
			outcome(t, e.signedEvent(t, event("evt_5", "subscription.renewed", acct, e.clock.Now(), nil)), "duplicate")
			e.wantAccount(t, a.Token, "CANCELED", "PREMIUM", "FREE", &nextEnd)

			// Reactivation is possible from CANCELED.
			outcome(t, e.signedEvent(t, event("evt_9", "subscription.activated", acct, e.clock.Now(), nil)), "applied")
			e.wantAccount(t, a.Token, "ACTIVE", "PREMIUM", "PREMIUM", &nextEnd)

			// The record: one row per event id, with its outcome.
			rows := e.db.Client.BillingEvent.Query().Order(billingevent.ByEventID()).AllX(system())
			type rec struct {
				id, typ, ref, outcome string
				account               bool
				detail                string
			}
			want := []rec{
				{"evt_1", "subscription.activated", acct, "APPLIED", true, ""},
				{"evt_2", "payment.failed", "cus_42", "APPLIED", true, ""},
				{"evt_3", "subscription.renewed", acct, "APPLIED", true, ""},
				{"evt_4", "subscription.canceled", "cus_42", "APPLIED", true, ""},
				{"evt_5", "subscription.renewed", acct, "REJECTED", true, "subscription.renewed is not possible for an account that is CANCELED"},
				{"evt_6", "payment.failed", acct, "REJECTED", true, "payment.failed is not possible for an account that is CANCELED"},
				{"evt_7", "subscription.activated", "cus_nobody", "REJECTED", false, "unknown account"},
				{"evt_8", "subscription.paused", acct, "REJECTED", true, `unknown billing event type "subscription.paused"`},
				{"evt_9", "subscription.activated", acct, "APPLIED", true, ""},
			}
			if len(rows) != len(want) {
				t.Fatalf("%d billing events recorded, want %d", len(rows), len(want))
			}
			for i, r := range rows {
				got := rec{r.EventID, r.Type, r.AccountRef, string(r.Outcome), r.BillingAccountID != nil, r.Detail}
				if got != want[i] {
					t.Errorf("event %d = %+v, want %+v", i, got, want[i])
				}
				if r.BillingAccountID != nil && r.BillingAccountID.String() != acct {
					t.Errorf("event %s names account %s, want %s", r.EventID, r.BillingAccountID, acct)
				}
			}
			// Concurrent deliveries of one event: applied once.
			const deliveries = 8
			results := make([]response, deliveries)
			var wg sync.WaitGroup
			failed := event("evt_10", "payment.failed", acct, e.clock.Now(), nil)
			for i := range deliveries {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i] = e.signedEvent(t, failed)
				}()
			}
			wg.Wait()
			count := map[string]int{}
			for _, r := range results {
				count[fmt.Sprint(r.Status, " ", strings.TrimSpace(r.Raw))]++
			}
			if want := map[string]int{`200 {"outcome":"applied"}`: 1, `200 {"outcome":"duplicate"}`: deliveries - 1}; !maps.Equal(count, want) {
				t.Errorf("concurrent deliveries: %v, want %v", count, want)
			}
			e.wantAccount(t, a.Token, "PAST_DUE", "PREMIUM", "FREE", &nextEnd)
			if n := events(); n != len(want)+1 {
				t.Errorf("%d billing events recorded, want %d", n, len(want)+1)
			}

			// The other user's account never moved.
			if got := e.ok(t, other.Token, accountQuery, nil, nil).Raw; got != otherBefore {
				t.Errorf("another account changed:\n%s\n%s", otherBefore, got)
			}
			// Billing events are not readable through the API, even by the
			// account's owner.
			e.fails(t, a.Token, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": rows[0].ID.String()},
				http.StatusOK, "NOT_FOUND", "")
		})
	}
}

// TestPlanLimitsFollowThePlan: during the trial, premium has no limits;
// after it (the clock 15 days on, no job run) a free user holds one target
// and 30 own foods and the next is PLAN_LIMIT naming the limit; an
// activated subscription lifts the limits again.
func TestPlanLimitsFollowThePlan(t *testing.T) {
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, dialect, nil)
			trial := e.register(t, "trial@example.com", "a long password")
			free := e.register(t, "free@example.com", "a long password")

			const createTarget = `mutation($name: String!) { createTarget(input: {name: $name, goals: [{nutrient: ENERGY_KCAL, amount: 2000, direction: AT_MOST}]}) { id name active } }`
			const createFood = `mutation($name: String!) { createFood(input: {name: $name, nutrients: {energyKcal: 100}}) { id name } }`
			const entitlements = `{ viewer { plan entitlements { plan maxTargets maxOwnFoods targets ownFoods } } }`

			// In the trial: premium, more than one target.
			for i := range 3 {
				e.ok(t, trial.Token, createTarget, map[string]any{"name": fmt.Sprintf("Trial target %d", i)}, nil)
			}

			// 14 days is the trial's last instant before it ends.
			e.clock.Advance(14*24*time.Hour - time.Second)
			e.wantAccount(t, free.Token, "TRIALING", "PREMIUM", "PREMIUM", nil)
			e.clock.Advance(time.Second)
			e.wantAccount(t, free.Token, "TRIALING", "PREMIUM", "FREE", nil)
			e.clock.Advance(24 * time.Hour) // 15 days

			// The trial user keeps their 3 targets but may create no more.
			e.fails(t, trial.Token, createTarget, map[string]any{"name": "one more"}, http.StatusOK, "PLAN_LIMIT", "targets")

			// A free user: one target, 30 own foods.
			e.ok(t, free.Token, createTarget, map[string]any{"name": "The one"}, nil)
			r := e.fails(t, free.Token, createTarget, map[string]any{"name": "The second"}, http.StatusOK, "PLAN_LIMIT", "targets")
			if msg := r.Errors[0].Message; msg != "the FREE plan allows 1 target; upgrade to premium for more" {
				t.Errorf("message = %q", msg)
			}
			for i := range 30 {
				e.ok(t, free.Token, createFood, map[string]any{"name": fmt.Sprintf("Own food %02d", i)}, nil)
			}
			r = e.fails(t, free.Token, createFood, map[string]any{"name": "Own food 31"}, http.StatusOK, "PLAN_LIMIT", "own_foods")
			if msg := r.Errors[0].Message; msg != "the FREE plan allows 30 own foods; upgrade to premium for more" {
				t.Errorf("message = %q", msg)
			}
			var got struct {
				Viewer struct {
					Plan         string
					Entitlements map[string]any
				}
			}
			e.ok(t, free.Token, entitlements, nil, &got)
			want := `{"maxOwnFoods":30,"maxTargets":1,"ownFoods":30,"plan":"FREE","targets":1}`
			if got.Viewer.Plan != "FREE" || mustJSON(got.Viewer.Entitlements) != want {
				t.Errorf("viewer = %s %s, want FREE %s", got.Viewer.Plan, mustJSON(got.Viewer.Entitlements), want)
			}
			// Nothing was written by the refused creations.
			var counts struct {
				Targets struct{ TotalCount int }
				Foods   struct{ TotalCount int }
			}
			e.ok(t, free.Token, `{ targets { totalCount } foods(where: {hasUser: true}) { totalCount } }`, nil, &counts)
			if counts.Targets.TotalCount != 1 || counts.Foods.TotalCount != 30 {
				t.Errorf("held: %d targets, %d own foods; want 1 and 30", counts.Targets.TotalCount, counts.Foods.TotalCount)
			}
			// Deleting a food frees a place.
			var foods struct {
				Foods struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
			e.ok(t, free.Token, `{ foods(first: 1, where: {hasUser: true}) { edges { node { id } } } }`, nil, &foods)
			e.ok(t, free.Token, `mutation($id: ID!) { deleteFood(id: $id) { id archived } }`, map[string]any{"id": foods.Foods.Edges[0].Node.ID}, nil)
			e.ok(t, free.Token, createFood, map[string]any{"name": "Own food 31"}, nil)
			e.fails(t, free.Token, createFood, map[string]any{"name": "Own food 32"}, http.StatusOK, "PLAN_LIMIT", "own_foods")

			// A subscription lifts the limits.
			acct := e.account(t, free.Token).Viewer.BillingAccount.ID
			outcome(t, e.signedEvent(t, event("evt_upgrade", "subscription.activated", acct, e.clock.Now(), nil)), "applied")
			e.wantAccount(t, free.Token, "ACTIVE", "PREMIUM", "PREMIUM", nil)
			e.ok(t, free.Token, createTarget, map[string]any{"name": "The second"}, nil)
			e.ok(t, free.Token, createFood, map[string]any{"name": "Own food 32"}, nil)
			// A failed payment: free again; what is held stays, nothing new.
			outcome(t, e.signedEvent(t, event("evt_fail", "payment.failed", acct, e.clock.Now(), nil)), "applied")
			e.fails(t, free.Token, createTarget, map[string]any{"name": "The third"}, http.StatusOK, "PLAN_LIMIT", "targets")
			e.fails(t, free.Token, createFood, map[string]any{"name": "Own food 33"}, http.StatusOK, "PLAN_LIMIT", "own_foods")
			e.ok(t, free.Token, entitlements, nil, &got)
			want = `{"maxOwnFoods":30,"maxTargets":1,"ownFoods":31,"plan":"FREE","targets":2}`
			if mustJSON(got.Viewer.Entitlements) != want {
				t.Errorf("entitlements = %s, want %s", mustJSON(got.Viewer.Entitlements), want)
			}
			if n := e.db.Client.BillingAccount.Query().Where(billingaccount.StatusEQ(billingaccount.StatusPAST_DUE)).CountX(system()); n != 1 {
				t.Errorf("%d past-due accounts, want 1", n)
			}
		})
	}
}
