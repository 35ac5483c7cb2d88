package schema

import (
	"context"
	"fmt"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"
	"github.com/google/uuid"

	gen "nutrigraph/ent"
	"nutrigraph/ent/foodentry"
	"nutrigraph/ent/foodportion"
	"nutrigraph/ent/hook"
	"nutrigraph/ent/intercept"
	"nutrigraph/ent/mealnutrition"
	"nutrigraph/ent/predicate"
	"nutrigraph/internal/app"
	"nutrigraph/ent/targetnutrient"
	"nutrigraph/internal/softdelete"
)

// CascadeFunc soft-deletes, with client c (bound to the deleting
// transaction), what the rows ids own.
type CascadeFunc func(ctx context.Context, c *gen.Client, ids []uuid.UUID) error

// SoftDeleteMixin adds deleted_at and makes deletion soft:
//   - an interceptor adds `deleted_at IS NULL` to every query of the type,
//     which covers eager-loaded edges, counts and node/nodes;
//   - a hook turns a delete into an update of deleted_at and, when Cascade is
//     set, soft-deletes what the deleted rows own in the same transaction;
//   - the same hook adds `deleted_at IS NULL` to every update, so that an
//     update never changes (nor UpdateOne returns) a soft-deleted row.
//
// softdelete.IncludeDeleted(ctx) switches both off for internal jobs.
type SoftDeleteMixin struct {
	mixin.Schema
	// Cascade soft-deletes the rows the deleted rows own. A type with a
	// Cascade can only be deleted inside a transaction.
	Cascade CascadeFunc
}

// Fields of the SoftDeleteMixin.
func (SoftDeleteMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("deleted_at").
			Optional().
			Nillable().
			// Always null on what a client can see: not part of the graph.
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("Set by a delete; a row with a deleted_at is invisible to every read path"),
	}
}

// Interceptors of the SoftDeleteMixin.
func (d SoftDeleteMixin) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{
		intercept.TraverseFunc(func(ctx context.Context, q intercept.Query) error {
			if softdelete.Included(ctx) {
				return nil
			}
			q.WhereP(sql.FieldIsNull("deleted_at"))
			return nil
		}),
	}
}

// Hooks of the SoftDeleteMixin.
func (d SoftDeleteMixin) Hooks() []ent.Hook {
	return []ent.Hook{
		hook.On(func(next ent.Mutator) ent.Mutator {
			return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
				if softdelete.Included(ctx) {
					return next.Mutate(ctx, m)
				}
				mx, ok := m.(mutation)
				if !ok {
					return nil, fmt.Errorf("softdelete: unexpected mutation type %T", m)
				}
				if m.Op().Is(ent.OpUpdate | ent.OpUpdateOne) {
					// A soft-deleted row is out of reach of updates too: UpdateOne
					// of its id answers "not found" (instead of changing and
					// returning the deleted row) and a bulk update skips it.
					mx.WhereP(sql.FieldIsNull("deleted_at"))
					return next.Mutate(ctx, m)
				}
				var ids []uuid.UUID
				if d.Cascade != nil {
					if _, err := mx.Tx(); err != nil {
						return nil, fmt.Errorf("softdelete: deleting a %s cascades and needs a transaction", m.Type())
					}
					var err error
					if ids, err = mx.IDs(ctx); err != nil {
						return nil, err
					}
				}
				mx.WhereP(sql.FieldIsNull("deleted_at"))
				mx.SetOp(ent.OpUpdate)
				mx.SetField("deleted_at", now())
				v, err := mx.Client().Mutate(ctx, m)
				if err != nil {
					return nil, err
				}
				// Cascade only from rows this delete changed: DeleteOne of an
				// id that is already deleted (or that the mutation's
				// predicates exclude) changes nothing and must not reach
				// what the row owns.
				if n, ok := v.(int); d.Cascade != nil && len(ids) > 0 && (!ok || n > 0) {
					if err := d.Cascade(app.AsSystem(ctx), mx.Client(), ids); err != nil {
						return nil, fmt.Errorf("softdelete: cascading from %s: %w", m.Type(), err)
					}
				}
				return v, nil
			})
		}, ent.OpDeleteOne|ent.OpDelete|ent.OpUpdate|ent.OpUpdateOne),
	}
}

// mutation is the part of every generated mutation the hook uses.
type mutation interface {
	ent.Mutation
	SetOp(ent.Op)
	Client() *gen.Client
	Tx() (*gen.Tx, error)
	IDs(ctx context.Context) ([]uuid.UUID, error)
	WhereP(...func(*sql.Selector))
}

// cascadeUser soft-deletes everything a deleted user owns. Every owned table
// carries user_id, so one statement per table suffices; the deletes of
// targets, foods and meals cascade further by their own hooks.
func cascadeUser(ctx context.Context, c *gen.Client, ids []uuid.UUID) error {
	owner := sql.FieldIn("user_id", anys(ids)...)
	return each(
		func() error { _, err := c.Session.Delete().Where(predicate.Session(owner)).Exec(ctx); return err },
		func() error { _, err := c.Profile.Delete().Where(predicate.Profile(owner)).Exec(ctx); return err },
		func() error {
			_, err := c.BillingAccount.Delete().Where(predicate.BillingAccount(owner)).Exec(ctx)
			return err
		},
		func() error { _, err := c.Target.Delete().Where(predicate.Target(owner)).Exec(ctx); return err },
		func() error {
			_, err := c.TargetSnapshot.Delete().Where(predicate.TargetSnapshot(owner)).Exec(ctx)
			return err
		},
		func() error { _, err := c.Food.Delete().Where(predicate.Food(owner)).Exec(ctx); return err },
		func() error { _, err := c.Meal.Delete().Where(predicate.Meal(owner)).Exec(ctx); return err },
		func() error {
			_, err := c.DailyNutrition.Delete().Where(predicate.DailyNutrition(owner)).Exec(ctx)
			return err
		},
	)
}

// cascadeTarget soft-deletes the goals of deleted targets. Snapshots stay:
// they are the history that past days' progress is judged against.
func cascadeTarget(ctx context.Context, c *gen.Client, ids []uuid.UUID) error {
	_, err := c.TargetNutrient.Delete().Where(targetnutrient.TargetIDIn(ids...)).Exec(ctx)
	return err
}

// cascadeFood soft-deletes the portions of deleted foods. Entries keep their
// copied values and their food_id (reads of the food answer "not found").
func cascadeFood(ctx context.Context, c *gen.Client, ids []uuid.UUID) error {
	_, err := c.FoodPortion.Delete().Where(foodportion.FoodIDIn(ids...)).Exec(ctx)
	return err
}

// cascadeMeal soft-deletes the entries and the totals row of deleted meals.
// Keeping the day's totals right is the use case's job, in the same unit of work.
func cascadeMeal(ctx context.Context, c *gen.Client, ids []uuid.UUID) error {
	return each(
		func() error { _, err := c.FoodEntry.Delete().Where(foodentry.MealIDIn(ids...)).Exec(ctx); return err },
		func() error {
			_, err := c.MealNutrition.Delete().Where(mealnutrition.MealIDIn(ids...)).Exec(ctx)
			return err
		},
	)
}

// each runs the steps in order and stops at the first error.
func each(steps ...func() error) error {
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}

// anys converts ids for a SQL IN predicate.
func anys(ids []uuid.UUID) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
