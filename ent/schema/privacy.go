package schema

import (
	"context"

	"entgo.io/ent"
	"entgo.io/ent/entql"
	"github.com/google/uuid"

	gen "nutrigraph/ent"
	"nutrigraph/ent/food"
	"nutrigraph/ent/privacy"
	"nutrigraph/internal/app"
	"nutrigraph/internal/nutrition"
)

// Privacy (DESIGN §6): a viewer reads and writes only their own rows, on
// every path that goes through ent — queries, node/nodes, connections, eager
// loads and mutations. Rows of other users are filtered out, so another
// user's id answers exactly like an id that does not exist. The few steps
// that must act without a viewer run with app.AsSystem (login, sessions,
// webhooks, registration).

// viewerID returns the id of the viewer in ctx.
func viewerID(ctx context.Context) (uuid.UUID, bool) {
	v, ok := app.ViewerFrom(ctx)
	return uuid.UUID(v.UserID), ok
}

// allowSystem lets app.AsSystem contexts through.
func allowSystem() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if app.IsSystem(ctx) {
			return privacy.Allow
		}
		return privacy.Skip
	})
}

// errNoViewer refuses user-owned data to a request without a viewer.
var errNoViewer = nutrition.Errorf(nutrition.CodeUnauthenticated, "authentication required")

// ownerFilter restricts queries, updates and deletes to rows whose user_id
// is the viewer, and refuses them without a viewer (UNAUTHENTICATED).
func ownerFilter() privacy.QueryMutationRule {
	type ownedFilter interface{ WhereUserID(entql.ValueP) }
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		id, ok := viewerID(ctx)
		if !ok {
			return errNoViewer
		}
		of, ok := f.(ownedFilter)
		if !ok {
			return privacy.Denyf("unexpected filter type %T", f)
		}
		of.WhereUserID(entql.ValueEQ(id))
		return privacy.Skip
	})
}

// ownerOnCreate lets a viewer create rows only for themselves.
func ownerOnCreate() privacy.MutationRule {
	type owned interface{ UserID() (uuid.UUID, bool) }
	return privacy.OnMutationOperation(privacy.MutationRuleFunc(func(ctx context.Context, m gen.Mutation) error {
		id, ok := viewerID(ctx)
		if !ok {
			return privacy.Denyf("no viewer")
		}
		om, ok := m.(owned)
		if !ok {
			return privacy.Denyf("unexpected mutation type %T", m)
		}
		if uid, set := om.UserID(); !set || uid != id {
			return privacy.Denyf("a row of another user")
		}
		return privacy.Allow
	}), ent.OpCreate)
}

// ownedPolicy is the policy of every table whose rows carry user_id.
func ownedPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowSystem(), ownerFilter(), privacy.AlwaysAllowRule()},
		Mutation: privacy.MutationPolicy{allowSystem(), ownerOnCreate(), ownerFilter(), privacy.AlwaysAllowRule()},
	}
}

// userPolicy: a viewer sees and changes only their own user row; users are
// created by registration only (system).
func userPolicy() ent.Policy {
	self := privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		id, ok := viewerID(ctx)
		if !ok {
			return errNoViewer
		}
		f.(interface{ WhereID(entql.ValueP) }).WhereID(entql.ValueEQ(id))
		return privacy.Skip
	})
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowSystem(), self, privacy.AlwaysAllowRule()},
		Mutation: privacy.MutationPolicy{allowSystem(), privacy.OnMutationOperation(privacy.AlwaysDenyRule(), ent.OpCreate), self, privacy.AlwaysAllowRule()},
	}
}

// visibleFoods is the predicate of the foods a viewer may read: the shared
// catalogue, plus their own foods when there is a viewer.
func visibleFoods(ctx context.Context) entql.P {
	shared := entql.FieldNil(food.FieldUserID)
	if id, ok := viewerID(ctx); ok {
		return entql.Or(shared, entql.FieldEQ(food.FieldUserID, id))
	}
	return shared
}

// foodPolicy: anyone reads the shared catalogue; a viewer also reads and
// writes their own foods; shared foods are written by the importer (system).
func foodPolicy() ent.Policy {
	read := privacy.FoodQueryRuleFunc(func(ctx context.Context, q *gen.FoodQuery) error {
		q.Filter().Where(visibleFoods(ctx))
		return privacy.Skip
	})
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowSystem(), read, privacy.AlwaysAllowRule()},
		Mutation: privacy.MutationPolicy{allowSystem(), ownerOnCreate(), ownerFilter(), privacy.AlwaysAllowRule()},
	}
}

// foodPortionPolicy: portions are visible with their food; written by the
// importer or with the viewer's own foods (through the system context of the
// use case that checked the food's owner).
func foodPortionPolicy() ent.Policy {
	read := privacy.FoodPortionQueryRuleFunc(func(ctx context.Context, q *gen.FoodPortionQuery) error {
		cond := food.UserIDIsNil()
		if id, ok := viewerID(ctx); ok {
			cond = food.Or(food.UserIDIsNil(), food.UserID(id))
		}
		q.Filter().WhereHasFoodWith(cond)
		return privacy.Skip
	})
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowSystem(), read, privacy.AlwaysAllowRule()},
		Mutation: privacy.MutationPolicy{allowSystem(), privacy.AlwaysDenyRule()},
	}
}

// systemOnlyPolicy: rows only the system reads and writes (billing events).
func systemOnlyPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowSystem(), privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{allowSystem(), privacy.AlwaysDenyRule()},
	}
}
