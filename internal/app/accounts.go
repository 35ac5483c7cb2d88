package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"nutrigraph/internal/nutrition"
)

var (
	errUnauthenticated = nutrition.Errorf(nutrition.CodeUnauthenticated, "authentication required")
	errBadCredentials  = nutrition.Errorf(nutrition.CodeUnauthenticated, "invalid email or password")
	errBadToken        = nutrition.Errorf(nutrition.CodeUnauthenticated, "invalid or expired session")
)

// Accounts holds the account use cases: registration, login, sessions,
// profile changes and account deletion.
type Accounts struct {
	uow        UnitOfWork
	hasher     PasswordHasher
	now        Clock
	ipLimit    RateLimiter
	emailLimit RateLimiter

	dummyOnce sync.Once
	dummyHash string
}

// NewAccounts returns the account use cases. ipLimit and emailLimit bound
// login attempts per client IP and per email.
func NewAccounts(uow UnitOfWork, hasher PasswordHasher, now Clock, ipLimit, emailLimit RateLimiter) (*Accounts, error) {
	if uow == nil || hasher == nil || now == nil || ipLimit == nil || emailLimit == nil {
		return nil, errors.New("app: NewAccounts needs every dependency")
	}
	return &Accounts{uow: uow, hasher: hasher, now: now, ipLimit: ipLimit, emailLimit: emailLimit}, nil
}

// Auth is the result of a registration or a login: the user and a new
// bearer token, which is shown once and stored only as a hash.
type Auth struct {
	User      nutrition.User
	Token     string
	ExpiresAt time.Time
}

// RegisterInput is the input of Register.
type RegisterInput struct {
	Email       string
	Password    string
	DisplayName string
	// TimeZone is an IANA zone; empty means UTC.
	TimeZone string
}

// Register creates a user, their profile, their billing account (a 14-day
// premium trial) and a first session, in one unit of work. A taken email →
// CONFLICT on field email.
func (a *Accounts) Register(ctx context.Context, in RegisterInput) (Auth, error) {
	email, err := nutrition.NormalizeEmail("email", in.Email)
	if err != nil {
		return Auth{}, err
	}
	if err := nutrition.ValidatePassword("password", in.Password); err != nil {
		return Auth{}, err
	}
	profile := nutrition.NewProfile(ID{}, in.DisplayName, in.TimeZone)
	now := a.now().UTC()
	if err := profile.Validate("", nutrition.DateOf(now)); err != nil {
		return Auth{}, err
	}
	if err := a.limit(now, "register:"+ClientIP(ctx), a.ipLimit); err != nil {
		return Auth{}, err
	}
	// A taken email is answered before the costly hashing (the unique index
	// still decides between two registrations racing for it).
	err = a.uow.Read(AsSystem(ctx), func(ctx context.Context, s Store) error {
		_, err := s.Users().ByEmail(ctx, email)
		return err
	})
	switch {
	case err == nil:
		return Auth{}, nutrition.Conflict("email", "an account with this email already exists")
	case nutrition.CodeOf(err) != nutrition.CodeNotFound:
		return Auth{}, err
	}
	hash, err := a.hasher.Hash(in.Password)
	if err != nil {
		return Auth{}, fmt.Errorf("app: hashing password: %w", err)
	}
	token, tokenHash := newToken()
	var out Auth
	trial := nutrition.NewTrialAccount(ID{}, now)
	err = a.uow.Do(AsSystem(ctx), func(ctx context.Context, s Store) error {
		u, err := s.Users().Create(ctx, nutrition.User{Email: email, PasswordHash: hash,
			Plan: trial.EffectivePlan(now), TrialEndsAt: trial.TrialEndsAt})
		if err != nil {
			return err
		}
		p := profile
		p.UserID = u.ID
		if _, err := s.Profiles().Create(ctx, p); err != nil {
			return err
		}
		acct := trial
		acct.UserID = u.ID
		if _, err := s.Billing().Create(ctx, acct); err != nil {
			return err
		}
		sess, err := s.Sessions().Create(ctx, nutrition.Session{UserID: u.ID, TokenHash: tokenHash, ExpiresAt: now.Add(nutrition.SessionLifetime)})
		if err != nil {
			return err
		}
		out = Auth{User: u, Token: token, ExpiresAt: sess.ExpiresAt}
		return nil
	})
	if nutrition.CodeOf(err) == nutrition.CodeConflict {
		return Auth{}, nutrition.Conflict("email", "an account with this email already exists")
	}
	return out, err
}

// LoginInput is the input of Login.
type LoginInput struct {
	Email    string
	Password string
	// ClientIP is the address the attempt comes from, for rate limiting.
	ClientIP string
}

// Login checks an email and password and opens a session. An unknown email
// and a wrong password give the same error and take about the same time.
// Attempts are rate limited per IP and per email (RATE_LIMITED).
func (a *Accounts) Login(ctx context.Context, in LoginInput) (Auth, error) {
	now := a.now().UTC()
	email := strings.ToLower(strings.TrimSpace(in.Email))
	if err := a.limit(now, "ip:"+in.ClientIP, a.ipLimit); err != nil {
		return Auth{}, err
	}
	if err := a.limit(now, "email:"+email, a.emailLimit); err != nil {
		return Auth{}, err
	}
	if nutrition.ValidateText("email", email) != nil {
		a.hasher.Verify(a.dummy(), in.Password) // same work as a real check
		return Auth{}, errBadCredentials
	}
	var user nutrition.User
	err := a.uow.Read(AsSystem(ctx), func(ctx context.Context, s Store) error {
		var err error
		user, err = s.Users().ByEmail(ctx, email)
		return err
	})
	switch {
	case nutrition.CodeOf(err) == nutrition.CodeNotFound:
		a.hasher.Verify(a.dummy(), in.Password) // same work as a real check
		return Auth{}, errBadCredentials
	case err != nil:
		return Auth{}, err
	}
	ok, rehash, err := a.hasher.Verify(user.PasswordHash, in.Password)
	if err != nil {
		return Auth{}, fmt.Errorf("app: verifying password: %w", err)
	}
	if !ok {
		return Auth{}, errBadCredentials
	}
	newHash := ""
	if rehash {
		if newHash, err = a.hasher.Hash(in.Password); err != nil {
			return Auth{}, fmt.Errorf("app: rehashing password: %w", err)
		}
	}
	token, tokenHash := newToken()
	var out Auth
	err = a.uow.Do(AsSystem(ctx), func(ctx context.Context, s Store) error {
		if newHash != "" {
			if err := s.Users().SetPasswordHash(ctx, user.ID, newHash); err != nil {
				return err
			}
		}
		sess, err := s.Sessions().Create(ctx, nutrition.Session{UserID: user.ID, TokenHash: tokenHash, ExpiresAt: now.Add(nutrition.SessionLifetime)})
		if err != nil {
			return err
		}
		out = Auth{User: user, Token: token, ExpiresAt: sess.ExpiresAt}
		return nil
	})
	return out, err
}

// limit asks l whether key may try again, as a RATE_LIMITED error when not.
func (a *Accounts) limit(now time.Time, key string, l RateLimiter) error {
	ok, retry := l.Allow(key, now)
	if ok {
		return nil
	}
	return &RateLimitError{RetryAfter: retry}
}

// RateLimitError says an operation was refused for too many attempts.
type RateLimitError struct{ RetryAfter time.Duration }

// Error implements error.
func (e *RateLimitError) Error() string {
	return fmt.Sprintf("too many attempts; retry in %d seconds", int(e.RetryAfter.Round(time.Second).Seconds()))
}

// Unwrap gives the domain error with code RATE_LIMITED.
func (e *RateLimitError) Unwrap() error {
	return nutrition.Errorf(nutrition.CodeRateLimited, "%s", e.Error())
}

// dummy returns a hash to verify against when the email is unknown.
func (a *Accounts) dummy() string {
	a.dummyOnce.Do(func() {
		a.dummyHash, _ = a.hasher.Hash("not a password of anyone")
	})
	return a.dummyHash
}

// Authenticate returns the viewer a bearer token stands for. A token that is
// unknown, expired, revoked or of a deleted account → UNAUTHENTICATED.
func (a *Accounts) Authenticate(ctx context.Context, token string) (Viewer, error) {
	if token == "" || len(token) > 100 {
		return Viewer{}, errBadToken
	}
	sum := sha256.Sum256([]byte(token))
	now := a.now()
	var v Viewer
	err := a.uow.Read(AsSystem(ctx), func(ctx context.Context, s Store) error {
		sess, err := s.Sessions().ByTokenHash(ctx, sum[:])
		if err != nil {
			return err
		}
		if !sess.Valid(now) {
			return errBadToken
		}
		v = Viewer{UserID: sess.UserID, SessionID: sess.ID}
		return nil
	})
	if nutrition.CodeOf(err) == nutrition.CodeNotFound {
		return Viewer{}, errBadToken
	}
	return v, err
}

// Logout revokes the viewer's current session.
func (a *Accounts) Logout(ctx context.Context) error {
	v, err := requireViewer(ctx)
	if err != nil {
		return err
	}
	return a.uow.Do(ctx, func(ctx context.Context, s Store) error {
		return s.Sessions().Revoke(ctx, v.SessionID, a.now().UTC())
	})
}

// ChangePassword replaces the viewer's password after checking the current
// one (BAD_USER_INPUT on field currentPassword when wrong) and revokes every
// other session of the viewer.
func (a *Accounts) ChangePassword(ctx context.Context, current, next string) error {
	v, err := requireViewer(ctx)
	if err != nil {
		return err
	}
	if err := nutrition.ValidatePassword("newPassword", next); err != nil {
		return err
	}
	if err := a.checkPassword(ctx, v, current); err != nil {
		return err
	}
	hash, err := a.hasher.Hash(next)
	if err != nil {
		return fmt.Errorf("app: hashing password: %w", err)
	}
	return a.uow.Do(ctx, func(ctx context.Context, s Store) error {
		if err := s.Users().SetPasswordHash(ctx, v.UserID, hash); err != nil {
			return err
		}
		return s.Sessions().RevokeAll(ctx, v.UserID, v.SessionID, a.now().UTC())
	})
}

// checkPassword verifies the viewer's current password. It is limited like
// a login (per user, with the per-email limiter): a stolen session must not
// become a way to guess the password.
func (a *Accounts) checkPassword(ctx context.Context, v Viewer, password string) error {
	if err := a.limit(a.now().UTC(), "verify:"+v.UserID.String(), a.emailLimit); err != nil {
		return err
	}
	var u nutrition.User
	if err := a.uow.Read(ctx, func(ctx context.Context, s Store) error {
		var err error
		u, err = s.Users().Get(ctx, v.UserID)
		return err
	}); err != nil {
		return err
	}
	ok, _, err := a.hasher.Verify(u.PasswordHash, password)
	if err != nil {
		return fmt.Errorf("app: verifying password: %w", err)
	}
	if !ok {
		return nutrition.Invalid("currentPassword", "the current password is wrong")
	}
	return nil
}

// ProfilePatch changes the fields of a profile that are not nil.
type ProfilePatch struct {
	DisplayName   *string
	Sex           *nutrition.Sex
	BirthDate     *string
	HeightCm      *float64
	WeightKg      *float64
	ActivityLevel *nutrition.ActivityLevel
	Goal          *nutrition.WeightGoal
	TimeZone      *string
}

// UpdateProfile applies patch to the viewer's profile after validating the
// result (BAD_USER_INPUT naming the field). Changing the time zone does not
// move meals already logged.
func (a *Accounts) UpdateProfile(ctx context.Context, patch ProfilePatch) (nutrition.Profile, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nutrition.Profile{}, err
	}
	var out nutrition.Profile
	err = a.uow.Do(ctx, func(ctx context.Context, s Store) error {
		var err error
		out, err = s.Profiles().Update(ctx, v.UserID, func(p *nutrition.Profile) error {
			if patch.DisplayName != nil {
				p.DisplayName = strings.TrimSpace(*patch.DisplayName)
			}
			if patch.Sex != nil {
				p.Sex = patch.Sex
			}
			if patch.BirthDate != nil {
				d, err := nutrition.ParseDate("birthDate", *patch.BirthDate)
				if err != nil {
					return err
				}
				p.BirthDate = &d
			}
			if patch.HeightCm != nil {
				p.HeightCm = patch.HeightCm
			}
			if patch.WeightKg != nil {
				p.WeightKg = patch.WeightKg
			}
			if patch.ActivityLevel != nil {
				p.ActivityLevel = patch.ActivityLevel
			}
			if patch.Goal != nil {
				p.Goal = *patch.Goal
			}
			if patch.TimeZone != nil {
				p.TimeZone = strings.TrimSpace(*patch.TimeZone)
			}
			return p.Validate("", a.today(p.TimeZone))
		})
		return err
	})
	return out, err
}

// today is the current local date in zone tz (UTC when tz is invalid; the
// zone is validated separately).
func (a *Accounts) today(tz string) nutrition.Date {
	loc, err := nutrition.LoadZone(tz)
	if err != nil {
		loc = time.UTC
	}
	return nutrition.LocalDate(a.now(), loc)
}

// DeleteAccount soft-deletes the viewer and everything they own in one unit
// of work, after checking their password; their sessions end with it and the
// email can register again.
func (a *Accounts) DeleteAccount(ctx context.Context, password string) error {
	v, err := requireViewer(ctx)
	if err != nil {
		return err
	}
	if err := a.checkPassword(ctx, v, password); err != nil {
		if nutrition.FieldOf(err) == "currentPassword" {
			return nutrition.Invalid("password", "the password is wrong")
		}
		return err
	}
	return a.uow.Do(ctx, func(ctx context.Context, s Store) error {
		if err := s.Sessions().RevokeAll(ctx, v.UserID, ID{}, a.now().UTC()); err != nil {
			return err
		}
		return s.Users().Delete(ctx, v.UserID)
	})
}

// newToken returns a fresh opaque bearer token (256 random bits, base64url)
// and the SHA-256 hash under which it is stored.
func newToken() (token string, hash []byte) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Errorf("app: reading randomness: %w", err)) // crypto/rand does not fail on supported platforms
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(token))
	return token, sum[:]
}
