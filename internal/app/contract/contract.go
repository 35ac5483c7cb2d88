// Package contract is the contract suite of the app ports: the same cases run
// against the in-memory store and the ent adapters on SQLite and PostgreSQL.
package contract

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"nutrigraph/internal/app"
	"nutrigraph/internal/nutrition"
)

// Harness is a fresh, empty store under test.
type Harness struct {
	UoW app.UnitOfWork
	// AddFood stores a shared catalogue food (with portions) and returns it with ids.
	AddFood func(t *testing.T, f nutrition.Food) nutrition.Food
}

// Run runs every contract case; newUoW returns a fresh, empty store.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	newUoW := func(t *testing.T) app.UnitOfWork { return newHarness(t).UoW }
	t.Run("Meals", func(t *testing.T) { testMeals(t, newHarness(t)) })
	t.Run("OwnFoods", func(t *testing.T) { testOwnFoods(t, newHarness(t)) })
	t.Run("Targets", func(t *testing.T) { testTargets(t, newUoW(t)) })
	t.Run("Users", func(t *testing.T) { testUsers(t, newUoW(t)) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, newUoW(t)) })
	t.Run("Profiles", func(t *testing.T) { testProfiles(t, newUoW(t)) })
	t.Run("Billing", func(t *testing.T) { testBilling(t, newUoW(t)) })
	t.Run("Rollback", func(t *testing.T) { testRollback(t, newUoW(t)) })
	t.Run("DeleteUser", func(t *testing.T) { testDeleteUser(t, newUoW(t)) })
}

// do runs fn in a unit of work as the system (no viewer) and fails on error.
func do(t *testing.T, uow app.UnitOfWork, fn func(ctx context.Context, s app.Store) error) {
	t.Helper()
	require.NoError(t, uow.Do(app.AsSystem(context.Background()), fn))
}

// try runs fn in a unit of work as the system and returns its error.
func try(uow app.UnitOfWork, fn func(ctx context.Context, s app.Store) error) error {
	return uow.Do(app.AsSystem(context.Background()), fn)
}

func mkUser(t *testing.T, uow app.UnitOfWork, email string) nutrition.User {
	t.Helper()
	var u nutrition.User
	do(t, uow, func(ctx context.Context, s app.Store) error {
		var err error
		u, err = s.Users().Create(ctx, nutrition.User{Email: email, PasswordHash: "hash-" + email})
		return err
	})
	require.False(t, u.ID.IsZero())
	return u
}

func testUsers(t *testing.T, uow app.UnitOfWork) {
	u := mkUser(t, uow, "ada@example.com")
	do(t, uow, func(ctx context.Context, s app.Store) error {
		got, err := s.Users().ByEmail(ctx, "ada@example.com")
		require.NoError(t, err)
		require.Equal(t, u.ID, got.ID)
		require.Equal(t, "hash-ada@example.com", got.PasswordHash)
		got, err = s.Users().Get(ctx, u.ID)
		require.NoError(t, err)
		require.Equal(t, "ada@example.com", got.Email)
		require.Equal(t, nutrition.PlanFree, got.Plan, "no plan given: free")
		require.NoError(t, s.Users().SetPlan(ctx, u.ID, nutrition.PlanPremium))
		require.NoError(t, s.Users().SetPasswordHash(ctx, u.ID, "new-hash"))
		got, err = s.Users().Get(ctx, u.ID)
		require.NoError(t, err)
		require.Equal(t, "new-hash", got.PasswordHash)
		require.Equal(t, nutrition.PlanPremium, got.Plan)
		return nil
	})
	err := try(uow, func(ctx context.Context, s app.Store) error {
		_, err := s.Users().Create(ctx, nutrition.User{Email: "ada@example.com", PasswordHash: "x"})
		return err
	})
	require.Equal(t, nutrition.CodeConflict, nutrition.CodeOf(err), "%v", err)
	require.Equal(t, "email", nutrition.FieldOf(err))
	err = try(uow, func(ctx context.Context, s app.Store) error {
		_, err := s.Users().ByEmail(ctx, "nobody@example.com")
		return err
	})
	require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err), "%v", err)
	// Read: the same repositories without a write transaction.
	var read nutrition.User
	require.NoError(t, uow.Read(app.AsSystem(context.Background()), func(ctx context.Context, s app.Store) error {
		var err error
		read, err = s.Users().ByEmail(ctx, "ada@example.com")
		return err
	}))
	require.Equal(t, u.ID, read.ID)
	err = uow.Read(app.AsSystem(context.Background()), func(ctx context.Context, s app.Store) error {
		_, err := s.Users().ByEmail(ctx, "nobody@example.com")
		return err
	})
	require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err), "%v", err)
	err = try(uow, func(ctx context.Context, s app.Store) error {
		_, err := s.Users().Get(ctx, nutrition.ID{1})
		return err
	})
	require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err), "%v", err)
}

func testSessions(t *testing.T, uow app.UnitOfWork) {
	u := mkUser(t, uow, "bob@example.com")
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Microsecond)
	var s1, s2 nutrition.Session
	do(t, uow, func(ctx context.Context, s app.Store) error {
		var err error
		s1, err = s.Sessions().Create(ctx, nutrition.Session{UserID: u.ID, TokenHash: []byte("hash-one-0123456789abcdef0123456"), ExpiresAt: exp})
		require.NoError(t, err)
		s2, err = s.Sessions().Create(ctx, nutrition.Session{UserID: u.ID, TokenHash: []byte("hash-two-0123456789abcdef0123456"), ExpiresAt: exp})
		return err
	})
	do(t, uow, func(ctx context.Context, s app.Store) error {
		got, err := s.Sessions().ByTokenHash(ctx, []byte("hash-one-0123456789abcdef0123456"))
		require.NoError(t, err)
		require.Equal(t, s1.ID, got.ID)
		require.Equal(t, u.ID, got.UserID)
		require.True(t, exp.Equal(got.ExpiresAt), "expires %v want %v", got.ExpiresAt, exp)
		require.Nil(t, got.RevokedAt)
		_, err = s.Sessions().ByTokenHash(ctx, []byte("unknown"))
		require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err))
		at := time.Now().UTC()
		require.NoError(t, s.Sessions().RevokeAll(ctx, u.ID, s2.ID, at))
		got, err = s.Sessions().ByTokenHash(ctx, []byte("hash-one-0123456789abcdef0123456"))
		require.NoError(t, err)
		require.NotNil(t, got.RevokedAt)
		got, err = s.Sessions().ByTokenHash(ctx, []byte("hash-two-0123456789abcdef0123456"))
		require.NoError(t, err)
		require.Nil(t, got.RevokedAt, "kept session stays")
		require.NoError(t, s.Sessions().Revoke(ctx, s2.ID, at))
		got, err = s.Sessions().ByTokenHash(ctx, []byte("hash-two-0123456789abcdef0123456"))
		require.NoError(t, err)
		require.NotNil(t, got.RevokedAt)
		require.False(t, got.Valid(at))
		return nil
	})
}

func testProfiles(t *testing.T, uow app.UnitOfWork) {
	u := mkUser(t, uow, "cy@example.com")
	do(t, uow, func(ctx context.Context, s app.Store) error {
		_, err := s.Profiles().Create(ctx, nutrition.NewProfile(u.ID, "Cy", "Europe/Paris"))
		return err
	})
	err := try(uow, func(ctx context.Context, s app.Store) error {
		_, err := s.Profiles().Create(ctx, nutrition.NewProfile(u.ID, "Cy again", "UTC"))
		return err
	})
	require.Equal(t, nutrition.CodeConflict, nutrition.CodeOf(err), "%v", err)
	h, sex, lvl := 171.5, nutrition.Female, nutrition.Moderate
	bd := nutrition.Date{Year: 1990, Month: 2, Day: 28}
	do(t, uow, func(ctx context.Context, s app.Store) error {
		p, err := s.Profiles().Update(ctx, u.ID, func(p *nutrition.Profile) error {
			p.HeightCm, p.Sex, p.ActivityLevel, p.BirthDate, p.Goal = &h, &sex, &lvl, &bd, nutrition.Lose
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, 171.5, *p.HeightCm)
		return nil
	})
	do(t, uow, func(ctx context.Context, s app.Store) error {
		p, err := s.Profiles().ByUser(ctx, u.ID)
		require.NoError(t, err)
		require.Equal(t, "Cy", p.DisplayName)
		require.Equal(t, "Europe/Paris", p.TimeZone)
		require.Equal(t, 171.5, *p.HeightCm)
		require.Nil(t, p.WeightKg)
		require.Equal(t, nutrition.Female, *p.Sex)
		require.Equal(t, nutrition.Moderate, *p.ActivityLevel)
		require.Equal(t, bd, *p.BirthDate)
		require.Equal(t, nutrition.Lose, p.Goal)
		return nil
	})
	// A failing closure stores nothing.
	err = try(uow, func(ctx context.Context, s app.Store) error {
		_, err := s.Profiles().Update(ctx, u.ID, func(p *nutrition.Profile) error {
			p.DisplayName = "changed"
			return nutrition.Invalid("x", "no")
		})
		return err
	})
	require.Equal(t, nutrition.CodeInvalid, nutrition.CodeOf(err))
	do(t, uow, func(ctx context.Context, s app.Store) error {
		p, err := s.Profiles().ByUser(ctx, u.ID)
		require.NoError(t, err)
		require.Equal(t, "Cy", p.DisplayName)
		return nil
	})
}

func testBilling(t *testing.T, uow app.UnitOfWork) {
	u := mkUser(t, uow, "dee@example.com")
	now := time.Now().UTC().Truncate(time.Microsecond)
	var acct nutrition.BillingAccount
	ref := "cus_123"
	do(t, uow, func(ctx context.Context, s app.Store) error {
		a := nutrition.NewTrialAccount(u.ID, now)
		a.CustomerRef = &ref
		var err error
		acct, err = s.Billing().Create(ctx, a)
		return err
	})
	err := try(uow, func(ctx context.Context, s app.Store) error {
		_, err := s.Billing().Create(ctx, nutrition.NewTrialAccount(u.ID, now))
		return err
	})
	require.Equal(t, nutrition.CodeConflict, nutrition.CodeOf(err), "%v", err)
	do(t, uow, func(ctx context.Context, s app.Store) error {
		a, err := s.Billing().ByUser(ctx, u.ID)
		require.NoError(t, err)
		require.Equal(t, acct.ID, a.ID)
		require.Equal(t, nutrition.StatusTrialing, a.Status)
		require.True(t, now.Add(nutrition.TrialLength).Equal(*a.TrialEndsAt))
		// By customer reference, by id text, by id.
		for _, r := range []app.AccountRef{{Ref: ref}, {Ref: acct.ID.String()}, {ID: acct.ID}} {
			a, err = s.Billing().Update(ctx, r, func(a *nutrition.BillingAccount) error {
				a.Status = nutrition.StatusActive
				return nil
			})
			require.NoError(t, err, "%+v", r)
			require.Equal(t, acct.ID, a.ID)
		}
		_, err = s.Billing().Update(ctx, app.AccountRef{Ref: "cus_unknown"}, func(*nutrition.BillingAccount) error { return nil })
		require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err))
		a, err = s.Billing().ByUser(ctx, u.ID)
		require.NoError(t, err)
		require.Equal(t, nutrition.StatusActive, a.Status)
		ev := app.BillingEvent{EventID: "evt_1", Type: "subscription.activated", AccountRef: ref, AccountID: &acct.ID, OccurredAt: now, Applied: true, Payload: []byte(`{}`)}
		return s.Billing().RecordEvent(ctx, ev)
	})
	do(t, uow, func(ctx context.Context, s app.Store) error {
		last, ok, err := s.Billing().LastAppliedAt(ctx, acct.ID)
		require.NoError(t, err)
		require.True(t, ok)
		require.True(t, now.Equal(last), "%v %v", last, now)
		require.NoError(t, s.Billing().RecordEvent(ctx, app.BillingEvent{EventID: "evt_0", Type: "x", AccountRef: ref, AccountID: &acct.ID,
			OccurredAt: now.Add(time.Hour), Applied: false, Payload: []byte(`{}`)}))
		last, _, err = s.Billing().LastAppliedAt(ctx, acct.ID)
		require.NoError(t, err)
		require.True(t, now.Equal(last), "a rejected event does not count")
		_, ok, err = s.Billing().LastAppliedAt(ctx, nutrition.ID{9})
		require.NoError(t, err)
		require.False(t, ok)
		return nil
	})
	err = try(uow, func(ctx context.Context, s app.Store) error {
		return s.Billing().RecordEvent(ctx, app.BillingEvent{EventID: "evt_1", Type: "x", AccountRef: ref, OccurredAt: now, Payload: []byte(`{}`)})
	})
	require.Equal(t, nutrition.CodeConflict, nutrition.CodeOf(err), "%v", err)
	require.Equal(t, "eventId", nutrition.FieldOf(err))
}

func testRollback(t *testing.T, uow app.UnitOfWork) {
	boom := errors.New("boom")
	err := try(uow, func(ctx context.Context, s app.Store) error {
		if _, err := s.Users().Create(ctx, nutrition.User{Email: "eve@example.com", PasswordHash: "x"}); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)
	require.Panics(t, func() {
		_ = try(uow, func(ctx context.Context, s app.Store) error {
			if _, err := s.Users().Create(ctx, nutrition.User{Email: "eve@example.com", PasswordHash: "x"}); err != nil {
				return err
			}
			panic("boom")
		})
	})
	// Nothing of either attempt was written: the email is free.
	mkUser(t, uow, "eve@example.com")
}

func testDeleteUser(t *testing.T, uow app.UnitOfWork) {
	u := mkUser(t, uow, "fay@example.com")
	other := mkUser(t, uow, "gus@example.com")
	now := time.Now().UTC()
	do(t, uow, func(ctx context.Context, s app.Store) error {
		for _, x := range []nutrition.User{u, other} {
			if _, err := s.Profiles().Create(ctx, nutrition.NewProfile(x.ID, "", "UTC")); err != nil {
				return err
			}
			if _, err := s.Billing().Create(ctx, nutrition.NewTrialAccount(x.ID, now)); err != nil {
				return err
			}
			if _, err := s.Sessions().Create(ctx, nutrition.Session{UserID: x.ID, TokenHash: []byte("tok-" + x.Email), ExpiresAt: now.Add(time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	})
	do(t, uow, func(ctx context.Context, s app.Store) error { return s.Users().Delete(ctx, u.ID) })
	do(t, uow, func(ctx context.Context, s app.Store) error {
		_, err := s.Users().Get(ctx, u.ID)
		require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err))
		_, err = s.Users().ByEmail(ctx, "fay@example.com")
		require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err))
		_, err = s.Sessions().ByTokenHash(ctx, []byte("tok-fay@example.com"))
		require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err))
		_, err = s.Profiles().ByUser(ctx, u.ID)
		require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err))
		_, err = s.Billing().ByUser(ctx, u.ID)
		require.Equal(t, nutrition.CodeNotFound, nutrition.CodeOf(err))
		// The other user is untouched.
		_, err = s.Sessions().ByTokenHash(ctx, []byte("tok-gus@example.com"))
		require.NoError(t, err)
		_, err = s.Profiles().ByUser(ctx, other.ID)
		require.NoError(t, err)
		return nil
	})
	// The email can register again.
	again := mkUser(t, uow, "fay@example.com")
	require.NotEqual(t, u.ID, again.ID)
}
