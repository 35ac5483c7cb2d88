// Package app holds the use cases of nutrigraph (commands), their inputs and
// outputs, and the ports they need: repositories bound to one unit of work,
// a clock, a password hasher and a rate limiter. It imports the domain only;
// the ent adapters live in internal/store.
package app

import (
	"context"
	"time"

	"nutrigraph/internal/nutrition"
)

// ID is the domain identifier.
type ID = nutrition.ID

// UnitOfWork runs a use case's reads and writes in one transaction.
type UnitOfWork interface {
	// Do runs fn with repositories bound to one transaction. It commits when
	// fn returns nil and rolls back when fn returns an error or panics. fn may
	// be run again when the database asks for a retry (serialization failure),
	// so it must not have effects outside the repositories.
	Do(ctx context.Context, fn func(ctx context.Context, s Store) error) error
	// Read runs fn, which only reads, without a transaction or write lock
	// (every authenticated request reads its session: on SQLite a write
	// transaction per request would serialize them all).
	Read(ctx context.Context, fn func(ctx context.Context, s Store) error) error
}

// Store gives the repositories of one unit of work.
type Store interface {
	Users() UserRepository
	Sessions() SessionRepository
	Profiles() ProfileRepository
	Billing() BillingRepository
	Foods() FoodRepository
	Meals() MealRepository
	Targets() TargetRepository
}

// UserRepository stores users. Errors carry domain codes.
type UserRepository interface {
	// Create stores u and returns it with its ID. CONFLICT (field email) when
	// a live user has the email.
	Create(ctx context.Context, u nutrition.User) (nutrition.User, error)
	// Get returns the live user id. NOT_FOUND otherwise.
	Get(ctx context.Context, id ID) (nutrition.User, error)
	// ByEmail returns the live user with the normalized email. NOT_FOUND otherwise.
	ByEmail(ctx context.Context, email string) (nutrition.User, error)
	// SetPasswordHash replaces the password hash of user id.
	SetPasswordHash(ctx context.Context, id ID, hash string) error
	// SetPlan records the plan of user id as last computed.
	SetPlan(ctx context.Context, id ID, plan nutrition.Plan) error
	// Delete soft-deletes user id and everything the user owns.
	Delete(ctx context.Context, id ID) error
}

// SessionRepository stores login sessions.
type SessionRepository interface {
	// Create stores s and returns it with its ID.
	Create(ctx context.Context, s nutrition.Session) (nutrition.Session, error)
	// ByTokenHash returns the live session with the token hash. NOT_FOUND otherwise.
	ByTokenHash(ctx context.Context, hash []byte) (nutrition.Session, error)
	// Revoke marks session id revoked at at (no-op when already revoked).
	Revoke(ctx context.Context, id ID, at time.Time) error
	// RevokeAll revokes every unrevoked session of user except keep (zero: none kept).
	RevokeAll(ctx context.Context, user ID, keep ID, at time.Time) error
}

// ProfileRepository stores profiles.
type ProfileRepository interface {
	// Create stores p. CONFLICT when the user already has a live profile.
	Create(ctx context.Context, p nutrition.Profile) (nutrition.Profile, error)
	// ByUser returns the live profile of user. NOT_FOUND otherwise.
	ByUser(ctx context.Context, user ID) (nutrition.Profile, error)
	// Update loads the profile of user (locking it until the unit of work
	// ends), calls fn on it and stores the result unless fn fails.
	Update(ctx context.Context, user ID, fn func(p *nutrition.Profile) error) (nutrition.Profile, error)
}

// BillingRepository stores billing accounts and received billing events.
type BillingRepository interface {
	// Create stores a. CONFLICT when the user already has a live account.
	Create(ctx context.Context, a nutrition.BillingAccount) (nutrition.BillingAccount, error)
	// ByUser returns the live account of user. NOT_FOUND otherwise.
	ByUser(ctx context.Context, user ID) (nutrition.BillingAccount, error)
	// Update loads account id (locking it), calls fn and stores the result.
	// The account is looked up by its id, or by its customer reference when ref
	// is not empty (webhooks). NOT_FOUND when there is no such account.
	Update(ctx context.Context, ref AccountRef, fn func(a *nutrition.BillingAccount) error) (nutrition.BillingAccount, error)
	// LastAppliedAt returns the provider timestamp of the latest event applied
	// to account id, and whether there is one.
	LastAppliedAt(ctx context.Context, id ID) (time.Time, bool, error)
	// RecordEvent stores a received provider event. CONFLICT (field eventId)
	// when the event id was recorded before.
	RecordEvent(ctx context.Context, e BillingEvent) error
}

// AccountRef names a billing account by id or by a reference that billing
// events carry: the provider customer id, or the account id in text form.
type AccountRef struct {
	ID  ID
	Ref string
}

// BillingEvent is a provider event as recorded.
type BillingEvent struct {
	EventID    string
	Type       string
	AccountRef string
	AccountID  *ID
	OccurredAt time.Time
	Applied    bool
	Detail     string
	Payload    []byte
}

// FoodRepository reads catalogue foods for logging.
type FoodRepository interface {
	// Get returns food id with its portions if the viewer may log it (a
	// shared food, or one of the viewer's own). NOT_FOUND otherwise.
	Get(ctx context.Context, id ID) (nutrition.Food, error)
	// GetMany returns, by id, those of foods ids the viewer may log (as Get),
	// in a fixed number of statements; ids it may not log are absent.
	GetMany(ctx context.Context, ids []ID) (map[ID]nutrition.Food, error)
	// CountOwn returns the number of live, unarchived own foods of user.
	CountOwn(ctx context.Context, user ID) (int, error)
	// GetOwn returns the live own food id of user (archived or not). NOT_FOUND otherwise.
	GetOwn(ctx context.Context, user, id ID) (nutrition.Food, error)
	// Create stores an own food of f.UserID with its portions.
	Create(ctx context.Context, f nutrition.Food) (nutrition.Food, error)
	// Update stores the name, group, amounts and portions of own food f.
	Update(ctx context.Context, f nutrition.Food) error
	// SetArchived archives (at != nil) or restores food id.
	SetArchived(ctx context.Context, id ID, at *time.Time) error
	// Referenced reports whether live entries reference food id.
	Referenced(ctx context.Context, id ID) (bool, error)
	// Delete soft-deletes food id and its portions.
	Delete(ctx context.Context, id ID) error
}

// MealRepository stores meals, their entries and the meal and day totals.
type MealRepository interface {
	// LockUser serializes the nutrition writes of user until the unit of
	// work ends, so concurrent writes for the same days never lose an update.
	LockUser(ctx context.Context, user ID) error
	// Create stores m with its entries and returns them with ids.
	Create(ctx context.Context, m nutrition.Meal) (nutrition.Meal, error)
	// Get returns the live meal id of user with its live entries in
	// position order. NOT_FOUND otherwise.
	Get(ctx context.Context, user, id ID) (nutrition.Meal, error)
	// MealOfEntry returns the meal id of the live entry id of user. NOT_FOUND otherwise.
	MealOfEntry(ctx context.Context, user, entry ID) (ID, error)
	// Update stores the eaten-at, local date, type and note of m.
	Update(ctx context.Context, m nutrition.Meal) error
	// Delete soft-deletes meal id with its entries and totals.
	Delete(ctx context.Context, id ID) error
	// AddEntry stores e in its meal.
	AddEntry(ctx context.Context, user ID, e nutrition.Entry) (nutrition.Entry, error)
	// UpdateEntry stores the name, grams and amounts of e.
	UpdateEntry(ctx context.Context, e nutrition.Entry) error
	// DeleteEntry soft-deletes entry id.
	DeleteEntry(ctx context.Context, id ID) error
	// SetMealTotals stores the totals of meal id.
	SetMealTotals(ctx context.Context, user, id ID, t nutrition.Totals) error
	// DayTotals sums the totals of user's live meals on day; meals is their count.
	DayTotals(ctx context.Context, user ID, day nutrition.Date) (t nutrition.Totals, meals int, err error)
	// SetDayTotals stores the totals of user's day (creating the row when needed).
	SetDayTotals(ctx context.Context, user ID, day nutrition.Date, t nutrition.Totals, meals int) error
}

// TargetRepository stores targets, their goals and their snapshots.
type TargetRepository interface {
	// Count returns the number of live targets of user.
	Count(ctx context.Context, user ID) (int, error)
	// Create stores t with its goals.
	Create(ctx context.Context, t nutrition.Target) (nutrition.Target, error)
	// Get returns the live target id of user with its goals. NOT_FOUND otherwise.
	Get(ctx context.Context, user, id ID) (nutrition.Target, error)
	// Active returns the active target of user, if any.
	Active(ctx context.Context, user ID) (nutrition.Target, bool, error)
	// SetActive marks target id active or not.
	SetActive(ctx context.Context, id ID, active bool) error
	// Update stores the name and replaces the goals of t.
	Update(ctx context.Context, t nutrition.Target) error
	// Delete soft-deletes target id and its goals (its snapshots stay).
	Delete(ctx context.Context, id ID) error
	// AddSnapshot records goals of target as in force from day on.
	AddSnapshot(ctx context.Context, user, target ID, day nutrition.Date, goals []nutrition.Goal) error
}

// PasswordHasher hashes and verifies passwords (argon2id in production).
type PasswordHasher interface {
	// Hash returns an encoded hash of password with the current parameters.
	Hash(password string) (string, error)
	// Verify reports whether password matches the encoded hash, and whether
	// the hash should be replaced because its parameters are outdated.
	Verify(encoded, password string) (ok, rehash bool, err error)
}

// RateLimiter limits attempts per key (an IP, an email).
type RateLimiter interface {
	// Allow records one attempt for key and reports whether it is allowed;
	// when not, retryAfter says when the next attempt will be.
	Allow(key string, now time.Time) (ok bool, retryAfter time.Duration)
}

// Clock returns the current time.
type Clock func() time.Time
