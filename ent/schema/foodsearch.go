package schema

import (
	"context"
	"errors"

	"entgo.io/ent"

	gen "nutrigraph/ent"
	"nutrigraph/ent/hook"
	"nutrigraph/internal/catalog/searchtext"
)

// foodSearchHook keeps the search columns of a food (search_text,
// search_rank) in step with its name and food group, whichever way the food
// is written (catalogue import, own foods). An update of many foods at once
// that changes only one of name and food group is refused: the other is
// needed per row.
func foodSearchHook() ent.Hook {
	return hook.On(func(next ent.Mutator) ent.Mutator {
		return hook.FoodFunc(func(ctx context.Context, m *gen.FoodMutation) (ent.Value, error) {
			name, nameSet := m.Name()
			group, groupSet := m.FoodGroup()
			groupKnown := groupSet || m.FoodGroupCleared()
			if !nameSet && !groupKnown {
				return next.Mutate(ctx, m)
			}
			switch {
			case m.Op().Is(ent.OpCreate):
				if !nameSet {
					return next.Mutate(ctx, m) // fails validation: name is required
				}
			case m.Op().Is(ent.OpUpdateOne):
				if !nameSet {
					old, err := m.OldName(ctx)
					if err != nil {
						return nil, err
					}
					name = old
				}
				if !groupKnown {
					old, err := m.OldFoodGroup(ctx)
					if err != nil {
						return nil, err
					}
					if old != nil {
						group = *old
					}
				}
			default:
				if !nameSet || !groupKnown {
					return nil, errors.New("food: an update of many foods must set both name and food group, or neither")
				}
			}
			// SetField rather than the typed setters: the schema must compile
			// before the code generated from it exists.
			if err := m.SetField("search_text", searchtext.Text(name)); err != nil {
				return nil, err
			}
			if err := m.SetField("search_rank", searchtext.Rank(name, group)); err != nil {
				return nil, err
			}
			return next.Mutate(ctx, m)
		})
	}, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne)
}
