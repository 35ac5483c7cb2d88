package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"nutrigraph/ent"
	"nutrigraph/ent/billingaccount"
	"nutrigraph/ent/dailynutrition"
	"nutrigraph/ent/food"
	"nutrigraph/ent/meal"
	"nutrigraph/ent/target"
	"nutrigraph/ent/targetsnapshot"
	"nutrigraph/ent/user"
	"nutrigraph/graph/generated"
	"nutrigraph/internal/app"
	"nutrigraph/internal/nutrition"
	"nutrigraph/internal/store"
)

// deref returns *p, or the zero value for nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// nullIfNotFound turns a not-found result into GraphQL null.
func nullIfNotFound[T any](v *T, err error) (*T, error) {
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return v, err
}

// authPayload loads the user of a registration or login as the new viewer.
func (r *Resolver) authPayload(ctx context.Context, auth app.Auth) (*generated.AuthPayload, error) {
	ctx = app.WithViewer(ctx, app.Viewer{UserID: auth.User.ID})
	u, err := r.client.User.Query().Where(user.ID(uuid.UUID(auth.User.ID))).Only(ctx)
	if err != nil {
		return nil, err
	}
	return &generated.AuthPayload{Token: auth.Token, ExpiresAt: auth.ExpiresAt, User: u}, nil
}

// account reads the billing account of user as the domain sees it.
func (r *Resolver) account(ctx context.Context, uid uuid.UUID) (nutrition.BillingAccount, error) {
	a, err := r.client.BillingAccount.Query().Where(billingaccount.UserID(uid)).Only(ctx)
	if ent.IsNotFound(err) {
		return nutrition.BillingAccount{Status: nutrition.StatusCanceled}, nil
	}
	if err != nil {
		return nutrition.BillingAccount{}, err
	}
	return nutrition.BillingAccount{Plan: nutrition.Plan(a.Plan), Status: nutrition.BillingStatus(a.Status), TrialEndsAt: a.TrialEndsAt, CurrentPeriodEnd: a.CurrentPeriodEnd}, nil
}

// plan is the effective plan of user now.
func (r *Resolver) plan(ctx context.Context, uid uuid.UUID) (nutrition.Plan, error) {
	a, err := r.account(ctx, uid)
	return a.EffectivePlan(r.now()), err
}

// entitlements are the limits of user's plan and their use.
func (r *Resolver) entitlements(ctx context.Context, uid uuid.UUID) (*generated.Entitlements, error) {
	p, err := r.plan(ctx, uid)
	if err != nil {
		return nil, err
	}
	e := nutrition.EntitlementsOf(p)
	out := &generated.Entitlements{Plan: generated.Plan(p)}
	if e.Targets > 0 {
		out.MaxTargets = &e.Targets
	}
	if e.OwnFoods > 0 {
		out.MaxOwnFoods = &e.OwnFoods
	}
	if out.Targets, err = r.client.Target.Query().Where(target.UserID(uid)).Count(ctx); err != nil {
		return nil, err
	}
	if out.OwnFoods, err = r.client.Food.Query().Where(food.UserID(uid), food.ArchivedAtIsNil()).Count(ctx); err != nil {
		return nil, err
	}
	return out, nil
}

// selected runs q (one row) with the eager loads the field's selection asks for.
func selected[T any, Q interface {
	CollectFields(context.Context, ...string) (Q, error)
	Only(context.Context) (T, error)
}](ctx context.Context, q Q) (T, error) {
	q, err := q.CollectFields(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	return q.Only(ctx)
}

// target loads the target a use case returned (or passes its error on),
// with the fields the mutation's selection asks for.
func (r *Resolver) target(ctx context.Context, t nutrition.Target, err error) (*ent.Target, error) {
	if err != nil {
		return nil, err
	}
	return selected[*ent.Target](ctx, r.client.Target.Query().Where(target.ID(uuid.UUID(t.ID))))
}

// meal loads the meal a use case returned, entries and totals eagerly.
func (r *Resolver) meal(ctx context.Context, m nutrition.Meal, err error) (*ent.Meal, error) {
	if err != nil {
		return nil, err
	}
	return selected[*ent.Meal](ctx, r.client.Meal.Query().Where(meal.ID(uuid.UUID(m.ID))))
}

// food loads the food a use case returned.
func (r *Resolver) food(ctx context.Context, f nutrition.Food, err error) (*ent.Food, error) {
	if err != nil {
		return nil, err
	}
	return selected[*ent.Food](ctx, r.client.Food.Query().Where(food.ID(uuid.UUID(f.ID))))
}

// summaries builds the daily summaries of from..to (inclusive) for the
// viewer in a fixed number of statements: the stored day totals, the
// snapshots up to the range's end, and the targets they name.
func (r *Resolver) summaries(ctx context.Context, fromS, toS, fromField, toField string) ([]*generated.DailySummary, error) {
	uid, err := viewerID(ctx)
	if err != nil {
		return nil, err
	}
	from, err := nutrition.ParseDate(fromField, fromS)
	if err != nil {
		return nil, err
	}
	to, err := nutrition.ParseDate(toField, toS)
	if err != nil {
		return nil, err
	}
	if err := nutrition.ValidateRange(fromField, toField, from, to); err != nil {
		return nil, err
	}
	days, err := r.client.DailyNutrition.Query().
		Where(dailynutrition.UserID(uid), dailynutrition.LocalDateGTE(from.String()), dailynutrition.LocalDateLTE(to.String())).
		All(ctx)
	if err != nil {
		return nil, err
	}
	byDay := make(map[string]*ent.DailyNutrition, len(days))
	for _, d := range days {
		byDay[d.LocalDate] = d
	}
	rows, err := r.client.TargetSnapshot.Query().
		Where(targetsnapshot.UserID(uid), targetsnapshot.EffectiveFromLTE(to.String())).
		All(ctx)
	if err != nil {
		return nil, err
	}
	snaps := make([]nutrition.Snapshot, 0, len(rows))
	targetIDs := map[uuid.UUID]bool{}
	for _, s := range rows {
		d, err := nutrition.ParseDate("effectiveFrom", s.EffectiveFrom)
		if err != nil {
			return nil, err
		}
		snaps = append(snaps, nutrition.Snapshot{TargetID: app.ID(s.TargetID), EffectiveFrom: d, CreatedAt: s.CreatedAt, Goals: s.Goals})
		if len(s.Goals) > 0 {
			targetIDs[s.TargetID] = true
		}
	}
	targets := map[uuid.UUID]*ent.Target{}
	if len(targetIDs) > 0 {
		ids := make([]uuid.UUID, 0, len(targetIDs))
		for id := range targetIDs {
			ids = append(ids, id)
		}
		ts, err := r.summaryTargets(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			targets[t.ID] = t
		}
	}
	out := make([]*generated.DailySummary, 0, from.DaysUntil(to)+1)
	for d := from; !d.After(to); d = d.AddDays(1) {
		var totals nutrition.Totals
		meals := 0
		if row, ok := byDay[d.String()]; ok {
			totals, meals = store.DayTotals(row), row.MealCount
		}
		snap, ok := nutrition.SnapshotOn(snaps, d)
		var inForce []nutrition.Goal
		if ok {
			inForce = snap.Goals
		}
		s := summary(d.String(), meals, totals, inForce)
		if ok && len(snap.Goals) > 0 {
			s.Target = targets[uuid.UUID(snap.TargetID)]
		}
		out = append(out, s)
	}
	return out, nil
}

// summaryTargets loads the targets ids with what the selection of the
// summaries' `target` field asks for (nutrients, snapshots, …) loaded
// eagerly: the summaries share these rows, so a query for the targets' goals
// costs one statement per edge, not one per day.
func (r *Resolver) summaryTargets(ctx context.Context, ids []uuid.UUID) ([]*ent.Target, error) {
	q := r.client.Target.Query().Where(target.IDIn(ids...))
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		for _, f := range graphql.CollectFields(graphql.GetOperationContext(ctx), fc.Field.Selections, []string{"DailySummary"}) {
			if f.Name != "target" {
				continue
			}
			var err error
			if q, err = q.CollectFields(graphql.WithFieldContext(ctx, &graphql.FieldContext{Parent: fc, Object: "DailySummary", Field: f})); err != nil {
				return nil, err
			}
		}
	}
	return q.All(ctx)
}

// now is the resolvers' clock.
func (r *Resolver) now() time.Time {
	if r.clock != nil {
		return r.clock()
	}
	return time.Now()
}
