package store

import (
	"context"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/google/uuid"

	"nutrigraph/ent"
	"nutrigraph/ent/billingaccount"
	"nutrigraph/ent/billingevent"
	"nutrigraph/ent/profile"
	"nutrigraph/ent/session"
	"nutrigraph/ent/user"
	"nutrigraph/internal/app"
	"nutrigraph/internal/nutrition"
)

// UnitOfWork implements app.UnitOfWork over an ent client: each Do is one
// transaction (WithTx), and every error leaving it is translated.
type UnitOfWork struct {
	client  *ent.Client
	dialect string
}

var _ app.UnitOfWork = (*UnitOfWork)(nil)

// NewUnitOfWork returns the unit of work over client on dialect
// (dialect.SQLite or dialect.Postgres).
func NewUnitOfWork(client *ent.Client, dialectName string) *UnitOfWork {
	return &UnitOfWork{client: client, dialect: dialectName}
}

// Do implements app.UnitOfWork.
func (u *UnitOfWork) Do(ctx context.Context, fn func(ctx context.Context, s app.Store) error) error {
	return Translate(WithTx(ctx, u.client, func(tx *ent.Tx) error {
		return fn(ctx, &repos{tx: tx.Client(), lock: u.dialect == dialect.Postgres})
	}))
}

// Read implements app.UnitOfWork: fn's reads run on the pool, outside any
// transaction.
func (u *UnitOfWork) Read(ctx context.Context, fn func(ctx context.Context, s app.Store) error) error {
	return Translate(fn(ctx, &repos{tx: u.client}))
}

// repos are the repositories bound to one transaction.
type repos struct {
	tx *ent.Client
	// lock says whether SELECT … FOR UPDATE is available (PostgreSQL). SQLite
	// transactions begin IMMEDIATE (internal/db), which serializes writers.
	lock bool
}

func (r *repos) Users() app.UserRepository       { return users{r} }
func (r *repos) Sessions() app.SessionRepository { return sessions{r} }
func (r *repos) Profiles() app.ProfileRepository { return profiles{r} }
func (r *repos) Billing() app.BillingRepository  { return billing{r} }

// id converts a domain id to a UUID.
func id(i app.ID) uuid.UUID { return uuid.UUID(i) }

// did converts a UUID to a domain id.
func did(u uuid.UUID) app.ID { return app.ID(u) }

func utc(t time.Time) time.Time { return t.UTC() }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

type users struct{ *repos }

func toUser(u *ent.User) nutrition.User {
	return nutrition.User{ID: did(u.ID), Email: u.Email, PasswordHash: u.PasswordHash,
		Plan: nutrition.Plan(u.Plan), TrialEndsAt: utcPtr(u.TrialEndsAt), CreatedAt: utc(u.CreatedAt)}
}

func (r users) Create(ctx context.Context, u nutrition.User) (nutrition.User, error) {
	c := r.tx.User.Create().SetEmail(u.Email).SetPasswordHash(u.PasswordHash).SetNillableTrialEndsAt(utcPtr(u.TrialEndsAt))
	if u.Plan != "" {
		c.SetPlan(user.Plan(u.Plan))
	}
	row, err := c.Save(ctx)
	if err != nil {
		return nutrition.User{}, Translate(err)
	}
	return toUser(row), nil
}

func (r users) Get(ctx context.Context, i app.ID) (nutrition.User, error) {
	row, err := r.tx.User.Get(ctx, id(i))
	if err != nil {
		return nutrition.User{}, Translate(err)
	}
	return toUser(row), nil
}

func (r users) ByEmail(ctx context.Context, email string) (nutrition.User, error) {
	row, err := r.tx.User.Query().Where(user.Email(email)).Only(ctx)
	if err != nil {
		return nutrition.User{}, Translate(err)
	}
	return toUser(row), nil
}

func (r users) SetPasswordHash(ctx context.Context, i app.ID, hash string) error {
	return Translate(r.tx.User.UpdateOneID(id(i)).SetPasswordHash(hash).Exec(ctx))
}

func (r users) SetPlan(ctx context.Context, i app.ID, plan nutrition.Plan) error {
	return Translate(r.tx.User.UpdateOneID(id(i)).SetPlan(user.Plan(plan)).Exec(ctx))
}

func (r users) Delete(ctx context.Context, i app.ID) error {
	return Translate(r.tx.User.DeleteOneID(id(i)).Exec(ctx))
}

type sessions struct{ *repos }

func toSession(s *ent.Session) nutrition.Session {
	return nutrition.Session{ID: did(s.ID), UserID: did(s.UserID), TokenHash: s.TokenHash, ExpiresAt: utc(s.ExpiresAt), RevokedAt: utcPtr(s.RevokedAt)}
}

func (r sessions) Create(ctx context.Context, s nutrition.Session) (nutrition.Session, error) {
	row, err := r.tx.Session.Create().SetUserID(id(s.UserID)).SetTokenHash(s.TokenHash).SetExpiresAt(s.ExpiresAt.UTC()).Save(ctx)
	if err != nil {
		return nutrition.Session{}, Translate(err)
	}
	return toSession(row), nil
}

func (r sessions) ByTokenHash(ctx context.Context, hash []byte) (nutrition.Session, error) {
	row, err := r.tx.Session.Query().Where(session.TokenHash(hash)).Only(ctx)
	if err != nil {
		return nutrition.Session{}, Translate(err)
	}
	return toSession(row), nil
}

func (r sessions) Revoke(ctx context.Context, i app.ID, at time.Time) error {
	n, err := r.tx.Session.Update().Where(session.ID(id(i)), session.RevokedAtIsNil()).SetRevokedAt(at.UTC()).Save(ctx)
	if err != nil {
		return Translate(err)
	}
	if n == 0 {
		if _, err := r.tx.Session.Get(ctx, id(i)); err != nil {
			return Translate(err)
		}
	}
	return nil
}

func (r sessions) RevokeAll(ctx context.Context, u, keep app.ID, at time.Time) error {
	_, err := r.tx.Session.Update().
		Where(session.UserID(id(u)), session.IDNEQ(id(keep)), session.RevokedAtIsNil()).
		SetRevokedAt(at.UTC()).
		Save(ctx)
	return Translate(err)
}

type profiles struct{ *repos }

func toProfile(p *ent.Profile) nutrition.Profile {
	out := nutrition.Profile{
		ID: did(p.ID), UserID: did(p.UserID), DisplayName: p.DisplayName,
		HeightCm: p.HeightCm, WeightKg: p.WeightKg,
		Goal: nutrition.WeightGoal(p.Goal), TimeZone: p.TimeZone,
	}
	if p.Sex != nil {
		s := nutrition.Sex(*p.Sex)
		out.Sex = &s
	}
	if p.ActivityLevel != nil {
		a := nutrition.ActivityLevel(*p.ActivityLevel)
		out.ActivityLevel = &a
	}
	if p.BirthDate != nil {
		if d, err := nutrition.ParseDate("birthDate", *p.BirthDate); err == nil {
			out.BirthDate = &d
		}
	}
	return out
}

func (r profiles) Create(ctx context.Context, p nutrition.Profile) (nutrition.Profile, error) {
	c := r.tx.Profile.Create().SetUserID(id(p.UserID))
	applyProfile(c.Mutation(), p)
	row, err := c.Save(ctx)
	if err != nil {
		return nutrition.Profile{}, Translate(err)
	}
	return toProfile(row), nil
}

// applyProfile sets every field of p on the mutation m (an optional field
// that is nil is cleared).
func applyProfile(m *ent.ProfileMutation, p nutrition.Profile) {
	m.SetDisplayName(p.DisplayName)
	m.SetGoal(profile.Goal(p.Goal))
	m.SetTimeZone(p.TimeZone)
	setOrClear(p.Sex, func(s nutrition.Sex) { m.SetSex(profile.Sex(s)) }, m.ClearSex)
	setOrClear(p.BirthDate, func(d nutrition.Date) { m.SetBirthDate(d.String()) }, m.ClearBirthDate)
	setOrClear(p.HeightCm, m.SetHeightCm, m.ClearHeightCm)
	setOrClear(p.WeightKg, m.SetWeightKg, m.ClearWeightKg)
	setOrClear(p.ActivityLevel, func(a nutrition.ActivityLevel) { m.SetActivityLevel(profile.ActivityLevel(a)) }, m.ClearActivityLevel)
}

func (r profiles) ByUser(ctx context.Context, u app.ID) (nutrition.Profile, error) {
	row, err := r.tx.Profile.Query().Where(profile.UserID(id(u))).Only(ctx)
	if err != nil {
		return nutrition.Profile{}, Translate(err)
	}
	return toProfile(row), nil
}

func (r profiles) Update(ctx context.Context, u app.ID, fn func(*nutrition.Profile) error) (nutrition.Profile, error) {
	q := r.tx.Profile.Query().Where(profile.UserID(id(u)))
	if r.lock {
		q = q.ForUpdate()
	}
	row, err := q.Only(ctx)
	if err != nil {
		return nutrition.Profile{}, Translate(err)
	}
	p := toProfile(row)
	if err := fn(&p); err != nil {
		return nutrition.Profile{}, err
	}
	upd := r.tx.Profile.UpdateOneID(row.ID)
	applyProfile(upd.Mutation(), p)
	row, err = upd.Save(ctx)
	if err != nil {
		return nutrition.Profile{}, Translate(err)
	}
	return toProfile(row), nil
}

type billing struct{ *repos }

func toAccount(a *ent.BillingAccount) nutrition.BillingAccount {
	return nutrition.BillingAccount{
		ID: did(a.ID), UserID: did(a.UserID), Plan: nutrition.Plan(a.Plan), Status: nutrition.BillingStatus(a.Status),
		TrialEndsAt: utcPtr(a.TrialEndsAt), CurrentPeriodEnd: utcPtr(a.CurrentPeriodEnd),
		CustomerRef: a.ProviderCustomerID, SubscriptionID: a.ProviderSubscriptionID,
	}
}

// applyAccount sets every field of a on the mutation m (an optional field
// that is nil is cleared).
func applyAccount(m *ent.BillingAccountMutation, a nutrition.BillingAccount) {
	m.SetPlan(billingaccount.Plan(a.Plan))
	m.SetStatus(billingaccount.Status(a.Status))
	setOrClear(a.TrialEndsAt, func(t time.Time) { m.SetTrialEndsAt(t.UTC()) }, m.ClearTrialEndsAt)
	setOrClear(a.CurrentPeriodEnd, func(t time.Time) { m.SetCurrentPeriodEnd(t.UTC()) }, m.ClearCurrentPeriodEnd)
	setOrClear(a.CustomerRef, m.SetProviderCustomerID, m.ClearProviderCustomerID)
	setOrClear(a.SubscriptionID, m.SetProviderSubscriptionID, m.ClearProviderSubscriptionID)
}

// setOrClear calls set with *v, or clear when v is nil.
func setOrClear[T any](v *T, set func(T), clear func()) {
	if v == nil {
		clear()
		return
	}
	set(*v)
}

func (r billing) Create(ctx context.Context, a nutrition.BillingAccount) (nutrition.BillingAccount, error) {
	c := r.tx.BillingAccount.Create().SetUserID(id(a.UserID))
	applyAccount(c.Mutation(), a)
	row, err := c.Save(ctx)
	if err != nil {
		return nutrition.BillingAccount{}, Translate(err)
	}
	return toAccount(row), nil
}

func (r billing) ByUser(ctx context.Context, u app.ID) (nutrition.BillingAccount, error) {
	row, err := r.tx.BillingAccount.Query().Where(billingaccount.UserID(id(u))).Only(ctx)
	if err != nil {
		return nutrition.BillingAccount{}, Translate(err)
	}
	return toAccount(row), nil
}

func (r billing) Update(ctx context.Context, ref app.AccountRef, fn func(*nutrition.BillingAccount) error) (nutrition.BillingAccount, error) {
	q := r.tx.BillingAccount.Query()
	switch {
	case ref.Ref == "":
		q = q.Where(billingaccount.ID(id(ref.ID)))
	default:
		byRef := billingaccount.ProviderCustomerID(ref.Ref)
		if u, err := uuid.Parse(ref.Ref); err == nil {
			q = q.Where(billingaccount.Or(byRef, billingaccount.ID(u)))
		} else {
			q = q.Where(byRef)
		}
	}
	if r.lock {
		q = q.ForUpdate()
	}
	row, err := q.Only(ctx)
	if err != nil {
		return nutrition.BillingAccount{}, Translate(err)
	}
	a := toAccount(row)
	if err := fn(&a); err != nil {
		return toAccount(row), err
	}
	upd := r.tx.BillingAccount.UpdateOneID(row.ID)
	applyAccount(upd.Mutation(), a)
	if row, err = upd.Save(ctx); err != nil {
		return nutrition.BillingAccount{}, Translate(err)
	}
	return toAccount(row), nil
}

func (r billing) LastAppliedAt(ctx context.Context, i app.ID) (time.Time, bool, error) {
	row, err := r.tx.BillingEvent.Query().
		Where(billingevent.BillingAccountID(id(i)), billingevent.OutcomeEQ(billingevent.OutcomeAPPLIED)).
		Order(billingevent.ByOccurredAt(entsql.OrderDesc())).
		First(ctx)
	if ent.IsNotFound(err) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, Translate(err)
	}
	return row.OccurredAt.UTC(), true, nil
}

func (r billing) RecordEvent(ctx context.Context, e app.BillingEvent) error {
	outcome := "REJECTED"
	if e.Applied {
		outcome = "APPLIED"
	}
	c := r.tx.BillingEvent.Create().
		SetEventID(e.EventID).
		SetType(e.Type).
		SetAccountRef(e.AccountRef).
		SetOccurredAt(e.OccurredAt.UTC()).
		SetOutcome(billingevent.Outcome(outcome)).
		SetDetail(e.Detail).
		SetPayload(e.Payload)
	if e.AccountID != nil {
		c.SetBillingAccountID(id(*e.AccountID))
	}
	err := c.Exec(ctx)
	if nutrition.CodeOf(Translate(err)) == nutrition.CodeConflict {
		return nutrition.Conflict("eventId", "event %s was received before", e.EventID)
	}
	return Translate(err)
}
