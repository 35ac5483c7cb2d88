package app_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"nutrigraph/internal/app"
	"nutrigraph/internal/app/memstore"
	"nutrigraph/internal/nutrition"
)

// plainHasher is a fake hasher: "h1:"+password, rehash when the version differs.
type plainHasher struct {
	version string
	calls   int
	hashes  int
	mu      sync.Mutex
}

func (h *plainHasher) Hash(pw string) (string, error) {
	h.mu.Lock()
	h.hashes++
	h.mu.Unlock()
	return h.version + ":" + pw, nil
}
func (h *plainHasher) Verify(enc, pw string) (bool, bool, error) {
	h.mu.Lock()
	h.calls++
	h.mu.Unlock()
	v, p, _ := strings.Cut(enc, ":")
	ok := p == pw
	return ok, ok && v != h.version, nil
}

// allowAll never limits; countLimiter limits after n attempts per key.
type countLimiter struct {
	n    int
	seen map[string]int
}

func (l *countLimiter) Allow(key string, _ time.Time) (bool, time.Duration) {
	if l.seen == nil {
		l.seen = map[string]int{}
	}
	l.seen[key]++
	if l.n > 0 && l.seen[key] > l.n {
		return false, 42 * time.Second
	}
	return true, 0
}

type fixture struct {
	acc   *app.Accounts
	store *memstore.Store
	hash  *plainHasher
	now   time.Time
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{store: memstore.New(), hash: &plainHasher{version: "h1"},
		now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	acc, err := app.NewAccounts(f.store, f.hash, func() time.Time { return f.now }, &countLimiter{}, &countLimiter{n: 5})
	require.NoError(t, err)
	f.acc = acc
	return f
}

func (f *fixture) register(t *testing.T, email string) (app.Auth, context.Context) {
	t.Helper()
	auth, err := f.acc.Register(context.Background(), app.RegisterInput{Email: email, Password: "s3cret-pass", TimeZone: "Europe/Berlin"})
	require.NoError(t, err)
	v, err := f.acc.Authenticate(context.Background(), auth.Token)
	require.NoError(t, err)
	return auth, app.WithViewer(context.Background(), v)
}

func TestNewAccountsRefusesNil(t *testing.T) {
	_, err := app.NewAccounts(nil, &plainHasher{}, time.Now, &countLimiter{}, &countLimiter{})
	require.Error(t, err)
}

func TestRegister(t *testing.T) {
	f := newFixture(t)
	auth, ctx := f.register(t, "  Ada@Example.COM ")
	require.Equal(t, "ada@example.com", auth.User.Email)
	require.Len(t, auth.Token, 43, "256 bits, base64url")
	require.Equal(t, f.now.Add(nutrition.SessionLifetime), auth.ExpiresAt)
	v, ok := app.ViewerFrom(ctx)
	require.True(t, ok)
	require.Equal(t, auth.User.ID, v.UserID)

	require.NoError(t, f.store.Do(app.AsSystem(ctx), func(ctx context.Context, s app.Store) error {
		p, err := s.Profiles().ByUser(ctx, auth.User.ID)
		require.NoError(t, err)
		require.Equal(t, "Europe/Berlin", p.TimeZone)
		a, err := s.Billing().ByUser(ctx, auth.User.ID)
		require.NoError(t, err)
		require.Equal(t, nutrition.StatusTrialing, a.Status)
		require.Equal(t, f.now.Add(14*24*time.Hour), *a.TrialEndsAt)
		require.Equal(t, nutrition.PlanPremium, a.EffectivePlan(f.now))
		require.Equal(t, nutrition.PlanFree, a.EffectivePlan(f.now.Add(15*24*time.Hour)))
		return nil
	}))

	for _, tc := range []struct {
		name  string
		in    app.RegisterInput
		code  nutrition.ErrorCode
		field string
	}{
		{"taken, other case", app.RegisterInput{Email: "ADA@example.com", Password: "another-pass"}, nutrition.CodeConflict, "email"},
		{"bad email", app.RegisterInput{Email: "not-an-email", Password: "another-pass"}, nutrition.CodeInvalid, "email"},
		{"empty email", app.RegisterInput{Email: " ", Password: "another-pass"}, nutrition.CodeInvalid, "email"},
		{"short password", app.RegisterInput{Email: "bo@example.com", Password: "short"}, nutrition.CodeInvalid, "password"},
		{"bad zone", app.RegisterInput{Email: "bo@example.com", Password: "long-enough", TimeZone: "Mars/Olympus"}, nutrition.CodeInvalid, "timeZone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.acc.Register(context.Background(), tc.in)
			require.Equal(t, tc.code, nutrition.CodeOf(err), "%v", err)
			require.Equal(t, tc.field, nutrition.FieldOf(err))
		})
	}
}

func TestLogin(t *testing.T) {
	f := newFixture(t)
	auth, _ := f.register(t, "ada@example.com")
	got, err := f.acc.Login(context.Background(), app.LoginInput{Email: "ADA@example.com ", Password: "s3cret-pass", ClientIP: "1.2.3.4"})
	require.NoError(t, err)
	require.Equal(t, auth.User.ID, got.User.ID)
	require.NotEqual(t, auth.Token, got.Token)

	before := f.hash.calls
	_, errWrong := f.acc.Login(context.Background(), app.LoginInput{Email: "ada@example.com", Password: "wrong-pass", ClientIP: "1.2.3.4"})
	_, errUnknown := f.acc.Login(context.Background(), app.LoginInput{Email: "nobody@example.com", Password: "wrong-pass", ClientIP: "1.2.3.4"})
	require.Equal(t, nutrition.CodeUnauthenticated, nutrition.CodeOf(errWrong))
	require.Equal(t, errWrong.Error(), errUnknown.Error(), "same error for unknown email and wrong password")
	require.Equal(t, before+2, f.hash.calls, "an unknown email costs one verification too")
}

func TestLoginRehashesOutdatedHash(t *testing.T) {
	f := newFixture(t)
	auth, _ := f.register(t, "ada@example.com")
	f.hash.version = "h2"
	_, err := f.acc.Login(context.Background(), app.LoginInput{Email: "ada@example.com", Password: "s3cret-pass"})
	require.NoError(t, err)
	require.NoError(t, f.store.Do(app.AsSystem(context.Background()), func(ctx context.Context, s app.Store) error {
		u, err := s.Users().Get(ctx, auth.User.ID)
		require.Equal(t, "h2:s3cret-pass", u.PasswordHash)
		return err
	}))
}

func TestLoginRateLimitedPerEmail(t *testing.T) {
	f := newFixture(t)
	f.register(t, "ada@example.com")
	for i := 0; i < 5; i++ {
		_, err := f.acc.Login(context.Background(), app.LoginInput{Email: "ada@example.com", Password: "wrong-pass"})
		require.Equal(t, nutrition.CodeUnauthenticated, nutrition.CodeOf(err))
	}
	_, err := f.acc.Login(context.Background(), app.LoginInput{Email: "Ada@example.com", Password: "s3cret-pass"})
	require.Equal(t, nutrition.CodeRateLimited, nutrition.CodeOf(err), "%v", err)
	var rl *app.RateLimitError
	require.ErrorAs(t, err, &rl)
	require.Equal(t, 42*time.Second, rl.RetryAfter)
}

func TestAuthenticate(t *testing.T) {
	f := newFixture(t)
	auth, ctx := f.register(t, "ada@example.com")
	for _, tok := range []string{"", "nope", auth.Token + "x", strings.Repeat("a", 500)} {
		_, err := f.acc.Authenticate(context.Background(), tok)
		require.Equal(t, nutrition.CodeUnauthenticated, nutrition.CodeOf(err), tok)
	}
	// Expiry.
	f.now = f.now.Add(nutrition.SessionLifetime)
	_, err := f.acc.Authenticate(context.Background(), auth.Token)
	require.Equal(t, nutrition.CodeUnauthenticated, nutrition.CodeOf(err))
	f.now = f.now.Add(-time.Second)
	_, err = f.acc.Authenticate(ctx, auth.Token)
	require.NoError(t, err)
}

func TestLogout(t *testing.T) {
	f := newFixture(t)
	auth, ctx := f.register(t, "ada@example.com")
	require.NoError(t, f.acc.Logout(ctx))
	_, err := f.acc.Authenticate(context.Background(), auth.Token)
	require.Equal(t, nutrition.CodeUnauthenticated, nutrition.CodeOf(err))
	require.Equal(t, nutrition.CodeUnauthenticated, nutrition.CodeOf(f.acc.Logout(context.Background())))
}

func TestChangePassword(t *testing.T) {
	f := newFixture(t)
	auth, ctx := f.register(t, "ada@example.com")
	other, err := f.acc.Login(context.Background(), app.LoginInput{Email: "ada@example.com", Password: "s3cret-pass"})
	require.NoError(t, err)

	err = f.acc.ChangePassword(ctx, "wrong", "new-password-1")
	require.Equal(t, nutrition.CodeInvalid, nutrition.CodeOf(err))
	require.Equal(t, "currentPassword", nutrition.FieldOf(err))
	err = f.acc.ChangePassword(ctx, "s3cret-pass", "short")
	require.Equal(t, "newPassword", nutrition.FieldOf(err))

	require.NoError(t, f.acc.ChangePassword(ctx, "s3cret-pass", "new-password-1"))
	_, err = f.acc.Authenticate(context.Background(), auth.Token)
	require.NoError(t, err, "the current session stays")
	_, err = f.acc.Authenticate(context.Background(), other.Token)
	require.Equal(t, nutrition.CodeUnauthenticated, nutrition.CodeOf(err), "other sessions are revoked")
	_, err = f.acc.Login(context.Background(), app.LoginInput{Email: "ada@example.com", Password: "new-password-1"})
	require.NoError(t, err)
}

func TestUpdateProfile(t *testing.T) {
	f := newFixture(t)
	_, ctx := f.register(t, "ada@example.com")
	h, w := 180.0, 75.5
	sex, lvl, goal := nutrition.Male, nutrition.Active, nutrition.Gain
	bd, tz := "1990-05-17", "America/New_York"
	p, err := f.acc.UpdateProfile(ctx, app.ProfilePatch{HeightCm: &h, WeightKg: &w, Sex: &sex, ActivityLevel: &lvl, Goal: &goal, BirthDate: &bd, TimeZone: &tz})
	require.NoError(t, err)
	require.Equal(t, 180.0, *p.HeightCm)
	require.Equal(t, nutrition.Date{Year: 1990, Month: 5, Day: 17}, *p.BirthDate)
	require.Equal(t, "America/New_York", p.TimeZone)

	bad := func(patch app.ProfilePatch, field string) {
		t.Helper()
		_, err := f.acc.UpdateProfile(ctx, patch)
		require.Equal(t, nutrition.CodeInvalid, nutrition.CodeOf(err), "%v", err)
		require.Equal(t, field, nutrition.FieldOf(err))
	}
	neg, huge, future, old, junk, zone := -1.0, 1000.0, "2026-03-02", "1800-01-01", "17/05/1990", "Not/AZone"
	bad(app.ProfilePatch{HeightCm: &neg}, "heightCm")
	bad(app.ProfilePatch{WeightKg: &huge}, "weightKg")
	bad(app.ProfilePatch{BirthDate: &future}, "birthDate")
	bad(app.ProfilePatch{BirthDate: &old}, "birthDate")
	bad(app.ProfilePatch{BirthDate: &junk}, "birthDate")
	bad(app.ProfilePatch{TimeZone: &zone}, "timeZone")
	badSex := nutrition.Sex("X")
	bad(app.ProfilePatch{Sex: &badSex}, "sex")

	// Nothing of a refused patch was written.
	p2, err := f.acc.UpdateProfile(ctx, app.ProfilePatch{})
	require.NoError(t, err)
	require.Equal(t, p, p2)
	_, err = f.acc.UpdateProfile(context.Background(), app.ProfilePatch{})
	require.Equal(t, nutrition.CodeUnauthenticated, nutrition.CodeOf(err))
}

func TestDeleteAccount(t *testing.T) {
	f := newFixture(t)
	auth, ctx := f.register(t, "ada@example.com")
	err := f.acc.DeleteAccount(ctx, "wrong")
	require.Equal(t, "password", nutrition.FieldOf(err))
	require.NoError(t, f.acc.DeleteAccount(ctx, "s3cret-pass"))
	_, err = f.acc.Authenticate(context.Background(), auth.Token)
	require.Equal(t, nutrition.CodeUnauthenticated, nutrition.CodeOf(err))
	_, err = f.acc.Login(context.Background(), app.LoginInput{Email: "ada@example.com", Password: "s3cret-pass"})
	require.Equal(t, nutrition.CodeUnauthenticated, nutrition.CodeOf(err))
	again, _ := f.register(t, "ada@example.com")
	require.NotEqual(t, auth.User.ID, again.User.ID)
}

func TestPasswordChecksAreRateLimited(t *testing.T) {
	f := newFixture(t)
	_, ctx := f.register(t, "ada@example.com")
	for i := 0; i < 5; i++ {
		err := f.acc.ChangePassword(ctx, "guess-number-"+string(rune('a'+i)), "new-password-1")
		require.Equal(t, "currentPassword", nutrition.FieldOf(err))
	}
	err := f.acc.ChangePassword(ctx, "s3cret-pass", "new-password-1")
	require.Equal(t, nutrition.CodeRateLimited, nutrition.CodeOf(err), "a session cannot guess the password without limit")
	require.Equal(t, nutrition.CodeRateLimited, nutrition.CodeOf(f.acc.DeleteAccount(ctx, "s3cret-pass")))
}

func TestRegisterTakenEmailSkipsHashing(t *testing.T) {
	f := newFixture(t)
	f.register(t, "ada@example.com")
	before := f.hash.hashes
	_, err := f.acc.Register(context.Background(), app.RegisterInput{Email: "ADA@example.com", Password: "another-pass"})
	require.Equal(t, nutrition.CodeConflict, nutrition.CodeOf(err))
	require.Equal(t, before, f.hash.hashes, "no argon2 work for a taken email")
}

func TestRegisterIsRateLimitedPerIP(t *testing.T) {
	f := &fixture{store: memstore.New(), hash: &plainHasher{version: "h1"}, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	acc, err := app.NewAccounts(f.store, f.hash, func() time.Time { return f.now }, &countLimiter{n: 2}, &countLimiter{})
	require.NoError(t, err)
	ctx := app.WithClientIP(context.Background(), "203.0.113.7")
	for i, email := range []string{"a@example.com", "b@example.com"} {
		_, err := acc.Register(ctx, app.RegisterInput{Email: email, Password: "long-enough"})
		require.NoError(t, err, i)
	}
	_, err = acc.Register(ctx, app.RegisterInput{Email: "c@example.com", Password: "long-enough"})
	require.Equal(t, nutrition.CodeRateLimited, nutrition.CodeOf(err))
	_, err = acc.Register(app.WithClientIP(context.Background(), "198.51.100.1"), app.RegisterInput{Email: "c@example.com", Password: "long-enough"})
	require.NoError(t, err, "another address is not limited")
}
