package memstore

import (
	"context"
	"sort"
	"time"

	"nutrigraph/internal/app"
	"nutrigraph/internal/nutrition"
)

// nutritionState is the part of the state for foods, meals and targets.
type nutritionState struct {
	foods     map[app.ID]nutrition.Food
	meals     map[app.ID]nutrition.Meal // entries inside
	mealTot   map[app.ID]nutrition.Totals
	days      map[dayKey]dayRow
	targets   map[app.ID]nutrition.Target
	snapshots map[app.ID][]nutrition.Snapshot // by user
}

type dayKey struct {
	user app.ID
	day  nutrition.Date
}

type dayRow struct {
	t     nutrition.Totals
	meals int
}

func newNutritionState() nutritionState {
	return nutritionState{
		foods: map[app.ID]nutrition.Food{}, meals: map[app.ID]nutrition.Meal{}, mealTot: map[app.ID]nutrition.Totals{},
		days: map[dayKey]dayRow{}, targets: map[app.ID]nutrition.Target{}, snapshots: map[app.ID][]nutrition.Snapshot{},
	}
}

func (n nutritionState) clone() nutritionState {
	c := newNutritionState()
	for k, v := range n.foods {
		c.foods[k] = v
	}
	for k, v := range n.meals {
		v.Entries = append([]nutrition.Entry(nil), v.Entries...)
		c.meals[k] = v
	}
	for k, v := range n.mealTot {
		c.mealTot[k] = v
	}
	for k, v := range n.days {
		c.days[k] = v
	}
	for k, v := range n.targets {
		v.Goals = append([]nutrition.Goal(nil), v.Goals...)
		c.targets[k] = v
	}
	for k, v := range n.snapshots {
		c.snapshots[k] = append([]nutrition.Snapshot(nil), v...)
	}
	return c
}

// AddFood adds a catalogue food (its ID and portion IDs are made here) and
// returns it; owner nil makes it a shared food.
func (s *Store) AddFood(f nutrition.Food) nutrition.Food {
	s.mu.Lock()
	defer s.mu.Unlock()
	f.ID = newID()
	for i := range f.Portions {
		f.Portions[i].ID = newID()
	}
	s.state.foods[f.ID] = f
	return f
}

// Day returns the stored totals of a user's day (for tests).
func (s *Store) Day(user app.ID, day nutrition.Date) (nutrition.Totals, int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.state.days[dayKey{user, day}]
	return r.t, r.meals, ok
}

// Snapshots returns the snapshots of user (for tests).
func (s *Store) Snapshots(user app.ID) []nutrition.Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]nutrition.Snapshot(nil), s.state.snapshots[user]...)
}

func (t *tx) Foods() app.FoodRepository     { return foods{t.st} }
func (t *tx) Meals() app.MealRepository     { return meals{t.st} }
func (t *tx) Targets() app.TargetRepository { return targets{t.st} }

type foods struct{ st *state }

func (r foods) Get(ctx context.Context, id app.ID) (nutrition.Food, error) {
	f, ok := r.st.foods[id]
	if !ok || f.ArchivedAt != nil {
		return nutrition.Food{}, nutrition.NotFound("food")
	}
	if f.UserID != nil {
		v, ok := app.ViewerFrom(ctx)
		if !ok || v.UserID != *f.UserID {
			return nutrition.Food{}, nutrition.NotFound("food")
		}
	}
	return f, nil
}

func (r foods) GetMany(ctx context.Context, ids []app.ID) (map[app.ID]nutrition.Food, error) {
	out := make(map[app.ID]nutrition.Food, len(ids))
	for _, id := range ids {
		if f, err := r.Get(ctx, id); err == nil {
			out[id] = f
		}
	}
	return out, nil
}

type meals struct{ st *state }

func (r meals) LockUser(context.Context, app.ID) error { return nil } // units of work are serialized

func (r meals) Create(_ context.Context, m nutrition.Meal) (nutrition.Meal, error) {
	m.ID = newID()
	for i := range m.Entries {
		m.Entries[i].ID, m.Entries[i].MealID = newID(), m.ID
	}
	r.st.meals[m.ID] = m
	return m, nil
}

func (r meals) Get(_ context.Context, user, id app.ID) (nutrition.Meal, error) {
	m, ok := r.st.meals[id]
	if !ok || m.UserID != user {
		return nutrition.Meal{}, nutrition.NotFound("meal")
	}
	m.Entries = append([]nutrition.Entry(nil), m.Entries...)
	sort.SliceStable(m.Entries, func(i, j int) bool { return m.Entries[i].Position < m.Entries[j].Position })
	return m, nil
}

func (r meals) MealOfEntry(_ context.Context, user, entry app.ID) (app.ID, error) {
	for _, m := range r.st.meals {
		for _, e := range m.Entries {
			if e.ID == entry && m.UserID == user {
				return m.ID, nil
			}
		}
	}
	return app.ID{}, nutrition.NotFound("entry")
}

func (r meals) Update(_ context.Context, m nutrition.Meal) error {
	cur, ok := r.st.meals[m.ID]
	if !ok {
		return nutrition.NotFound("meal")
	}
	cur.EatenAt, cur.LocalDate, cur.Type, cur.Note = m.EatenAt, m.LocalDate, m.Type, m.Note
	r.st.meals[m.ID] = cur
	return nil
}

func (r meals) Delete(_ context.Context, id app.ID) error {
	if _, ok := r.st.meals[id]; !ok {
		return nutrition.NotFound("meal")
	}
	delete(r.st.meals, id)
	delete(r.st.mealTot, id)
	return nil
}

func (r meals) AddEntry(_ context.Context, user app.ID, e nutrition.Entry) (nutrition.Entry, error) {
	m, ok := r.st.meals[e.MealID]
	if !ok || m.UserID != user {
		return nutrition.Entry{}, nutrition.NotFound("meal")
	}
	e.ID = newID()
	m.Entries = append(m.Entries, e)
	r.st.meals[m.ID] = m
	return e, nil
}

func (r meals) UpdateEntry(_ context.Context, e nutrition.Entry) error {
	for id, m := range r.st.meals {
		for i, x := range m.Entries {
			if x.ID == e.ID {
				e.MealID, e.FoodID, e.Position = x.MealID, x.FoodID, x.Position
				m.Entries[i] = e
				r.st.meals[id] = m
				return nil
			}
		}
	}
	return nutrition.NotFound("entry")
}

func (r meals) DeleteEntry(_ context.Context, id app.ID) error {
	for mid, m := range r.st.meals {
		for i, x := range m.Entries {
			if x.ID == id {
				m.Entries = append(m.Entries[:i:i], m.Entries[i+1:]...)
				r.st.meals[mid] = m
				return nil
			}
		}
	}
	return nutrition.NotFound("entry")
}

func (r meals) SetMealTotals(_ context.Context, _, id app.ID, t nutrition.Totals) error {
	r.st.mealTot[id] = t
	return nil
}

func (r meals) DayTotals(_ context.Context, user app.ID, day nutrition.Date) (nutrition.Totals, int, error) {
	var t nutrition.Totals
	n := 0
	for id, m := range r.st.meals {
		if m.UserID == user && m.LocalDate == day {
			t.Merge(r.st.mealTot[id])
			n++
		}
	}
	return t, n, nil
}

func (r meals) SetDayTotals(_ context.Context, user app.ID, day nutrition.Date, t nutrition.Totals, n int) error {
	r.st.days[dayKey{user, day}] = dayRow{t, n}
	return nil
}

type targets struct{ st *state }

func (r targets) Count(_ context.Context, user app.ID) (int, error) {
	n := 0
	for _, t := range r.st.targets {
		if t.UserID == user {
			n++
		}
	}
	return n, nil
}

func (r targets) Create(_ context.Context, t nutrition.Target) (nutrition.Target, error) {
	if t.Active {
		if _, ok, _ := r.Active(context.Background(), t.UserID); ok {
			return nutrition.Target{}, nutrition.Conflict("active", "the user has an active target")
		}
	}
	t.ID = newID()
	t.Goals = append([]nutrition.Goal(nil), t.Goals...)
	r.st.targets[t.ID] = t
	return t, nil
}

func (r targets) Get(_ context.Context, user, id app.ID) (nutrition.Target, error) {
	t, ok := r.st.targets[id]
	if !ok || t.UserID != user {
		return nutrition.Target{}, nutrition.NotFound("target")
	}
	return t, nil
}

func (r targets) Active(_ context.Context, user app.ID) (nutrition.Target, bool, error) {
	for _, t := range r.st.targets {
		if t.UserID == user && t.Active {
			return t, true, nil
		}
	}
	return nutrition.Target{}, false, nil
}

func (r targets) SetActive(_ context.Context, id app.ID, active bool) error {
	t, ok := r.st.targets[id]
	if !ok {
		return nutrition.NotFound("target")
	}
	if active && !t.Active {
		if _, ok, _ := r.Active(context.Background(), t.UserID); ok {
			return nutrition.Conflict("active", "the user has an active target")
		}
	}
	t.Active = active
	r.st.targets[id] = t
	return nil
}

func (r targets) Update(_ context.Context, t nutrition.Target) error {
	cur, ok := r.st.targets[t.ID]
	if !ok {
		return nutrition.NotFound("target")
	}
	cur.Name, cur.Source, cur.Goals = t.Name, t.Source, append([]nutrition.Goal(nil), t.Goals...)
	r.st.targets[t.ID] = cur
	return nil
}

func (r targets) Delete(_ context.Context, id app.ID) error {
	if _, ok := r.st.targets[id]; !ok {
		return nutrition.NotFound("target")
	}
	delete(r.st.targets, id)
	return nil
}

func (r targets) AddSnapshot(_ context.Context, user, target app.ID, day nutrition.Date, goals []nutrition.Goal) error {
	r.st.snapshots[user] = append(r.st.snapshots[user], nutrition.Snapshot{
		TargetID: target, EffectiveFrom: day, CreatedAt: time.Now(), Goals: append([]nutrition.Goal(nil), goals...)})
	return nil
}

func (r foods) CountOwn(_ context.Context, user app.ID) (int, error) {
	n := 0
	for _, f := range r.st.foods {
		if f.UserID != nil && *f.UserID == user && f.ArchivedAt == nil {
			n++
		}
	}
	return n, nil
}

func (r foods) GetOwn(_ context.Context, user, id app.ID) (nutrition.Food, error) {
	f, ok := r.st.foods[id]
	if !ok || f.UserID == nil || *f.UserID != user {
		return nutrition.Food{}, nutrition.NotFound("food")
	}
	f.Portions = append([]nutrition.Portion(nil), f.Portions...)
	return f, nil
}

func (r foods) Create(_ context.Context, f nutrition.Food) (nutrition.Food, error) {
	f.ID = newID()
	f.Portions = append([]nutrition.Portion(nil), f.Portions...)
	for i := range f.Portions {
		f.Portions[i].ID = newID()
	}
	r.st.foods[f.ID] = f
	return f, nil
}

func (r foods) Update(_ context.Context, f nutrition.Food) error {
	cur, ok := r.st.foods[f.ID]
	if !ok {
		return nutrition.NotFound("food")
	}
	cur.Name, cur.Group, cur.Per100g = f.Name, f.Group, f.Per100g
	cur.Portions = append([]nutrition.Portion(nil), f.Portions...)
	for i := range cur.Portions {
		cur.Portions[i].ID = newID()
	}
	r.st.foods[f.ID] = cur
	return nil
}

func (r foods) SetArchived(_ context.Context, id app.ID, at *time.Time) error {
	f, ok := r.st.foods[id]
	if !ok {
		return nutrition.NotFound("food")
	}
	f.ArchivedAt = at
	r.st.foods[id] = f
	return nil
}

func (r foods) Referenced(_ context.Context, id app.ID) (bool, error) {
	for _, m := range r.st.meals {
		for _, e := range m.Entries {
			if e.FoodID != nil && *e.FoodID == id {
				return true, nil
			}
		}
	}
	return false, nil
}

func (r foods) Delete(_ context.Context, id app.ID) error {
	if _, ok := r.st.foods[id]; !ok {
		return nutrition.NotFound("food")
	}
	delete(r.st.foods, id)
	return nil
}
