// Package nutrition is the domain of nutrigraph: the nutrient catalogue and its
// arithmetic, targets, progress, local-day rules, plan entitlements and domain
// errors. It imports the standard library only.
package nutrition

import "strings"

// Nutrient identifies one entry of the nutrient catalogue.
type Nutrient string

// The nutrient catalogue (DESIGN §4). Amounts are per the unit of each nutrient.
const (
	EnergyKcal   Nutrient = "energy_kcal"
	Protein      Nutrient = "protein"
	Fat          Nutrient = "fat"
	SaturatedFat Nutrient = "saturated_fat"
	Carbohydrate Nutrient = "carbohydrate"
	Sugars       Nutrient = "sugars"
	Fiber        Nutrient = "fiber"
	Sodium       Nutrient = "sodium"
	Potassium    Nutrient = "potassium"
	Calcium      Nutrient = "calcium"
	Iron         Nutrient = "iron"
	VitaminC     Nutrient = "vitamin_c"
)

// Unit is the unit an amount of a nutrient is expressed in.
type Unit string

// Units of the catalogue.
const (
	Kcal      Unit = "kcal"
	Gram      Unit = "g"
	Milligram Unit = "mg"
)

// NutrientInfo describes one nutrient of the catalogue.
type NutrientInfo struct {
	Nutrient Nutrient
	Unit     Unit
	// Column is the stem of the storage column: amounts are stored in
	// "<Column>" and, for totals, the count of entries lacking the value in
	// "<Column>_missing".
	Column string
	// Label is a human-readable English name.
	Label string
}

// Catalogue lists every nutrient in display order. It is the single source of
// truth for the storage columns, the GraphQL fields and the arithmetic.
var Catalogue = []NutrientInfo{
	{EnergyKcal, Kcal, "energy_kcal", "Energy"},
	{Protein, Gram, "protein_g", "Protein"},
	{Fat, Gram, "fat_g", "Fat"},
	{SaturatedFat, Gram, "saturated_fat_g", "Saturated fat"},
	{Carbohydrate, Gram, "carbohydrate_g", "Carbohydrate"},
	{Sugars, Gram, "sugars_g", "Sugars"},
	{Fiber, Gram, "fiber_g", "Dietary fibre"},
	{Sodium, Milligram, "sodium_mg", "Sodium"},
	{Potassium, Milligram, "potassium_mg", "Potassium"},
	{Calcium, Milligram, "calcium_mg", "Calcium"},
	{Iron, Milligram, "iron_mg", "Iron"},
	{VitaminC, Milligram, "vitamin_c_mg", "Vitamin C"},
}

// Info returns the catalogue entry of n and whether n is in the catalogue.
func Info(n Nutrient) (NutrientInfo, bool) {
	for _, ni := range Catalogue {
		if ni.Nutrient == n {
			return ni, true
		}
	}
	return NutrientInfo{}, false
}

// EnumName is the upper-case name of n used in GraphQL enums and enum columns
// ("energy_kcal" → "ENERGY_KCAL").
func EnumName(n Nutrient) string { return strings.ToUpper(string(n)) }

// Direction says how consumption is compared with a goal.
type Direction string

// Directions of a goal.
const (
	AtLeast Direction = "AT_LEAST"
	AtMost  Direction = "AT_MOST"
	Around  Direction = "AROUND"
)

// Goal is one nutrient goal of a target: an amount in the nutrient's unit and
// the direction in which it is judged.
type Goal struct {
	Nutrient  Nutrient  `json:"nutrient"`
	Amount    float64   `json:"amount"`
	Direction Direction `json:"direction"`
}

// FromEnumName returns the nutrient whose EnumName is s.
func FromEnumName(s string) (Nutrient, bool) {
	for _, ni := range Catalogue {
		if EnumName(ni.Nutrient) == s {
			return ni.Nutrient, true
		}
	}
	return "", false
}
