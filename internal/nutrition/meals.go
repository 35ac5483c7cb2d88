package nutrition

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// MealType is the kind of a meal.
type MealType string

// Meal types.
const (
	Breakfast MealType = "BREAKFAST"
	Lunch     MealType = "LUNCH"
	Dinner    MealType = "DINNER"
	Snack     MealType = "SNACK"
)

// Limits of meal logging (issue #4).
const (
	MaxEntriesPerMeal = 50
	MaxEntryGrams     = 10000.0 // 10 kg
	MaxFutureLogging  = 24 * time.Hour
	MaxRangeDays      = 366
	MaxNoteLen        = 1000
	MaxNameLen        = 300
)

// Meal is a meal with its live entries.
type Meal struct {
	ID        ID
	UserID    ID
	EatenAt   time.Time
	LocalDate Date
	Type      MealType
	Note      string
	Entries   []Entry
}

// Entry is one item of a meal. Its amounts are copied when it is written, so
// later changes of the food never change history.
type Entry struct {
	ID       ID
	MealID   ID
	FoodID   *ID
	Position int
	Name     string
	Grams    *float64
	Amounts  Amounts
}

// Totals sums the meal's entries.
func (m Meal) Totals() Totals {
	var t Totals
	for _, e := range m.Entries {
		t.Add(e.Amounts)
	}
	return t
}

// ValidateMealType checks a meal type; field is the input path.
func ValidateMealType(field string, t MealType) error {
	switch t {
	case Breakfast, Lunch, Dinner, Snack:
		return nil
	}
	return Invalid(field, "unknown meal type %q", t)
}

// ValidateEatenAt checks that an eaten-at instant is not more than a day
// ahead of now and not absurdly old; field is the input path.
func ValidateEatenAt(field string, at, now time.Time) error {
	if at.After(now.Add(MaxFutureLogging)) {
		return Invalid(field, "a meal cannot be logged more than a day ahead")
	}
	if at.Before(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)) {
		return Invalid(field, "a meal before 1900 is not plausible")
	}
	return nil
}

// ValidateNote checks a meal note; field is the input path.
func ValidateNote(field, note string) error {
	if err := ValidateText(field, note); err != nil {
		return err
	}
	if utf8.RuneCountInString(note) > MaxNoteLen {
		return Invalid(field, "a note has at most %d characters", MaxNoteLen)
	}
	return nil
}

// ValidateText refuses text that is not valid UTF-8 or holds a NUL
// character (which PostgreSQL cannot store); field is the input path.
func ValidateText(field, s string) error {
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return Invalid(field, "the text must be valid UTF-8 without NUL characters")
	}
	return nil
}

// ValidateGrams checks an entry weight: > 0 and ≤ 10 kg; field is the input path.
func ValidateGrams(field string, g float64) error {
	if math.IsNaN(g) || g <= 0 || g > MaxEntryGrams {
		return Invalid(field, "grams must be more than 0 and at most %g", MaxEntryGrams)
	}
	return nil
}

// ValidateEntryName checks the name of a free-form entry; field is the input path.
func ValidateEntryName(field, name string) (string, error) {
	if err := ValidateText(field, name); err != nil {
		return "", err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return "", Invalid(field, "a name is required")
	}
	if utf8.RuneCountInString(name) > MaxNameLen {
		return "", Invalid(field, "a name has at most %d characters", MaxNameLen)
	}
	return name, nil
}

// ValidateRange checks a date range: from ≤ to and at most MaxRangeDays
// days; fields are the input paths of the bounds.
func ValidateRange(fromField, toField string, from, to Date) error {
	if to.Before(from) {
		return Invalid(toField, "the end of a range cannot be before its start")
	}
	if from.DaysUntil(to)+1 > MaxRangeDays {
		return Invalid(toField, "a range covers at most %d days", MaxRangeDays)
	}
	return nil
}

// Food is a catalogue food as the meal use cases see it.
type Food struct {
	ID         ID
	UserID     *ID
	Name       string
	Group      string
	Per100g    Amounts
	Portions   []Portion
	ArchivedAt *time.Time
}

// MaxKcalPer100g bounds the energy density of a food: fat, the densest
// nutrient, has about 9 kcal per gram (Atwater), so 100 g hold about 900
// kcal (USDA SR26 lists up to 902 for some fats, by their own factors).
const MaxKcalPer100g = 1000.0

// MaxPortions bounds the portions of an own food.
const MaxPortions = 20

// Validate checks an own food; prefix is the input path ("input").
func (f Food) Validate(prefix string) error {
	at := func(s string) string {
		if prefix == "" {
			return s
		}
		return prefix + "." + s
	}
	if _, err := ValidateEntryName(at("name"), f.Name); err != nil {
		return err
	}
	if err := ValidateText(at("foodGroup"), f.Group); err != nil {
		return err
	}
	if utf8.RuneCountInString(f.Group) > 100 {
		return Invalid(at("foodGroup"), "a food group has at most 100 characters")
	}
	if err := f.Per100g.Validate(at("nutrients")); err != nil {
		return err
	}
	for i, n := range f.Per100g {
		if n == nil {
			continue
		}
		if Catalogue[i].Unit != Kcal && gramsOf(Catalogue[i], *n) > 100 {
			return Invalid(at("nutrients."+string(Catalogue[i].Nutrient)), "100 g of food cannot hold more than 100 g of a nutrient")
		}
		if Catalogue[i].Unit == Kcal && *n > MaxKcalPer100g {
			return Invalid(at("nutrients."+string(Catalogue[i].Nutrient)), "100 g of food holds at most %g kcal (pure fat: about 900)", MaxKcalPer100g)
		}
	}
	if len(f.Portions) > MaxPortions {
		return Invalid(at("portions"), "a food has at most %d portions", MaxPortions)
	}
	for i, p := range f.Portions {
		pp := at("portions." + itoa(i))
		if err := ValidateText(pp+".unit", p.Unit); err != nil {
			return err
		}
		if strings.TrimSpace(p.Unit) == "" || utf8.RuneCountInString(p.Unit) > 200 {
			return Invalid(pp+".unit", "a portion needs a unit of at most 200 characters, e.g. \"cup\"")
		}
		if !(p.Amount > 0 && p.Amount <= 1000) {
			return Invalid(pp+".amount", "the amount must be more than 0 and at most 1000")
		}
		if err := ValidateGrams(pp+".grams", p.Grams); err != nil {
			return err
		}
	}
	return nil
}

// gramsOf converts an amount of nutrient n to grams.
func gramsOf(n NutrientInfo, v float64) float64 {
	if n.Unit == Milligram {
		return v / 1000
	}
	return v
}

// Portion is a household measure of a food: Amount × Unit weighs Grams.
type Portion struct {
	ID     ID
	Amount float64
	Unit   string
	Grams  float64
}

// Snapshot is a target's goals as they were from a local date on.
type Snapshot struct {
	TargetID      ID
	EffectiveFrom Date
	CreatedAt     time.Time
	Goals         []Goal
}

// SnapshotOn returns the snapshot in force on day: of the snapshots
// effective on or before day, the one written last (the later effective
// date on a tie), or false. "Written last" rather than "latest effective
// date": a change takes effect from the viewer's local today, and after a
// move to a zone further west that today can be earlier than the date of a
// snapshot written before the move — the newer change must still win.
func SnapshotOn(snaps []Snapshot, day Date) (Snapshot, bool) {
	var best Snapshot
	found := false
	for _, s := range snaps {
		if s.EffectiveFrom.After(day) {
			continue
		}
		if !found || s.CreatedAt.After(best.CreatedAt) ||
			(s.CreatedAt.Equal(best.CreatedAt) && best.EffectiveFrom.Before(s.EffectiveFrom)) {
			best, found = s, true
		}
	}
	return best, found
}

// TargetSource says how a target's goals were made.
type TargetSource string

// Target sources.
const (
	SourceCustom   TargetSource = "CUSTOM"
	SourceComputed TargetSource = "COMPUTED"
)

// Target is a named set of nutrient goals; at most one per user is active.
type Target struct {
	ID     ID
	UserID ID
	Name   string
	Source TargetSource
	Active bool
	Goals  []Goal
}

// ValidateTargetName trims and checks a target name; field is the input path.
func ValidateTargetName(field, name string) (string, error) {
	if err := ValidateText(field, name); err != nil {
		return "", err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return "", Invalid(field, "a name is required")
	}
	if utf8.RuneCountInString(name) > 100 {
		return "", Invalid(field, "a name has at most 100 characters")
	}
	return name, nil
}
