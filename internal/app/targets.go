package app

import (
	"context"
	"errors"
	"time"

	"nutrigraph/internal/nutrition"
)

// Targets holds the target use cases. Each change of the active target's
// goals writes a snapshot effective from the viewer's local today, so that
// progress for past days keeps the goals they had.
type Targets struct {
	uow UnitOfWork
	now Clock
}

// NewTargets returns the target use cases.
func NewTargets(uow UnitOfWork, now Clock) (*Targets, error) {
	if uow == nil || now == nil {
		return nil, errors.New("app: NewTargets needs every dependency")
	}
	return &Targets{uow: uow, now: now}, nil
}

// viewerToday returns the viewer's profile and local date at now.
func viewerToday(ctx context.Context, s Store, user ID, now time.Time) (nutrition.Profile, nutrition.Date, *time.Location, error) {
	p, err := s.Profiles().ByUser(ctx, user)
	if err != nil {
		return p, nutrition.Date{}, nil, err
	}
	loc, err := nutrition.LoadZone(p.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	return p, nutrition.LocalDate(now, loc), loc, nil
}

// CreateTargetInput is the input of CreateTarget.
type CreateTargetInput struct {
	Name  string
	Goals []nutrition.Goal
	// Activate makes the target the active one. A user's first target is
	// always activated.
	Activate bool
}

// CreateTarget creates a custom target, within the plan's target limit
// (PLAN_LIMIT naming "targets").
func (t *Targets) CreateTarget(ctx context.Context, in CreateTargetInput) (nutrition.Target, error) {
	name, err := nutrition.ValidateTargetName("name", in.Name)
	if err != nil {
		return nutrition.Target{}, err
	}
	if err := nutrition.ValidateGoals("goals", in.Goals); err != nil {
		return nutrition.Target{}, err
	}
	return t.create(ctx, nutrition.Target{Name: name, Source: nutrition.SourceCustom, Goals: in.Goals}, in.Activate)
}

// ComputeTargetFromProfile creates a target computed from the viewer's
// profile (Mifflin–St Jeor) and makes it the active one. BAD_USER_INPUT
// naming the profile field the computation lacks.
func (t *Targets) ComputeTargetFromProfile(ctx context.Context, name string) (nutrition.Target, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nutrition.Target{}, err
	}
	if name == "" {
		name = "Computed from profile"
	}
	name, err = nutrition.ValidateTargetName("name", name)
	if err != nil {
		return nutrition.Target{}, err
	}
	var goals []nutrition.Goal
	err = t.uow.Do(ctx, func(ctx context.Context, s Store) error {
		p, today, _, err := viewerToday(ctx, s, v.UserID, t.now())
		if err != nil {
			return err
		}
		goals, err = nutrition.ComputeGoals(p, today)
		return err
	})
	if err != nil {
		return nutrition.Target{}, err
	}
	return t.create(ctx, nutrition.Target{Name: name, Source: nutrition.SourceComputed, Goals: goals}, true)
}

func (t *Targets) create(ctx context.Context, tg nutrition.Target, activate bool) (nutrition.Target, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nutrition.Target{}, err
	}
	var out nutrition.Target
	err = t.uow.Do(ctx, func(ctx context.Context, s Store) error {
		if err := s.Meals().LockUser(ctx, v.UserID); err != nil {
			return err
		}
		now := t.now()
		if err := allowOneMore(ctx, s, v.UserID, now, nutrition.LimitTargets, s.Targets().Count); err != nil {
			return err
		}
		cur, hasActive, err := s.Targets().Active(ctx, v.UserID)
		if err != nil {
			return err
		}
		tg.UserID = v.UserID
		tg.Active = activate || !hasActive
		if tg.Active && hasActive {
			if err := s.Targets().SetActive(ctx, cur.ID, false); err != nil {
				return err
			}
		}
		if out, err = s.Targets().Create(ctx, tg); err != nil {
			return err
		}
		if out.Active {
			return snapshot(ctx, s, v.UserID, out, now)
		}
		return nil
	})
	return out, err
}

// snapshot records tg's goals as in force from the user's local today.
func snapshot(ctx context.Context, s Store, user ID, tg nutrition.Target, now time.Time) error {
	_, today, _, err := viewerToday(ctx, s, user, now)
	if err != nil {
		return err
	}
	return s.Targets().AddSnapshot(ctx, user, tg.ID, today, tg.Goals)
}

// UpdateTargetInput is the input of UpdateTarget: nil fields stay.
type UpdateTargetInput struct {
	Name  *string
	Goals []nutrition.Goal
}

// UpdateTarget renames a target and/or replaces its goals; a change of the
// active target's goals takes effect from the viewer's local today.
func (t *Targets) UpdateTarget(ctx context.Context, id ID, in UpdateTargetInput) (nutrition.Target, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nutrition.Target{}, err
	}
	if in.Name != nil {
		n, err := nutrition.ValidateTargetName("name", *in.Name)
		if err != nil {
			return nutrition.Target{}, err
		}
		in.Name = &n
	}
	if in.Goals != nil {
		if err := nutrition.ValidateGoals("goals", in.Goals); err != nil {
			return nutrition.Target{}, err
		}
	}
	var out nutrition.Target
	err = t.uow.Do(ctx, func(ctx context.Context, s Store) error {
		tg, err := lockedTarget(ctx, s, v.UserID, id)
		if err != nil {
			return err
		}
		if in.Name != nil {
			tg.Name = *in.Name
		}
		if in.Goals != nil {
			tg.Goals = in.Goals
			tg.Source = nutrition.SourceCustom
		}
		if err := s.Targets().Update(ctx, tg); err != nil {
			return err
		}
		out = tg
		if tg.Active && in.Goals != nil {
			return snapshot(ctx, s, v.UserID, tg, t.now())
		}
		return nil
	})
	return out, err
}

// ActivateTarget makes target id the viewer's active target from today on.
func (t *Targets) ActivateTarget(ctx context.Context, id ID) (nutrition.Target, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nutrition.Target{}, err
	}
	var out nutrition.Target
	err = t.uow.Do(ctx, func(ctx context.Context, s Store) error {
		tg, err := lockedTarget(ctx, s, v.UserID, id)
		if err != nil {
			return err
		}
		out = tg
		if tg.Active {
			return nil
		}
		if cur, ok, err := s.Targets().Active(ctx, v.UserID); err != nil {
			return err
		} else if ok {
			if err := s.Targets().SetActive(ctx, cur.ID, false); err != nil {
				return err
			}
		}
		if err := s.Targets().SetActive(ctx, tg.ID, true); err != nil {
			return err
		}
		out.Active = true
		return snapshot(ctx, s, v.UserID, out, t.now())
	})
	return out, err
}

// DeleteTarget deletes target id. Deleting the active target leaves the
// viewer without a target from today on; past days keep their goals.
func (t *Targets) DeleteTarget(ctx context.Context, id ID) error {
	v, err := requireViewer(ctx)
	if err != nil {
		return err
	}
	return t.uow.Do(ctx, func(ctx context.Context, s Store) error {
		tg, err := lockedTarget(ctx, s, v.UserID, id)
		if err != nil {
			return err
		}
		if err := s.Targets().Delete(ctx, tg.ID); err != nil {
			return err
		}
		if tg.Active {
			tg.Goals = nil
			return snapshot(ctx, s, v.UserID, tg, t.now())
		}
		return nil
	})
}

// lockedTarget takes the user's write lock and loads target id.
func lockedTarget(ctx context.Context, s Store, user, id ID) (nutrition.Target, error) {
	if err := s.Meals().LockUser(ctx, user); err != nil {
		return nutrition.Target{}, err
	}
	return s.Targets().Get(ctx, user, id)
}

// allowOneMore checks that user's plan at now allows one more item of limit
// l, count giving how many the user holds (PLAN_LIMIT otherwise).
func allowOneMore(ctx context.Context, s Store, user ID, now time.Time, l nutrition.Limit, count func(context.Context, ID) (int, error)) error {
	acct, err := s.Billing().ByUser(ctx, user)
	if err != nil {
		return err
	}
	held, err := count(ctx, user)
	if err != nil {
		return err
	}
	return nutrition.EntitlementsOf(acct.EffectivePlan(now)).Allow(l, held)
}
