package app

import (
	"context"
	"errors"
	"strings"

	"nutrigraph/internal/nutrition"
)

// Foods holds the use cases of a user's own foods. Entries copy a food's
// values when logged, so editing or archiving a food never changes history.
type Foods struct {
	uow UnitOfWork
	now Clock
}

// NewFoods returns the own-food use cases.
func NewFoods(uow UnitOfWork, now Clock) (*Foods, error) {
	if uow == nil || now == nil {
		return nil, errors.New("app: NewFoods needs every dependency")
	}
	return &Foods{uow: uow, now: now}, nil
}

// FoodInput describes an own food: nutrients per 100 g and portions.
type FoodInput struct {
	Name     string
	Group    string
	Per100g  nutrition.Amounts
	Portions []nutrition.Portion
}

func (in FoodInput) food(user ID) nutrition.Food {
	return nutrition.Food{UserID: &user, Name: strings.TrimSpace(in.Name), Group: strings.TrimSpace(in.Group), Per100g: in.Per100g, Portions: in.Portions}
}

// CreateFood creates an own food of the viewer, within the plan's limit of
// own foods (PLAN_LIMIT naming "own_foods").
func (f *Foods) CreateFood(ctx context.Context, in FoodInput) (nutrition.Food, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nutrition.Food{}, err
	}
	food := in.food(v.UserID)
	if err := food.Validate(""); err != nil {
		return nutrition.Food{}, err
	}
	var out nutrition.Food
	err = f.uow.Do(ctx, func(ctx context.Context, s Store) error {
		if err := s.Meals().LockUser(ctx, v.UserID); err != nil {
			return err
		}
		if err := allowOneMore(ctx, s, v.UserID, f.now(), nutrition.LimitOwnFoods, s.Foods().CountOwn); err != nil {
			return err
		}
		var err error
		out, err = s.Foods().Create(ctx, food)
		return err
	})
	return out, err
}

// UpdateFood replaces an own food's name, group, nutrients and portions.
// Entries logged before keep their copied values.
func (f *Foods) UpdateFood(ctx context.Context, id ID, in FoodInput) (nutrition.Food, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nutrition.Food{}, err
	}
	food := in.food(v.UserID)
	if err := food.Validate(""); err != nil {
		return nutrition.Food{}, err
	}
	var out nutrition.Food
	err = f.uow.Do(ctx, func(ctx context.Context, s Store) error {
		cur, err := s.Foods().GetOwn(ctx, v.UserID, id)
		if err != nil {
			return err
		}
		food.ID, food.ArchivedAt = cur.ID, cur.ArchivedAt
		if err := s.Foods().Update(ctx, food); err != nil {
			return err
		}
		out, err = s.Foods().GetOwn(ctx, v.UserID, id)
		return err
	})
	return out, err
}

// ArchiveFood hides an own food from search and logging (archived = true) or
// brings it back; restoring counts against the plan's limit again.
func (f *Foods) ArchiveFood(ctx context.Context, id ID, archived bool) (nutrition.Food, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nutrition.Food{}, err
	}
	var out nutrition.Food
	err = f.uow.Do(ctx, func(ctx context.Context, s Store) error {
		if err := s.Meals().LockUser(ctx, v.UserID); err != nil {
			return err
		}
		cur, err := s.Foods().GetOwn(ctx, v.UserID, id)
		if err != nil {
			return err
		}
		if archived == (cur.ArchivedAt != nil) {
			out = cur
			return nil
		}
		var at = f.now().UTC()
		atp := &at
		if !archived {
			atp = nil
			if err := allowOneMore(ctx, s, v.UserID, f.now(), nutrition.LimitOwnFoods, s.Foods().CountOwn); err != nil {
				return err
			}
		}
		if err := s.Foods().SetArchived(ctx, id, atp); err != nil {
			return err
		}
		out, err = s.Foods().GetOwn(ctx, v.UserID, id)
		return err
	})
	return out, err
}

// DeleteFood deletes an own food; a food that entries reference is archived
// instead, so that what was logged keeps its link. It reports whether the
// food was archived rather than deleted.
func (f *Foods) DeleteFood(ctx context.Context, id ID) (archived bool, err error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return false, err
	}
	err = f.uow.Do(ctx, func(ctx context.Context, s Store) error {
		cur, err := s.Foods().GetOwn(ctx, v.UserID, id)
		if err != nil {
			return err
		}
		ref, err := s.Foods().Referenced(ctx, cur.ID)
		if err != nil {
			return err
		}
		archived = ref
		if ref {
			if cur.ArchivedAt != nil {
				return nil
			}
			at := f.now().UTC()
			return s.Foods().SetArchived(ctx, cur.ID, &at)
		}
		return s.Foods().Delete(ctx, cur.ID)
	})
	return archived, err
}
