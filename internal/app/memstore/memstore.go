// Package memstore is an in-memory implementation of the app ports, for use
// case tests. It passes the same contract suite (internal/app/contract) as the
// ent adapters, which is what makes it trustworthy.
package memstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"sync"
	"time"

	"nutrigraph/internal/app"
	"nutrigraph/internal/nutrition"
)

// Store is an in-memory database. Units of work run one at a time; each
// works on a copy of the state that replaces the state only on success.
type Store struct {
	mu    sync.Mutex
	state *state
}

type state struct {
	users    map[app.ID]nutrition.User
	deleted  map[app.ID]bool // soft-deleted users
	sessions map[app.ID]nutrition.Session
	profiles map[app.ID]nutrition.Profile // by user
	billing  map[app.ID]nutrition.BillingAccount
	events   map[string]app.BillingEvent
	nutritionState
}

// New returns an empty Store.
func New() *Store {
	return &Store{state: &state{
		users: map[app.ID]nutrition.User{}, deleted: map[app.ID]bool{},
		sessions: map[app.ID]nutrition.Session{}, profiles: map[app.ID]nutrition.Profile{},
		billing: map[app.ID]nutrition.BillingAccount{}, events: map[string]app.BillingEvent{},
		nutritionState: newNutritionState(),
	}}
}

var _ app.UnitOfWork = (*Store)(nil)

// Do implements app.UnitOfWork.
func (s *Store) Do(ctx context.Context, fn func(ctx context.Context, st app.Store) error) (err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	work := s.state.clone()
	defer func() {
		if p := recover(); p != nil {
			panic(p) // state is untouched: work is dropped
		}
	}()
	if err := fn(ctx, &tx{st: work}); err != nil {
		return err
	}
	s.state = work
	return nil
}

// Read implements app.UnitOfWork: like Do (the fake serializes everything).
func (s *Store) Read(ctx context.Context, fn func(ctx context.Context, st app.Store) error) error {
	return s.Do(ctx, fn)
}

// BillingEvents returns the recorded events (for tests).
func (s *Store) BillingEvents() []app.BillingEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]app.BillingEvent, 0, len(s.state.events))
	for _, e := range s.state.events {
		out = append(out, e)
	}
	return out
}

func (st *state) clone() *state {
	c := &state{
		users: make(map[app.ID]nutrition.User, len(st.users)), deleted: make(map[app.ID]bool, len(st.deleted)),
		sessions: make(map[app.ID]nutrition.Session, len(st.sessions)), profiles: make(map[app.ID]nutrition.Profile, len(st.profiles)),
		billing: make(map[app.ID]nutrition.BillingAccount, len(st.billing)), events: make(map[string]app.BillingEvent, len(st.events)),
		nutritionState: st.nutritionState.clone(),
	}
	for k, v := range st.users {
		c.users[k] = v
	}
	for k, v := range st.deleted {
		c.deleted[k] = v
	}
	for k, v := range st.sessions {
		c.sessions[k] = v
	}
	for k, v := range st.profiles {
		c.profiles[k] = v
	}
	for k, v := range st.billing {
		c.billing[k] = v
	}
	for k, v := range st.events {
		c.events[k] = v
	}
	return c
}

func newID() app.ID {
	var id app.ID
	rand.Read(id[:])
	return id
}

type tx struct{ st *state }

func (t *tx) Users() app.UserRepository       { return users{t.st} }
func (t *tx) Sessions() app.SessionRepository { return sessions{t.st} }
func (t *tx) Profiles() app.ProfileRepository { return profiles{t.st} }
func (t *tx) Billing() app.BillingRepository  { return billing{t.st} }

type users struct{ st *state }

func (r users) Create(_ context.Context, u nutrition.User) (nutrition.User, error) {
	for _, o := range r.st.users {
		if o.Email == u.Email {
			return nutrition.User{}, nutrition.Conflict("email", "email already taken")
		}
	}
	u.ID = newID()
	u.CreatedAt = time.Now().UTC()
	if u.Plan == "" {
		u.Plan = nutrition.PlanFree // the column's default
	}
	r.st.users[u.ID] = u
	return u, nil
}

func (r users) Get(_ context.Context, id app.ID) (nutrition.User, error) {
	u, ok := r.st.users[id]
	if !ok {
		return nutrition.User{}, nutrition.NotFound("user")
	}
	return u, nil
}

func (r users) ByEmail(_ context.Context, email string) (nutrition.User, error) {
	for _, u := range r.st.users {
		if u.Email == email {
			return u, nil
		}
	}
	return nutrition.User{}, nutrition.NotFound("user")
}

func (r users) SetPasswordHash(_ context.Context, id app.ID, hash string) error {
	u, ok := r.st.users[id]
	if !ok {
		return nutrition.NotFound("user")
	}
	u.PasswordHash = hash
	r.st.users[id] = u
	return nil
}

func (r users) SetPlan(_ context.Context, id app.ID, plan nutrition.Plan) error {
	u, ok := r.st.users[id]
	if !ok {
		return nutrition.NotFound("user")
	}
	u.Plan = plan
	r.st.users[id] = u
	return nil
}

func (r users) Delete(_ context.Context, id app.ID) error {
	if _, ok := r.st.users[id]; !ok {
		return nutrition.NotFound("user")
	}
	delete(r.st.users, id)
	r.st.deleted[id] = true
	delete(r.st.profiles, id)
	for k, a := range r.st.billing {
		if a.UserID == id {
			delete(r.st.billing, k)
		}
	}
	for k, s := range r.st.sessions {
		if s.UserID == id {
			delete(r.st.sessions, k)
		}
	}
	for k, m := range r.st.meals {
		if m.UserID == id {
			delete(r.st.meals, k)
			delete(r.st.mealTot, k)
		}
	}
	for k, t := range r.st.targets {
		if t.UserID == id {
			delete(r.st.targets, k)
		}
	}
	for k := range r.st.days {
		if k.user == id {
			delete(r.st.days, k)
		}
	}
	delete(r.st.snapshots, id)
	for k, f := range r.st.foods {
		if f.UserID != nil && *f.UserID == id {
			delete(r.st.foods, k)
		}
	}
	return nil
}

type sessions struct{ st *state }

func (r sessions) Create(_ context.Context, s nutrition.Session) (nutrition.Session, error) {
	if _, ok := r.st.users[s.UserID]; !ok {
		return nutrition.Session{}, nutrition.NotFound("user")
	}
	s.ID = newID()
	s.ExpiresAt = s.ExpiresAt.UTC()
	r.st.sessions[s.ID] = s
	return s, nil
}

func (r sessions) ByTokenHash(_ context.Context, hash []byte) (nutrition.Session, error) {
	for _, s := range r.st.sessions {
		if bytes.Equal(s.TokenHash, hash) {
			return s, nil
		}
	}
	return nutrition.Session{}, nutrition.NotFound("session")
}

func (r sessions) Revoke(_ context.Context, id app.ID, at time.Time) error {
	s, ok := r.st.sessions[id]
	if !ok {
		return nutrition.NotFound("session")
	}
	if s.RevokedAt == nil {
		at := at.UTC()
		s.RevokedAt = &at
		r.st.sessions[id] = s
	}
	return nil
}

func (r sessions) RevokeAll(_ context.Context, user, keep app.ID, at time.Time) error {
	for id, s := range r.st.sessions {
		if s.UserID == user && id != keep && s.RevokedAt == nil {
			at := at.UTC()
			s.RevokedAt = &at
			r.st.sessions[id] = s
		}
	}
	return nil
}

type profiles struct{ st *state }

func (r profiles) Create(_ context.Context, p nutrition.Profile) (nutrition.Profile, error) {
	if _, ok := r.st.profiles[p.UserID]; ok {
		return nutrition.Profile{}, nutrition.Conflict("userId", "the user has a profile")
	}
	if _, ok := r.st.users[p.UserID]; !ok {
		return nutrition.Profile{}, nutrition.NotFound("user")
	}
	p.ID = newID()
	r.st.profiles[p.UserID] = p
	return p, nil
}

func (r profiles) ByUser(_ context.Context, user app.ID) (nutrition.Profile, error) {
	p, ok := r.st.profiles[user]
	if !ok {
		return nutrition.Profile{}, nutrition.NotFound("profile")
	}
	return p, nil
}

func (r profiles) Update(ctx context.Context, user app.ID, fn func(*nutrition.Profile) error) (nutrition.Profile, error) {
	p, err := r.ByUser(ctx, user)
	if err != nil {
		return p, err
	}
	if err := fn(&p); err != nil {
		return nutrition.Profile{}, err
	}
	r.st.profiles[user] = p
	return p, nil
}

type billing struct{ st *state }

func (r billing) Create(_ context.Context, a nutrition.BillingAccount) (nutrition.BillingAccount, error) {
	for _, o := range r.st.billing {
		if o.UserID == a.UserID {
			return nutrition.BillingAccount{}, nutrition.Conflict("userId", "the user has a billing account")
		}
	}
	if _, ok := r.st.users[a.UserID]; !ok {
		return nutrition.BillingAccount{}, nutrition.NotFound("user")
	}
	a.ID = newID()
	r.st.billing[a.ID] = a
	return a, nil
}

func (r billing) ByUser(_ context.Context, user app.ID) (nutrition.BillingAccount, error) {
	for _, a := range r.st.billing {
		if a.UserID == user {
			return a, nil
		}
	}
	return nutrition.BillingAccount{}, nutrition.NotFound("billing account")
}

func (r billing) Update(_ context.Context, ref app.AccountRef, fn func(*nutrition.BillingAccount) error) (nutrition.BillingAccount, error) {
	for id, a := range r.st.billing {
		if matches(a, ref) {
			if err := fn(&a); err != nil {
				return nutrition.BillingAccount{}, err
			}
			r.st.billing[id] = a
			return a, nil
		}
	}
	return nutrition.BillingAccount{}, nutrition.NotFound("billing account")
}

// matches reports whether a is the account ref names (same rule as the ent adapter).
func matches(a nutrition.BillingAccount, ref app.AccountRef) bool {
	if ref.Ref == "" {
		return a.ID == ref.ID
	}
	return (a.CustomerRef != nil && *a.CustomerRef == ref.Ref) || a.ID.String() == ref.Ref
}

func (r billing) LastAppliedAt(_ context.Context, id app.ID) (time.Time, bool, error) {
	var last time.Time
	found := false
	for _, e := range r.st.events {
		if e.Applied && e.AccountID != nil && *e.AccountID == id && (!found || e.OccurredAt.After(last)) {
			last, found = e.OccurredAt, true
		}
	}
	return last, found, nil
}

func (r billing) RecordEvent(_ context.Context, e app.BillingEvent) error {
	if _, ok := r.st.events[e.EventID]; ok {
		return nutrition.Conflict("eventId", "event %s was received before", e.EventID)
	}
	r.st.events[e.EventID] = e
	return nil
}
