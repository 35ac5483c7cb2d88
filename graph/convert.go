package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/google/uuid"

	"nutrigraph/ent/targetnutrient"
	"nutrigraph/graph/generated"
	"nutrigraph/internal/api"
	"nutrigraph/internal/app"
	"nutrigraph/internal/nutrition"
)

// viewerID returns the authenticated user or UNAUTHENTICATED.
func viewerID(ctx context.Context) (uuid.UUID, error) {
	v, ok := app.ViewerFrom(ctx)
	if !ok {
		return uuid.Nil, nutrition.Errorf(nutrition.CodeUnauthenticated, "authentication required")
	}
	return uuid.UUID(v.UserID), nil
}

func appID(u uuid.UUID) app.ID { return app.ID(u) }

func appIDPtr(u *uuid.UUID) *app.ID {
	if u == nil {
		return nil
	}
	id := app.ID(*u)
	return &id
}

// goals converts goal inputs into domain goals.
func goals(in []*generated.GoalInput) []nutrition.Goal {
	if in == nil {
		return nil
	}
	out := make([]nutrition.Goal, 0, len(in))
	for _, g := range in {
		n, ok := nutrition.FromEnumName(string(g.Nutrient))
		if !ok {
			n = nutrition.Nutrient(g.Nutrient) // rejected by validation
		}
		out = append(out, nutrition.Goal{Nutrient: n, Amount: g.Amount, Direction: nutrition.Direction(g.Direction)})
	}
	return out
}

// amounts converts nutrient amounts input into domain amounts.
func amounts(in *generated.NutrientAmountsInput) *nutrition.Amounts {
	if in == nil {
		return nil
	}
	a := nutrition.Amounts{in.EnergyKcal, in.ProteinG, in.FatG, in.SaturatedFatG, in.CarbohydrateG, in.SugarsG,
		in.FiberG, in.SodiumMg, in.PotassiumMg, in.CalciumMg, in.IronMg, in.VitaminCMg}
	return &a
}

// entryInput converts an entry input.
func entryInput(in *generated.EntryInput) app.EntryInput {
	return app.EntryInput{FoodID: appIDPtr(in.FoodID), PortionID: appIDPtr(in.PortionID), Quantity: in.Quantity,
		Grams: in.Grams, Name: in.Name, Amounts: amounts(in.Nutrients)}
}

// nutrientEnum is the GraphQL enum value of n.
func nutrientEnum(n nutrition.Nutrient) targetnutrient.Nutrient {
	return targetnutrient.Nutrient(nutrition.EnumName(n))
}

// summary builds a day's summary from its totals and the goals in force.
func summary(day string, meals int, t nutrition.Totals, goalsInForce []nutrition.Goal) *generated.DailySummary {
	s := &generated.DailySummary{Date: day, MealCount: meals, EntryCount: t.Count, Progress: []*generated.NutrientProgress{}}
	for _, ni := range nutrition.Catalogue {
		sum, missing := t.Get(ni.Nutrient)
		s.Nutrients = append(s.Nutrients, &generated.NutrientTotal{Nutrient: nutrientEnum(ni.Nutrient), Unit: string(ni.Unit), Amount: sum, Missing: missing})
	}
	sodium, missing := t.Get(nutrition.Sodium)
	s.SaltEquivalentG, s.SaltMissing = nutrition.SaltEquivalent(sodium), missing
	for _, p := range nutrition.DayProgress(goalsInForce, t) {
		ni, _ := nutrition.Info(p.Nutrient)
		s.Progress = append(s.Progress, &generated.NutrientProgress{
			Nutrient: nutrientEnum(p.Nutrient), Unit: string(ni.Unit), Consumed: p.Consumed, Missing: p.Missing,
			Goal: p.Goal, Direction: targetnutrient.Direction(p.Direction), Ratio: p.Ratio, Status: generated.ProgressStatus(p.Status),
		})
	}
	return s
}

// foodInput converts an own-food input.
func foodInput(in generated.FoodInput) app.FoodInput {
	out := app.FoodInput{Name: in.Name, Group: deref(in.FoodGroup)}
	if a := amounts(in.Nutrients); a != nil {
		out.Per100g = *a
	}
	for _, p := range in.Portions {
		out.Portions = append(out.Portions, nutrition.Portion{Amount: p.Amount, Unit: p.Unit, Grams: p.Grams})
	}
	return out
}

// noteRetryAfter turns the response into 429 with Retry-After when err is a
// rate limit and the operation has no other root field: a 429 must not hide
// a mutation that ran beside it (the error's code says RATE_LIMITED anyway).
func noteRetryAfter(ctx context.Context, err error) {
	if oc := graphql.GetOperationContext(ctx); oc == nil || oc.Operation == nil || len(oc.Operation.SelectionSet) != 1 {
		return
	}
	api.NoteRetryAfter(ctx, err)
}
