package nutrition

import (
	"fmt"
	"time"
)

// Plan is a subscription plan.
type Plan string

// Plans.
const (
	PlanFree    Plan = "FREE"
	PlanPremium Plan = "PREMIUM"
)

// BillingStatus is the state of a billing account.
type BillingStatus string

// Billing statuses.
const (
	StatusTrialing BillingStatus = "TRIALING"
	StatusActive   BillingStatus = "ACTIVE"
	StatusPastDue  BillingStatus = "PAST_DUE"
	StatusCanceled BillingStatus = "CANCELED"
)

// TrialLength is the premium trial every registration starts with (DESIGN §5).
const TrialLength = 14 * 24 * time.Hour

// BillingAccount is the payment-provider side of a user's plan.
type BillingAccount struct {
	ID               ID
	UserID           ID
	Plan             Plan
	Status           BillingStatus
	TrialEndsAt      *time.Time
	CurrentPeriodEnd *time.Time
	// CustomerRef is the provider's customer id, the reference billing events carry.
	CustomerRef    *string
	SubscriptionID *string
}

// NewTrialAccount returns the billing account of a new registration: a
// premium trial ending TrialLength after now.
func NewTrialAccount(userID ID, now time.Time) BillingAccount {
	end := now.Add(TrialLength).UTC()
	return BillingAccount{UserID: userID, Plan: PlanPremium, Status: StatusTrialing, TrialEndsAt: &end}
}

// EffectivePlan is the plan in force at now: premium while the account is
// active, or trialing before its trial end; free otherwise. It needs no job to
// run when a trial ends.
func (a BillingAccount) EffectivePlan(now time.Time) Plan {
	switch a.Status {
	case StatusActive:
		return a.Plan
	case StatusTrialing:
		if a.TrialEndsAt != nil && now.Before(*a.TrialEndsAt) {
			return PlanPremium
		}
	}
	return PlanFree
}

// Limit names a plan limit.
type Limit string

// Plan limits.
const (
	LimitTargets  Limit = "targets"
	LimitOwnFoods Limit = "own_foods"
)

// noun names n items of the limit in words ("1 target", "30 own foods").
func (l Limit) noun(n int) string {
	one, many := "target", "targets"
	if l == LimitOwnFoods {
		one, many = "own food", "own foods"
	}
	if n == 1 {
		return one
	}
	return many
}

// Entitlements are the limits of a plan; 0 means unlimited.
type Entitlements struct {
	Plan     Plan
	Targets  int
	OwnFoods int
}

// EntitlementsOf returns the limits of plan p (DESIGN §5: free has one target
// and 30 own foods; premium is unlimited).
func EntitlementsOf(p Plan) Entitlements {
	if p == PlanPremium {
		return Entitlements{Plan: p}
	}
	return Entitlements{Plan: PlanFree, Targets: 1, OwnFoods: 30}
}

// Allow returns a PLAN_LIMIT error when adding one more item to the count
// already held would exceed limit l, and nil otherwise.
func (e Entitlements) Allow(l Limit, held int) error {
	max := 0
	switch l {
	case LimitTargets:
		max = e.Targets
	case LimitOwnFoods:
		max = e.OwnFoods
	default:
		return fmt.Errorf("nutrition: unknown limit %q", l)
	}
	if max > 0 && held+1 > max {
		return &Error{Code: CodePlanLimit, Field: string(l),
			Message: fmt.Sprintf("the %s plan allows %d %s; upgrade to premium for more", e.Plan, max, l.noun(max))}
	}
	return nil
}

// BillingEventType is the type of a payment-provider event.
type BillingEventType string

// Billing event types the webhook understands.
const (
	EventActivated BillingEventType = "subscription.activated"
	EventRenewed   BillingEventType = "subscription.renewed"
	EventFailed    BillingEventType = "payment.failed"
	EventCanceled  BillingEventType = "subscription.canceled"
)

// transitions lists, per event type, the statuses it may start from.
var transitions = map[BillingEventType]struct {
	from []BillingStatus
	to   BillingStatus
}{
	EventActivated: {[]BillingStatus{StatusTrialing, StatusPastDue, StatusCanceled}, StatusActive},
	EventRenewed:   {[]BillingStatus{StatusActive, StatusPastDue}, StatusActive},
	EventFailed:    {[]BillingStatus{StatusActive, StatusPastDue}, StatusPastDue},
	EventCanceled:  {[]BillingStatus{StatusTrialing, StatusActive, StatusPastDue}, StatusCanceled},
}

// Apply moves the account by a billing event: it returns the account after
// the event, or a CONFLICT error for an impossible transition (e.g. renewing
// a canceled subscription) and BAD_USER_INPUT for an unknown event type.
// periodEnd, when not nil, becomes the current period end.
func (a BillingAccount) Apply(t BillingEventType, periodEnd *time.Time) (BillingAccount, error) {
	tr, ok := transitions[t]
	if !ok {
		return a, Invalid("type", "unknown billing event type %q", t)
	}
	allowed := false
	for _, s := range tr.from {
		if s == a.Status {
			allowed = true
		}
	}
	if !allowed {
		return a, Conflict("type", "%s is not possible for an account that is %s", t, a.Status)
	}
	a.Status = tr.to
	if tr.to == StatusActive {
		a.Plan = PlanPremium
	}
	if periodEnd != nil {
		end := periodEnd.UTC()
		a.CurrentPeriodEnd = &end
	}
	return a, nil
}
