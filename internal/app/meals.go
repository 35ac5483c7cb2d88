package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"nutrigraph/internal/nutrition"
)

// Meals holds the meal-logging use cases. Every change of an entry updates
// its meal's totals and its day's totals in the same unit of work; a change
// that moves a meal to another day updates both days.
type Meals struct {
	uow UnitOfWork
	now Clock
}

// NewMeals returns the meal use cases.
func NewMeals(uow UnitOfWork, now Clock) (*Meals, error) {
	if uow == nil || now == nil {
		return nil, errors.New("app: NewMeals needs every dependency")
	}
	return &Meals{uow: uow, now: now}, nil
}

// EntryInput describes one entry. Either FoodID with a weight — Grams, or
// Quantity of the food's PortionID — whose nutrients are computed from the
// food and copied; or a free-form Name with Amounts (and optional Grams).
type EntryInput struct {
	FoodID    *ID
	PortionID *ID
	Quantity  *float64
	Grams     *float64
	Name      *string
	Amounts   *nutrition.Amounts
}

// LogMealInput is the input of LogMeal.
type LogMealInput struct {
	EatenAt time.Time
	Type    nutrition.MealType
	Note    string
	Entries []EntryInput
}

// LogMeal logs a meal of 1–50 entries.
func (m *Meals) LogMeal(ctx context.Context, in LogMealInput) (nutrition.Meal, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nutrition.Meal{}, err
	}
	now := m.now()
	if err := validateMealFields(in.EatenAt, in.Type, in.Note, now); err != nil {
		return nutrition.Meal{}, err
	}
	if len(in.Entries) == 0 || len(in.Entries) > nutrition.MaxEntriesPerMeal {
		return nutrition.Meal{}, nutrition.Invalid("entries", "a meal has 1 to %d entries", nutrition.MaxEntriesPerMeal)
	}
	var out nutrition.Meal
	err = m.uow.Do(ctx, func(ctx context.Context, s Store) error {
		if err := s.Meals().LockUser(ctx, v.UserID); err != nil {
			return err
		}
		_, _, loc, err := viewerToday(ctx, s, v.UserID, now)
		if err != nil {
			return err
		}
		meal := nutrition.Meal{UserID: v.UserID, EatenAt: in.EatenAt.UTC(), LocalDate: nutrition.LocalDate(in.EatenAt, loc), Type: in.Type, Note: in.Note}
		foods, err := foodsOf(ctx, s, in.Entries)
		if err != nil {
			return err
		}
		for i, ei := range in.Entries {
			e, err := resolveEntry(fmt.Sprintf("entries.%d", i), ei, foods)
			if err != nil {
				return err
			}
			e.Position = i
			meal.Entries = append(meal.Entries, e)
		}
		if out, err = s.Meals().Create(ctx, meal); err != nil {
			return err
		}
		return refresh(ctx, s, v.UserID, out.ID, out.LocalDate)
	})
	return out, err
}

func validateMealFields(at time.Time, t nutrition.MealType, note string, now time.Time) error {
	if at.IsZero() {
		return nutrition.Invalid("eatenAt", "eatenAt is required")
	}
	if err := nutrition.ValidateEatenAt("eatenAt", at, now); err != nil {
		return err
	}
	if err := nutrition.ValidateMealType("type", t); err != nil {
		return err
	}
	return nutrition.ValidateNote("note", note)
}

// foodsOf loads, in one go, the catalogue foods the entries name.
func foodsOf(ctx context.Context, s Store, entries []EntryInput) (map[ID]nutrition.Food, error) {
	var ids []ID
	for _, e := range entries {
		if e.FoodID != nil {
			ids = append(ids, *e.FoodID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return s.Foods().GetMany(ctx, ids)
}

// resolveEntry turns an entry input into an entry with copied amounts;
// foods holds the catalogue foods the viewer may log, by id.
func resolveEntry(path string, in EntryInput, foods map[ID]nutrition.Food) (nutrition.Entry, error) {
	if in.FoodID == nil {
		if in.PortionID != nil || in.Quantity != nil {
			return nutrition.Entry{}, nutrition.Invalid(path+".foodId", "a portion needs a food")
		}
		if in.Name == nil || in.Amounts == nil {
			return nutrition.Entry{}, nutrition.Invalid(path, "an entry is a food with grams or a portion, or a name with nutrient amounts")
		}
		name, err := nutrition.ValidateEntryName(path+".name", *in.Name)
		if err != nil {
			return nutrition.Entry{}, err
		}
		if err := in.Amounts.Validate(path + ".nutrients"); err != nil {
			return nutrition.Entry{}, err
		}
		if in.Grams != nil {
			if err := nutrition.ValidateGrams(path+".grams", *in.Grams); err != nil {
				return nutrition.Entry{}, err
			}
		}
		return nutrition.Entry{Name: name, Grams: in.Grams, Amounts: *in.Amounts}, nil
	}
	if in.Amounts != nil {
		return nutrition.Entry{}, nutrition.Invalid(path+".nutrients", "the nutrients of a catalogue food come from the food")
	}
	food, ok := foods[*in.FoodID]
	if !ok {
		return nutrition.Entry{}, nutrition.Invalid(path+".foodId", "no such food")
	}
	grams, err := entryGrams(path, food, in)
	if err != nil {
		return nutrition.Entry{}, err
	}
	name := food.Name
	if in.Name != nil {
		if name, err = nutrition.ValidateEntryName(path+".name", *in.Name); err != nil {
			return nutrition.Entry{}, err
		}
	}
	id := food.ID
	return nutrition.Entry{FoodID: &id, Name: name, Grams: &grams, Amounts: food.Per100g.Scale(grams)}, nil
}

// entryGrams is the weight of a catalogue entry: grams, or quantity × the
// portion's weight per unit. path is the input path of the entry; "" for
// the top-level input of UpdateEntry.
func entryGrams(path string, food nutrition.Food, in EntryInput) (float64, error) {
	switch {
	case in.PortionID != nil:
		if in.Grams != nil {
			return 0, nutrition.Invalid(inputPath(path, "grams"), "give grams or a portion, not both")
		}
		q := 1.0
		if in.Quantity != nil {
			q = *in.Quantity
		}
		for _, p := range food.Portions {
			if p.ID == *in.PortionID {
				g := q * p.Grams / p.Amount
				if q <= 0 || nutrition.ValidateGrams("", g) != nil {
					return 0, nutrition.Invalid(inputPath(path, "quantity"), "the quantity must be more than 0 and weigh at most %g g", nutrition.MaxEntryGrams)
				}
				return g, nil
			}
		}
		return 0, nutrition.Invalid(inputPath(path, "portionId"), "the food has no such portion")
	case in.Grams != nil:
		if in.Quantity != nil {
			return 0, nutrition.Invalid(inputPath(path, "quantity"), "a quantity needs a portion")
		}
		return *in.Grams, nutrition.ValidateGrams(inputPath(path, "grams"), *in.Grams)
	default:
		return 0, nutrition.Invalid(inputPath(path, "grams"), "a catalogue food needs grams or a portion")
	}
}

// inputPath is the input path of name within path ("" for the top level).
func inputPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// refresh recomputes the totals of meal id (if not zero) and of day.
func refresh(ctx context.Context, s Store, user, meal ID, days ...nutrition.Date) error {
	if !meal.IsZero() {
		m, err := s.Meals().Get(ctx, user, meal)
		if err != nil {
			return err
		}
		if err := s.Meals().SetMealTotals(ctx, user, meal, m.Totals()); err != nil {
			return err
		}
	}
	seen := map[nutrition.Date]bool{}
	for _, d := range days {
		if seen[d] {
			continue
		}
		seen[d] = true
		t, n, err := s.Meals().DayTotals(ctx, user, d)
		if err != nil {
			return err
		}
		if err := s.Meals().SetDayTotals(ctx, user, d, t, n); err != nil {
			return err
		}
	}
	return nil
}

// UpdateMealInput changes the fields that are not nil.
type UpdateMealInput struct {
	EatenAt *time.Time
	Type    *nutrition.MealType
	Note    *string
}

// UpdateMeal changes a meal's time, type or note. A new eaten-at may move
// the meal to another local day: both days' totals change.
func (m *Meals) UpdateMeal(ctx context.Context, id ID, in UpdateMealInput) (nutrition.Meal, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nutrition.Meal{}, err
	}
	now := m.now()
	var out nutrition.Meal
	err = m.uow.Do(ctx, func(ctx context.Context, s Store) error {
		meal, err := lockedMeal(ctx, s, v.UserID, id)
		if err != nil {
			return err
		}
		oldDay := meal.LocalDate
		if in.EatenAt != nil {
			_, _, loc, err := viewerToday(ctx, s, v.UserID, now)
			if err != nil {
				return err
			}
			meal.EatenAt, meal.LocalDate = in.EatenAt.UTC(), nutrition.LocalDate(*in.EatenAt, loc)
		}
		if in.Type != nil {
			meal.Type = *in.Type
		}
		if in.Note != nil {
			meal.Note = *in.Note
		}
		if err := validateMealFields(meal.EatenAt, meal.Type, meal.Note, now); err != nil && (in.EatenAt != nil || nutrition.FieldOf(err) != "eatenAt") {
			return err
		}
		if err := s.Meals().Update(ctx, meal); err != nil {
			return err
		}
		out = meal
		return refresh(ctx, s, v.UserID, ID{}, oldDay, meal.LocalDate)
	})
	return out, err
}

// AddEntry adds an entry to meal id.
func (m *Meals) AddEntry(ctx context.Context, mealID ID, in EntryInput) (nutrition.Meal, error) {
	return m.changeMeal(ctx, func(ctx context.Context, s Store, user ID) (ID, error) {
		meal, err := s.Meals().Get(ctx, user, mealID)
		if err != nil {
			return ID{}, err
		}
		if len(meal.Entries) >= nutrition.MaxEntriesPerMeal {
			return ID{}, nutrition.Invalid("entry", "a meal has at most %d entries", nutrition.MaxEntriesPerMeal)
		}
		foods, err := foodsOf(ctx, s, []EntryInput{in})
		if err != nil {
			return ID{}, err
		}
		e, err := resolveEntry("entry", in, foods)
		if err != nil {
			return ID{}, err
		}
		e.MealID = meal.ID
		e.Position = len(meal.Entries)
		if n := len(meal.Entries); n > 0 {
			e.Position = meal.Entries[n-1].Position + 1
		}
		_, err = s.Meals().AddEntry(ctx, user, e)
		return meal.ID, err
	})
}

// UpdateEntryInput changes an entry: a new weight (grams, or quantity of a
// portion of its food) rescales its copied amounts; a free-form entry may
// get a new name and amounts.
type UpdateEntryInput struct {
	Grams     *float64
	Quantity  *float64
	PortionID *ID
	Name      *string
	Amounts   *nutrition.Amounts
}

// UpdateEntry changes entry id.
func (m *Meals) UpdateEntry(ctx context.Context, entryID ID, in UpdateEntryInput) (nutrition.Meal, error) {
	return m.changeMeal(ctx, func(ctx context.Context, s Store, user ID) (ID, error) {
		mealID, err := s.Meals().MealOfEntry(ctx, user, entryID)
		if err != nil {
			return ID{}, err
		}
		meal, err := s.Meals().Get(ctx, user, mealID)
		if err != nil {
			return ID{}, err
		}
		var e nutrition.Entry
		for _, x := range meal.Entries {
			if x.ID == entryID {
				e = x
			}
		}
		if in.Name != nil {
			if e.Name, err = nutrition.ValidateEntryName("name", *in.Name); err != nil {
				return ID{}, err
			}
		}
		if in.Amounts != nil {
			if e.FoodID != nil {
				return ID{}, nutrition.Invalid("nutrients", "the nutrients of a catalogue food come from the food; change the weight")
			}
			if err := in.Amounts.Validate("nutrients"); err != nil {
				return ID{}, err
			}
			e.Amounts = *in.Amounts
		}
		if in.Grams != nil || in.Quantity != nil || in.PortionID != nil {
			grams, err := m.newWeight(ctx, s, e, in)
			if err != nil {
				return ID{}, err
			}
			if e.FoodID != nil || in.Amounts == nil {
				e.Amounts = rescale(e, grams)
			}
			e.Grams = &grams
		}
		return meal.ID, s.Meals().UpdateEntry(ctx, e)
	})
}

// newWeight is the weight an entry update asks for.
func (m *Meals) newWeight(ctx context.Context, s Store, e nutrition.Entry, in UpdateEntryInput) (float64, error) {
	if in.PortionID == nil {
		if in.Quantity != nil {
			return 0, nutrition.Invalid("quantity", "a quantity needs a portion")
		}
		return *in.Grams, nutrition.ValidateGrams("grams", *in.Grams)
	}
	if e.FoodID == nil {
		return 0, nutrition.Invalid("portionId", "a free-form entry has no portions")
	}
	food, err := s.Foods().Get(ctx, *e.FoodID)
	if err != nil {
		return 0, nutrition.Invalid("portionId", "the entry's food is no longer available; give grams")
	}
	return entryGrams("", food, EntryInput{PortionID: in.PortionID, Quantity: in.Quantity, Grams: in.Grams})
}

// rescale returns e's amounts for a new weight: the copied amounts scale
// with the weight, so later edits of the food never leak into the entry.
func rescale(e nutrition.Entry, grams float64) nutrition.Amounts {
	if e.Grams == nil || *e.Grams == 0 {
		return e.Amounts
	}
	var out nutrition.Amounts
	for i, v := range e.Amounts {
		if v != nil {
			x := *v * grams / *e.Grams
			out[i] = &x
		}
	}
	return out
}

// DeleteEntry deletes entry id; its meal and day totals follow. The last
// entry of a meal is not deleted (BAD_USER_INPUT): delete the meal.
func (m *Meals) DeleteEntry(ctx context.Context, entryID ID) (nutrition.Meal, error) {
	return m.changeMeal(ctx, func(ctx context.Context, s Store, user ID) (ID, error) {
		mealID, err := s.Meals().MealOfEntry(ctx, user, entryID)
		if err != nil {
			return ID{}, err
		}
		meal, err := s.Meals().Get(ctx, user, mealID)
		if err != nil {
			return ID{}, err
		}
		if len(meal.Entries) == 1 {
			// A meal has 1 to 50 entries, like LogMeal asks: an empty meal
			// would still count in its day's meal count.
			return ID{}, nutrition.Invalid("id", "this is the meal's last entry: delete the meal instead")
		}
		return mealID, s.Meals().DeleteEntry(ctx, entryID)
	})
}

// changeMeal runs change (which returns the meal it touched) in a unit of
// work with the user's lock, then refreshes the meal's and its day's totals.
func (m *Meals) changeMeal(ctx context.Context, change func(ctx context.Context, s Store, user ID) (ID, error)) (nutrition.Meal, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nutrition.Meal{}, err
	}
	var out nutrition.Meal
	err = m.uow.Do(ctx, func(ctx context.Context, s Store) error {
		if err := s.Meals().LockUser(ctx, v.UserID); err != nil {
			return err
		}
		mealID, err := change(ctx, s, v.UserID)
		if err != nil {
			return err
		}
		if out, err = s.Meals().Get(ctx, v.UserID, mealID); err != nil {
			return err
		}
		return refresh(ctx, s, v.UserID, mealID, out.LocalDate)
	})
	return out, err
}

// DeleteMeal deletes meal id with its entries; its day's totals follow.
func (m *Meals) DeleteMeal(ctx context.Context, id ID) error {
	v, err := requireViewer(ctx)
	if err != nil {
		return err
	}
	return m.uow.Do(ctx, func(ctx context.Context, s Store) error {
		meal, err := lockedMeal(ctx, s, v.UserID, id)
		if err != nil {
			return err
		}
		if err := s.Meals().Delete(ctx, meal.ID); err != nil {
			return err
		}
		return refresh(ctx, s, v.UserID, ID{}, meal.LocalDate)
	})
}

// CopyMeal copies meal id, with its entries' copied amounts, to a new
// eaten-at instant (type and note kept unless given).
func (m *Meals) CopyMeal(ctx context.Context, id ID, eatenAt time.Time, typ *nutrition.MealType) (nutrition.Meal, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nutrition.Meal{}, err
	}
	now := m.now()
	var out nutrition.Meal
	err = m.uow.Do(ctx, func(ctx context.Context, s Store) error {
		src, err := lockedMeal(ctx, s, v.UserID, id)
		if err != nil {
			return err
		}
		t := src.Type
		if typ != nil {
			t = *typ
		}
		if err := validateMealFields(eatenAt, t, src.Note, now); err != nil {
			return err
		}
		_, _, loc, err := viewerToday(ctx, s, v.UserID, now)
		if err != nil {
			return err
		}
		cp := nutrition.Meal{UserID: v.UserID, EatenAt: eatenAt.UTC(), LocalDate: nutrition.LocalDate(eatenAt, loc), Type: t, Note: src.Note}
		for _, e := range src.Entries {
			e.ID, e.MealID = ID{}, ID{}
			cp.Entries = append(cp.Entries, e)
		}
		if out, err = s.Meals().Create(ctx, cp); err != nil {
			return err
		}
		return refresh(ctx, s, v.UserID, out.ID, out.LocalDate)
	})
	return out, err
}

// lockedMeal takes the user's write lock and loads meal id.
func lockedMeal(ctx context.Context, s Store, user, id ID) (nutrition.Meal, error) {
	if err := s.Meals().LockUser(ctx, user); err != nil {
		return nutrition.Meal{}, err
	}
	return s.Meals().Get(ctx, user, id)
}
