package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"nutrigraph/internal/app"
	"nutrigraph/internal/nutrition"
)

func TestVerifyBillingSignature(t *testing.T) {
	secret := []byte("whsec_test")
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	body := []byte(`{"id":"evt_1"}`)
	good := app.SignBillingEvent(secret, now, body)
	require.NoError(t, app.VerifyBillingSignature(secret, good, body, now))
	require.NoError(t, app.VerifyBillingSignature(secret, good, body, now.Add(4*time.Minute)))
	for name, tc := range map[string]struct {
		secret []byte
		header string
		body   []byte
		now    time.Time
	}{
		"other body":        {secret, good, []byte(`{"id":"evt_2"}`), now},
		"other secret":      {[]byte("nope"), good, body, now},
		"too old":           {secret, good, body, now.Add(5*time.Minute + time.Second)},
		"from the future":   {secret, good, body, now.Add(-5*time.Minute - time.Second)},
		"no signature":      {secret, fmt.Sprintf("t=%d", now.Unix()), body, now},
		"garbage":           {secret, "hello", body, now},
		"timestamp changed": {secret, fmt.Sprintf("t=%d,%s", now.Unix()+1, strings.SplitN(good, ",", 2)[1]), body, now},
	} {
		err := app.VerifyBillingSignature(tc.secret, tc.header, tc.body, tc.now)
		require.Equal(t, nutrition.CodeUnauthenticated, nutrition.CodeOf(err), name)
	}
	require.Error(t, app.VerifyBillingSignature(nil, good, body, now), "no secret configured")
}

func TestHandleBillingEvent(t *testing.T) {
	f := newFixture(t)
	auth, _ := f.register(t, "ada@example.com")
	billing, err := app.NewBilling(f.store, func() time.Time { return f.now })
	require.NoError(t, err)
	ref := auth.User.ID // accounts are referenced by their id until a customer id is known
	var acctID app.ID
	require.NoError(t, f.store.Do(app.AsSystem(context.Background()), func(ctx context.Context, s app.Store) error {
		a, err := s.Billing().ByUser(ctx, ref)
		acctID = a.ID
		return err
	}))
	event := func(id, typ string) []byte {
		return []byte(fmt.Sprintf(`{"id":%q,"type":%q,"account":%q,"created":%d,"current_period_end":%d}`,
			id, typ, acctID.String(), f.now.Unix(), f.now.Add(30*24*time.Hour).Unix()))
	}
	status := func() nutrition.BillingStatus {
		var st nutrition.BillingStatus
		require.NoError(t, f.store.Do(app.AsSystem(context.Background()), func(ctx context.Context, s app.Store) error {
			a, err := s.Billing().ByUser(ctx, ref)
			st = a.Status
			return err
		}))
		return st
	}
	steps := []struct {
		id, typ string
		want    app.EventOutcome
		status  nutrition.BillingStatus
	}{
		{"evt_1", "subscription.renewed", app.EventRejected, nutrition.StatusTrialing}, // cannot renew a trial
		{"evt_2", "subscription.activated", app.EventApplied, nutrition.StatusActive},
		{"evt_2", "subscription.activated", app.EventDuplicate, nutrition.StatusActive},
		{"evt_3", "payment.failed", app.EventApplied, nutrition.StatusPastDue},
		{"evt_4", "subscription.renewed", app.EventApplied, nutrition.StatusActive},
		{"evt_5", "subscription.canceled", app.EventApplied, nutrition.StatusCanceled},
		{"evt_6", "subscription.renewed", app.EventRejected, nutrition.StatusCanceled},
		{"evt_7", "subscription.exploded", app.EventRejected, nutrition.StatusCanceled},
		{"evt_3", "payment.failed", app.EventDuplicate, nutrition.StatusCanceled}, // replay of an old event
	}
	for _, st := range steps {
		got, err := billing.HandleEvent(context.Background(), event(st.id, st.typ))
		require.NoError(t, err, st.id)
		require.Equal(t, st.want, got, "%s %s", st.id, st.typ)
		require.Equal(t, st.status, status(), "%s %s", st.id, st.typ)
	}
	require.Len(t, f.store.BillingEvents(), 7, "every distinct event is recorded once, rejected ones too")

	got, err := billing.HandleEvent(context.Background(), []byte(`{"id":"evt_9","type":"subscription.activated","account":"cus_nobody","created":1772366400}`))
	require.NoError(t, err)
	require.Equal(t, app.EventRejected, got)
	for _, body := range []string{`nope`, `{}`, `{"id":"x"}`, `{"id":"x","type":"t"}`, `{"id":"x","type":"t","account":"a"}`,
		`{"id":"x","type":"t","account":"a","created":1}`,
		`{"id":"x","type":"t","account":"a","created":1772366400,"current_period_end":-1000000000000}`,
		`{"id":"x","type":"t","account":"a","created":1772366400,"current_period_end":253402300800}`,
		`{"id":"x\u0000","type":"t","account":"a","created":1772366400}`} {
		_, err := billing.HandleEvent(context.Background(), []byte(body))
		require.Equal(t, nutrition.CodeInvalid, nutrition.CodeOf(err), body)
	}
}

func TestBillingEventsOutOfOrder(t *testing.T) {
	f := newFixture(t)
	auth, _ := f.register(t, "ada@example.com")
	billing, err := app.NewBilling(f.store, func() time.Time { return f.now })
	require.NoError(t, err)
	var acct nutrition.BillingAccount
	read := func() nutrition.BillingAccount {
		require.NoError(t, f.store.Do(app.AsSystem(context.Background()), func(ctx context.Context, s app.Store) error {
			var err error
			acct, err = s.Billing().ByUser(ctx, auth.User.ID)
			return err
		}))
		return acct
	}
	id := read().ID.String()
	send := func(evt, typ string, created time.Time) app.EventOutcome {
		out, err := billing.HandleEvent(context.Background(), []byte(fmt.Sprintf(`{"id":%q,"type":%q,"account":%q,"created":%d}`, evt, typ, id, created.Unix())))
		require.NoError(t, err)
		return out
	}
	require.Equal(t, app.EventApplied, send("e1", "subscription.activated", f.now))
	require.Equal(t, app.EventApplied, send("e2", "subscription.renewed", f.now.Add(time.Hour)))
	// Delivered late: the failure happened before the renewal.
	require.Equal(t, app.EventRejected, send("e3", "payment.failed", f.now.Add(30*time.Minute)))
	require.Equal(t, nutrition.StatusActive, read().Status)
	require.Equal(t, app.EventApplied, send("e4", "payment.failed", f.now.Add(2*time.Hour)))
	require.Equal(t, nutrition.StatusPastDue, read().Status)
}
