package nutrition

import "math"

// Status is how consumption compares with a goal.
type Status string

// Statuses of progress.
const (
	Under  Status = "UNDER"
	Within Status = "WITHIN"
	Over   Status = "OVER"
)

// MinGoal is the smallest non-zero goal: a thousandth of the unit (1 µg of
// a milligram nutrient), small enough for any real goal.
const MinGoal = 0.001

// AroundTolerance is the band around a goal with direction AROUND that
// counts as within: ±10 % (DESIGN §5).
const AroundTolerance = 0.10

// Progress is the comparison of one nutrient's consumption with its goal.
type Progress struct {
	Nutrient Nutrient
	Consumed float64
	// Missing counts the entries whose amount of the nutrient was unknown:
	// Consumed may understate the truth when it is not 0.
	Missing   int
	Goal      float64
	Direction Direction
	// Ratio is Consumed / Goal; nil when the goal is 0.
	Ratio  *float64
	Status Status
}

// Judge compares consumed (with missing unknown entries) against goal g.
//
//	AT_LEAST: under below the goal, within from the goal up;
//	AT_MOST:  within up to the goal, over above it;
//	AROUND:   within inside goal × (1 ± AroundTolerance), under / over outside.
func Judge(g Goal, consumed float64, missing int) Progress {
	p := Progress{Nutrient: g.Nutrient, Consumed: consumed, Missing: missing, Goal: g.Amount, Direction: g.Direction}
	if r := consumed / g.Amount; g.Amount > 0 && !math.IsInf(r, 0) {
		p.Ratio = &r
	}
	switch g.Direction {
	case AtLeast:
		p.Status = Within
		if consumed < g.Amount {
			p.Status = Under
		}
	case AtMost:
		p.Status = Within
		if consumed > g.Amount {
			p.Status = Over
		}
	default: // Around
		lo, hi := g.Amount*(1-AroundTolerance), g.Amount*(1+AroundTolerance)
		switch {
		case consumed < lo:
			p.Status = Under
		case consumed > hi:
			p.Status = Over
		default:
			p.Status = Within
		}
	}
	return p
}

// DayProgress judges every goal against a day's totals, in goal order.
func DayProgress(goals []Goal, t Totals) []Progress {
	out := make([]Progress, 0, len(goals))
	for _, g := range goals {
		sum, missing := t.Get(g.Nutrient)
		out = append(out, Judge(g, sum, missing))
	}
	return out
}

// ValidateGoals checks a list of goals: known nutrients, each at most once,
// finite amounts ≥ 0, known directions; prefix is the input path ("goals").
func ValidateGoals(prefix string, goals []Goal) error {
	if len(goals) == 0 {
		return Invalid(prefix, "a target needs at least one goal")
	}
	seen := map[Nutrient]bool{}
	for i, g := range goals {
		at := prefix + "." + itoa(i)
		if _, ok := Info(g.Nutrient); !ok {
			return Invalid(at+".nutrient", "unknown nutrient %q", g.Nutrient)
		}
		if seen[g.Nutrient] {
			return Invalid(at+".nutrient", "%s appears twice", g.Nutrient)
		}
		seen[g.Nutrient] = true
		if !(g.Amount == 0 || (g.Amount >= MinGoal && g.Amount <= MaxAmount)) {
			return Invalid(at+".amount", "a goal is 0 or from %g to %g", MinGoal, float64(MaxAmount))
		}
		switch g.Direction {
		case AtLeast, AtMost, Around:
		default:
			return Invalid(at+".direction", "unknown direction %q", g.Direction)
		}
	}
	return nil
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
