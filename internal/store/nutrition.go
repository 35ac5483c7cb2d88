package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	gen "nutrigraph/ent"
	"nutrigraph/ent/dailynutrition"
	"nutrigraph/ent/food"
	"nutrigraph/ent/foodentry"
	"nutrigraph/ent/foodportion"
	"nutrigraph/ent/meal"
	"nutrigraph/ent/mealnutrition"
	"nutrigraph/ent/predicate"
	"nutrigraph/ent/target"
	"nutrigraph/ent/targetnutrient"
	"nutrigraph/ent/user"
	"nutrigraph/internal/app"
	"nutrigraph/internal/nutrition"
)

func (r *repos) Foods() app.FoodRepository     { return foods{r} }
func (r *repos) Meals() app.MealRepository     { return meals{r} }
func (r *repos) Targets() app.TargetRepository { return targets{r} }

type foods struct{ *repos }

// loggable is the predicate of the foods the viewer in ctx may log: shared
// foods and their own, not archived.
func loggable(ctx context.Context) predicate.Food {
	visible := food.UserIDIsNil()
	if v, ok := app.ViewerFrom(ctx); ok {
		visible = food.Or(food.UserIDIsNil(), food.UserID(id(v.UserID)))
	}
	return food.And(visible, food.ArchivedAtIsNil())
}

func (r foods) Get(ctx context.Context, i app.ID) (nutrition.Food, error) {
	row, err := r.tx.Food.Query().Where(food.ID(id(i)), loggable(ctx)).WithPortions(withPortions).Only(ctx)
	if err != nil {
		return nutrition.Food{}, Translate(err)
	}
	return toFood(row), nil
}

func (r foods) GetMany(ctx context.Context, ids []app.ID) (map[app.ID]nutrition.Food, error) {
	uids := make([]uuid.UUID, len(ids))
	for i, x := range ids {
		uids[i] = id(x)
	}
	rows, err := r.tx.Food.Query().Where(food.IDIn(uids...), loggable(ctx)).WithPortions(withPortions).All(ctx)
	if err != nil {
		return nil, Translate(err)
	}
	out := make(map[app.ID]nutrition.Food, len(rows))
	for _, row := range rows {
		out[did(row.ID)] = toFood(row)
	}
	return out, nil
}

func toFood(row *gen.Food) nutrition.Food {
	f := nutrition.Food{ID: did(row.ID), Name: row.Name, Group: deref(row.FoodGroup), Per100g: foodAmounts(row), ArchivedAt: utcPtr(row.ArchivedAt)}
	if row.UserID != nil {
		u := did(*row.UserID)
		f.UserID = &u
	}
	for _, p := range row.Edges.Portions {
		f.Portions = append(f.Portions, nutrition.Portion{ID: did(p.ID), Amount: p.Amount, Unit: p.Unit, Grams: p.Grams})
	}
	return f
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func withPortions(q *gen.FoodPortionQuery) { q.Order(foodportion.BySeq()) }

func (r foods) CountOwn(ctx context.Context, u app.ID) (int, error) {
	n, err := r.tx.Food.Query().Where(food.UserID(id(u)), food.ArchivedAtIsNil()).Count(ctx)
	return n, Translate(err)
}

func (r foods) GetOwn(ctx context.Context, u, i app.ID) (nutrition.Food, error) {
	row, err := r.tx.Food.Query().Where(food.ID(id(i)), food.UserID(id(u))).WithPortions(withPortions).Only(ctx)
	if err != nil {
		return nutrition.Food{}, Translate(err)
	}
	return toFood(row), nil
}

// savePortions stores the portions of food f in order.
func (r foods) savePortions(ctx context.Context, f app.ID, portions []nutrition.Portion) error {
	if len(portions) == 0 {
		return nil
	}
	// Portions have no owner column: the privacy rules let only the system
	// write them. The use case has checked that the viewer owns the food.
	ctx = app.AsSystem(ctx)
	builders := make([]*gen.FoodPortionCreate, len(portions))
	for i, p := range portions {
		builders[i] = r.tx.FoodPortion.Create().SetFoodID(id(f)).SetSeq(i).SetAmount(p.Amount).SetUnit(p.Unit).SetGrams(p.Grams)
	}
	return Translate(r.tx.FoodPortion.CreateBulk(builders...).Exec(ctx))
}

func (r foods) Create(ctx context.Context, f nutrition.Food) (nutrition.Food, error) {
	c := r.tx.Food.Create().SetName(f.Name)
	if f.UserID != nil {
		c.SetUserID(id(*f.UserID))
	}
	if f.Group != "" {
		c.SetFoodGroup(f.Group)
	}
	if err := setAmounts(c.Mutation(), f.Per100g); err != nil {
		return nutrition.Food{}, err
	}
	row, err := c.Save(ctx)
	if err != nil {
		return nutrition.Food{}, Translate(err)
	}
	if err := r.savePortions(ctx, did(row.ID), f.Portions); err != nil {
		return nutrition.Food{}, err
	}
	return r.GetOwn(ctx, *f.UserID, did(row.ID))
}

func (r foods) Update(ctx context.Context, f nutrition.Food) error {
	upd := r.tx.Food.UpdateOneID(id(f.ID)).SetName(f.Name)
	if f.Group != "" {
		upd.SetFoodGroup(f.Group)
	} else {
		upd.ClearFoodGroup()
	}
	if err := setAmounts(upd.Mutation(), f.Per100g); err != nil {
		return err
	}
	if err := upd.Exec(ctx); err != nil {
		return Translate(err)
	}
	if _, err := r.tx.FoodPortion.Delete().Where(foodportion.FoodID(id(f.ID))).Exec(app.AsSystem(ctx)); err != nil {
		return Translate(err)
	}
	return r.savePortions(ctx, f.ID, f.Portions)
}

func (r foods) SetArchived(ctx context.Context, i app.ID, at *time.Time) error {
	upd := r.tx.Food.UpdateOneID(id(i))
	if at != nil {
		upd.SetArchivedAt(at.UTC())
	} else {
		upd.ClearArchivedAt()
	}
	return Translate(upd.Exec(ctx))
}

func (r foods) Referenced(ctx context.Context, i app.ID) (bool, error) {
	ok, err := r.tx.FoodEntry.Query().Where(foodentry.FoodID(id(i))).Exist(ctx)
	return ok, Translate(err)
}

func (r foods) Delete(ctx context.Context, i app.ID) error {
	return Translate(r.tx.Food.DeleteOneID(id(i)).Exec(ctx))
}

type meals struct{ *repos }

func (r meals) LockUser(ctx context.Context, u app.ID) error {
	if !r.lock {
		return nil // SQLite: the transaction began IMMEDIATE and holds the write lock
	}
	_, err := r.tx.User.Query().Where(user.ID(id(u))).ForUpdate().Only(ctx)
	return Translate(err)
}

func toEntry(e *gen.FoodEntry) nutrition.Entry {
	out := nutrition.Entry{ID: did(e.ID), MealID: did(e.MealID), Position: e.Position, Name: e.Name, Grams: e.Grams, Amounts: entryAmounts(e)}
	if e.FoodID != nil {
		f := did(*e.FoodID)
		out.FoodID = &f
	}
	return out
}

func toMeal(m *gen.Meal) nutrition.Meal {
	d, _ := nutrition.ParseDate("localDate", m.LocalDate)
	out := nutrition.Meal{ID: did(m.ID), UserID: did(m.UserID), EatenAt: m.EatenAt.UTC(), LocalDate: d, Type: nutrition.MealType(m.MealType), Note: m.Note}
	for _, e := range m.Edges.Entries {
		out.Entries = append(out.Entries, toEntry(e))
	}
	return out
}

// entryCreate builds the creation of entry e of meal mealID.
func (r meals) entryCreate(user, mealID app.ID, e nutrition.Entry) (*gen.FoodEntryCreate, error) {
	c := r.tx.FoodEntry.Create().
		SetUserID(id(user)).
		SetMealID(id(mealID)).
		SetPosition(e.Position).
		SetName(e.Name).
		SetNillableGrams(e.Grams)
	if e.FoodID != nil {
		c.SetFoodID(id(*e.FoodID))
	}
	return c, setAmounts(c.Mutation(), e.Amounts)
}

func (r meals) Create(ctx context.Context, m nutrition.Meal) (nutrition.Meal, error) {
	row, err := r.tx.Meal.Create().
		SetUserID(id(m.UserID)).
		SetEatenAt(m.EatenAt.UTC()).
		SetLocalDate(m.LocalDate.String()).
		SetMealType(meal.MealType(m.Type)).
		SetNote(m.Note).
		Save(ctx)
	if err != nil {
		return nutrition.Meal{}, Translate(err)
	}
	builders := make([]*gen.FoodEntryCreate, len(m.Entries))
	for i, e := range m.Entries {
		if builders[i], err = r.entryCreate(m.UserID, did(row.ID), e); err != nil {
			return nutrition.Meal{}, err
		}
	}
	entries, err := r.tx.FoodEntry.CreateBulk(builders...).Save(ctx)
	if err != nil {
		return nutrition.Meal{}, Translate(err)
	}
	row.Edges.Entries = entries
	return toMeal(row), nil
}

func (r meals) Get(ctx context.Context, u, i app.ID) (nutrition.Meal, error) {
	row, err := r.tx.Meal.Query().
		Where(meal.ID(id(i)), meal.UserID(id(u))).
		WithEntries(func(q *gen.FoodEntryQuery) { q.Order(foodentry.ByPosition(), foodentry.ByID()) }).
		Only(ctx)
	if err != nil {
		return nutrition.Meal{}, Translate(err)
	}
	return toMeal(row), nil
}

func (r meals) MealOfEntry(ctx context.Context, u, entry app.ID) (app.ID, error) {
	row, err := r.tx.FoodEntry.Query().Where(foodentry.ID(id(entry)), foodentry.UserID(id(u))).Only(ctx)
	if err != nil {
		return app.ID{}, Translate(err)
	}
	return did(row.MealID), nil
}

func (r meals) Update(ctx context.Context, m nutrition.Meal) error {
	return Translate(r.tx.Meal.UpdateOneID(id(m.ID)).
		SetEatenAt(m.EatenAt.UTC()).
		SetLocalDate(m.LocalDate.String()).
		SetMealType(meal.MealType(m.Type)).
		SetNote(m.Note).
		Exec(ctx))
}

func (r meals) Delete(ctx context.Context, i app.ID) error {
	return Translate(r.tx.Meal.DeleteOneID(id(i)).Exec(ctx))
}

func (r meals) AddEntry(ctx context.Context, u app.ID, e nutrition.Entry) (nutrition.Entry, error) {
	c, err := r.entryCreate(u, e.MealID, e)
	if err != nil {
		return nutrition.Entry{}, err
	}
	row, err := c.Save(ctx)
	if err != nil {
		return nutrition.Entry{}, Translate(err)
	}
	return toEntry(row), nil
}

func (r meals) UpdateEntry(ctx context.Context, e nutrition.Entry) error {
	upd := r.tx.FoodEntry.UpdateOneID(id(e.ID)).SetName(e.Name)
	if e.Grams != nil {
		upd.SetGrams(*e.Grams)
	} else {
		upd.ClearGrams()
	}
	if err := setAmounts(upd.Mutation(), e.Amounts); err != nil {
		return err
	}
	return Translate(upd.Exec(ctx))
}

func (r meals) DeleteEntry(ctx context.Context, i app.ID) error {
	return Translate(r.tx.FoodEntry.DeleteOneID(id(i)).Exec(ctx))
}

func (r meals) SetMealTotals(ctx context.Context, u, mealID app.ID, t nutrition.Totals) error {
	row, err := r.tx.MealNutrition.Query().Where(mealnutrition.MealID(id(mealID))).Only(ctx)
	switch {
	case gen.IsNotFound(err):
		c := r.tx.MealNutrition.Create().SetUserID(id(u)).SetMealID(id(mealID))
		if err := setTotals(c.Mutation(), t); err != nil {
			return err
		}
		return Translate(c.Exec(ctx))
	case err != nil:
		return Translate(err)
	}
	upd := r.tx.MealNutrition.UpdateOneID(row.ID)
	if err := setTotals(upd.Mutation(), t); err != nil {
		return err
	}
	return Translate(upd.Exec(ctx))
}

func (r meals) DayTotals(ctx context.Context, u app.ID, day nutrition.Date) (nutrition.Totals, int, error) {
	// The soft-delete interceptor does not reach edge predicates: say it.
	rows, err := r.tx.MealNutrition.Query().
		Where(mealnutrition.UserID(id(u)), mealnutrition.HasMealWith(meal.LocalDate(day.String()), meal.DeletedAtIsNil())).
		Order(mealnutrition.ByMealID()).
		All(ctx)
	if err != nil {
		return nutrition.Totals{}, 0, Translate(err)
	}
	var t nutrition.Totals
	for _, m := range rows {
		t.Merge(MealTotals(m))
	}
	return t, len(rows), nil
}

func (r meals) SetDayTotals(ctx context.Context, u app.ID, day nutrition.Date, t nutrition.Totals, n int) error {
	row, err := r.tx.DailyNutrition.Query().Where(dailynutrition.UserID(id(u)), dailynutrition.LocalDate(day.String())).Only(ctx)
	switch {
	case gen.IsNotFound(err):
		c := r.tx.DailyNutrition.Create().SetUserID(id(u)).SetLocalDate(day.String()).SetMealCount(n)
		if err := setTotals(c.Mutation(), t); err != nil {
			return err
		}
		return Translate(c.Exec(ctx))
	case err != nil:
		return Translate(err)
	}
	upd := r.tx.DailyNutrition.UpdateOneID(row.ID).SetMealCount(n)
	if err := setTotals(upd.Mutation(), t); err != nil {
		return err
	}
	return Translate(upd.Exec(ctx))
}

type targets struct{ *repos }

func toTarget(t *gen.Target) nutrition.Target {
	out := nutrition.Target{ID: did(t.ID), UserID: did(t.UserID), Name: t.Name, Source: nutrition.TargetSource(t.Source), Active: t.Active}
	for _, g := range t.Edges.Nutrients {
		out.Goals = append(out.Goals, nutrition.Goal{Nutrient: NutrientOf(g.Nutrient), Amount: g.Amount, Direction: nutrition.Direction(g.Direction)})
	}
	return out
}

// NutrientOf converts a nutrient enum value to the domain nutrient.
func NutrientOf(n targetnutrient.Nutrient) nutrition.Nutrient {
	if d, ok := nutrition.FromEnumName(string(n)); ok {
		return d
	}
	return nutrition.Nutrient(n)
}

func (r targets) Count(ctx context.Context, u app.ID) (int, error) {
	n, err := r.tx.Target.Query().Where(target.UserID(id(u))).Count(ctx)
	return n, Translate(err)
}

func (r targets) query(ps ...predicate.Target) *gen.TargetQuery {
	return r.tx.Target.Query().
		Where(ps...).
		WithNutrients(func(q *gen.TargetNutrientQuery) { q.Order(targetnutrient.ByCreatedAt(), targetnutrient.ByID()) })
}

func (r targets) saveGoals(ctx context.Context, u, t app.ID, goals []nutrition.Goal) error {
	builders := make([]*gen.TargetNutrientCreate, len(goals))
	for i, g := range goals {
		builders[i] = r.tx.TargetNutrient.Create().
			SetUserID(id(u)).
			SetTargetID(id(t)).
			SetNutrient(targetnutrient.Nutrient(nutrition.EnumName(g.Nutrient))).
			SetAmount(g.Amount).
			SetDirection(targetnutrient.Direction(g.Direction)).
			// Goals keep their order: created_at increases by a microsecond each.
			SetCreatedAt(time.Now().UTC().Add(time.Duration(i) * time.Microsecond))
	}
	return Translate(r.tx.TargetNutrient.CreateBulk(builders...).Exec(ctx))
}

func (r targets) Create(ctx context.Context, t nutrition.Target) (nutrition.Target, error) {
	row, err := r.tx.Target.Create().
		SetUserID(id(t.UserID)).
		SetName(t.Name).
		SetSource(target.Source(t.Source)).
		SetActive(t.Active).
		Save(ctx)
	if err != nil {
		return nutrition.Target{}, Translate(err)
	}
	if err := r.saveGoals(ctx, t.UserID, did(row.ID), t.Goals); err != nil {
		return nutrition.Target{}, err
	}
	t.ID = did(row.ID)
	return t, nil
}

func (r targets) Get(ctx context.Context, u, i app.ID) (nutrition.Target, error) {
	row, err := r.query(target.ID(id(i)), target.UserID(id(u))).Only(ctx)
	if err != nil {
		return nutrition.Target{}, Translate(err)
	}
	return toTarget(row), nil
}

func (r targets) Active(ctx context.Context, u app.ID) (nutrition.Target, bool, error) {
	row, err := r.query(target.UserID(id(u)), target.Active(true)).Only(ctx)
	if gen.IsNotFound(err) {
		return nutrition.Target{}, false, nil
	}
	if err != nil {
		return nutrition.Target{}, false, Translate(err)
	}
	return toTarget(row), true, nil
}

func (r targets) SetActive(ctx context.Context, i app.ID, active bool) error {
	return Translate(r.tx.Target.UpdateOneID(id(i)).SetActive(active).Exec(ctx))
}

func (r targets) Update(ctx context.Context, t nutrition.Target) error {
	if err := r.tx.Target.UpdateOneID(id(t.ID)).SetName(t.Name).SetSource(target.Source(t.Source)).Exec(ctx); err != nil {
		return Translate(err)
	}
	if _, err := r.tx.TargetNutrient.Delete().Where(targetnutrient.TargetID(id(t.ID))).Exec(ctx); err != nil {
		return Translate(err)
	}
	return r.saveGoals(ctx, t.UserID, t.ID, t.Goals)
}

func (r targets) Delete(ctx context.Context, i app.ID) error {
	return Translate(r.tx.Target.DeleteOneID(id(i)).Exec(ctx))
}

func (r targets) AddSnapshot(ctx context.Context, u, t app.ID, day nutrition.Date, goals []nutrition.Goal) error {
	if goals == nil {
		goals = []nutrition.Goal{}
	}
	return Translate(r.tx.TargetSnapshot.Create().
		SetUserID(id(u)).
		SetTargetID(id(t)).
		SetEffectiveFrom(day.String()).
		SetGoals(goals).
		Exec(ctx))
}
