package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"nutrigraph/internal/nutrition"
)

// SignatureTolerance is how far a billing event's signed timestamp may be
// from the clock before the event is refused (replay protection).
const SignatureTolerance = 5 * time.Minute

// SignatureHeader is the HTTP header carrying a billing event's signature:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">".
const SignatureHeader = "Nutrigraph-Signature"

var errBadSignature = nutrition.Errorf(nutrition.CodeUnauthenticated, "invalid billing event signature")

// SignBillingEvent returns the signature header value for body at t, as the
// payment provider computes it (used by tests and tools).
func SignBillingEvent(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// VerifyBillingSignature checks header against body: a valid HMAC-SHA256
// with secret over "timestamp.body", and a timestamp within
// SignatureTolerance of now. Any failure → UNAUTHENTICATED.
func VerifyBillingSignature(secret []byte, header string, body []byte, now time.Time) error {
	if len(secret) == 0 {
		return errors.New("app: no billing webhook secret configured")
	}
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			if b, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, b)
			}
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return errBadSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > SignatureTolerance || d < -SignatureTolerance {
		return errBadSignature
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return errBadSignature
}

// Billing holds the billing use cases.
type Billing struct {
	uow UnitOfWork
	now Clock
}

// NewBilling returns the billing use cases.
func NewBilling(uow UnitOfWork, now Clock) (*Billing, error) {
	if uow == nil || now == nil {
		return nil, errors.New("app: NewBilling needs every dependency")
	}
	return &Billing{uow: uow, now: now}, nil
}

// billingEventBody is the JSON body of a provider event.
type billingEventBody struct {
	ID               string `json:"id"`
	Type             string `json:"type"`
	Account          string `json:"account"`
	Created          int64  `json:"created"`
	CurrentPeriodEnd *int64 `json:"current_period_end"`
}

// plausibleUnix reports whether sec is a Unix time within the years 2000–2199,
// which every database stores and every real event falls in.
func plausibleUnix(sec int64) bool {
	return sec >= 946684800 && sec < 7258118400
}

// EventOutcome says what became of a billing event.
type EventOutcome string

// Outcomes of a billing event.
const (
	EventApplied   EventOutcome = "applied"
	EventRejected  EventOutcome = "rejected"
	EventDuplicate EventOutcome = "duplicate"
)

// HandleEvent applies a provider event whose signature was verified. The
// same event id is applied once (EventDuplicate afterwards). An event for an
// unknown account or an impossible transition is recorded as rejected and
// changes nothing else. A malformed body → BAD_USER_INPUT.
func (b *Billing) HandleEvent(ctx context.Context, body []byte) (EventOutcome, error) {
	var ev billingEventBody
	if err := json.Unmarshal(body, &ev); err != nil {
		return "", nutrition.Invalid("body", "the event is not valid JSON")
	}
	switch {
	case ev.ID == "" || len(ev.ID) > 255:
		return "", nutrition.Invalid("id", "an event id is required (at most 255 characters)")
	case ev.Type == "" || len(ev.Type) > 100:
		return "", nutrition.Invalid("type", "an event type is required")
	case ev.Account == "" || len(ev.Account) > 255:
		return "", nutrition.Invalid("account", "an account reference is required")
	case !plausibleUnix(ev.Created):
		return "", nutrition.Invalid("created", "an event timestamp (Unix seconds, years 2000–2199) is required")
	case ev.CurrentPeriodEnd != nil && !plausibleUnix(*ev.CurrentPeriodEnd):
		return "", nutrition.Invalid("current_period_end", "a period end is Unix seconds within the years 2000–2199")
	}
	for field, v := range map[string]string{"id": ev.ID, "type": ev.Type, "account": ev.Account} {
		if err := nutrition.ValidateText(field, v); err != nil {
			return "", err
		}
	}
	var periodEnd *time.Time
	if ev.CurrentPeriodEnd != nil {
		t := time.Unix(*ev.CurrentPeriodEnd, 0).UTC()
		periodEnd = &t
	}
	rec := BillingEvent{EventID: ev.ID, Type: ev.Type, AccountRef: ev.Account,
		OccurredAt: time.Unix(ev.Created, 0).UTC(), Payload: body}
	var outcome EventOutcome
	err := b.uow.Do(AsSystem(ctx), func(ctx context.Context, s Store) error {
		rec.Applied, rec.Detail, rec.AccountID = false, "", nil
		acct, err := s.Billing().Update(ctx, AccountRef{Ref: ev.Account}, func(a *nutrition.BillingAccount) error {
			// Providers do not deliver in order: an event older than the last
			// one applied must not undo it (a late payment.failed after a
			// renewal would downgrade a paying account).
			last, ok, err := s.Billing().LastAppliedAt(ctx, a.ID)
			if err != nil {
				return err
			}
			if ok && rec.OccurredAt.Before(last) {
				return nutrition.Conflict("created", "the event is older than the last applied event (%s)", last.Format(time.RFC3339))
			}
			next, err := a.Apply(nutrition.BillingEventType(ev.Type), periodEnd)
			if err != nil {
				return err
			}
			*a = next
			return nil
		})
		switch code := nutrition.CodeOf(err); {
		case err == nil:
			rec.Applied, outcome = true, EventApplied
			rec.AccountID = &acct.ID
			if err := s.Users().SetPlan(ctx, acct.UserID, acct.EffectivePlan(b.now())); err != nil {
				return err
			}
		case code == nutrition.CodeNotFound:
			rec.Detail, outcome = "unknown account", EventRejected
		case code == nutrition.CodeConflict || code == nutrition.CodeInvalid:
			rec.Detail, outcome = nutrition.MessageOf(err), EventRejected
			if acct.ID != (ID{}) {
				rec.AccountID = &acct.ID
			}
		default:
			return err
		}
		return s.Billing().RecordEvent(ctx, rec)
	})
	if nutrition.CodeOf(err) == nutrition.CodeConflict && nutrition.FieldOf(err) == "eventId" {
		return EventDuplicate, nil
	}
	if err != nil {
		return "", fmt.Errorf("app: billing event %s: %w", ev.ID, err)
	}
	return outcome, nil
}
