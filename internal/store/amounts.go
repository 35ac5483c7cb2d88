package store

import (
	"fmt"

	"entgo.io/ent"

	gen "nutrigraph/ent"
	"nutrigraph/internal/nutrition"
)

// The nutrient columns are named after the domain catalogue
// (nutrition.Catalogue[i].Column), so writes go through the mutations'
// generic SetField. Reads list the generated struct fields in catalogue
// order; TestAmountColumnsRoundTrip guards that order.

// setAmounts writes per-nutrient optional amounts (NULL when unknown).
func setAmounts(m ent.Mutation, a nutrition.Amounts) error {
	for i, n := range nutrition.Catalogue {
		if a[i] == nil {
			if err := m.ClearField(n.Column); err != nil {
				return fmt.Errorf("store: clearing %s: %w", n.Column, err)
			}
			continue
		}
		if err := m.SetField(n.Column, *a[i]); err != nil {
			return fmt.Errorf("store: setting %s: %w", n.Column, err)
		}
	}
	return nil
}

// setTotals writes per-nutrient sums and missing counts and the item count.
func setTotals(m ent.Mutation, t nutrition.Totals) error {
	for i, n := range nutrition.Catalogue {
		if err := m.SetField(n.Column, t.Sum[i]); err != nil {
			return fmt.Errorf("store: setting %s: %w", n.Column, err)
		}
		if err := m.SetField(n.Column+"_missing", t.Missing[i]); err != nil {
			return fmt.Errorf("store: setting %s_missing: %w", n.Column, err)
		}
	}
	return m.SetField("entry_count", t.Count)
}

// foodAmounts reads a food's per-100 g amounts.
func foodAmounts(f *gen.Food) nutrition.Amounts {
	return nutrition.Amounts{f.EnergyKcal, f.ProteinG, f.FatG, f.SaturatedFatG, f.CarbohydrateG, f.SugarsG,
		f.FiberG, f.SodiumMg, f.PotassiumMg, f.CalciumMg, f.IronMg, f.VitaminCMg}
}

// entryAmounts reads an entry's copied amounts.
func entryAmounts(e *gen.FoodEntry) nutrition.Amounts {
	return nutrition.Amounts{e.EnergyKcal, e.ProteinG, e.FatG, e.SaturatedFatG, e.CarbohydrateG, e.SugarsG,
		e.FiberG, e.SodiumMg, e.PotassiumMg, e.CalciumMg, e.IronMg, e.VitaminCMg}
}

// MealTotals reads a meal's stored totals.
func MealTotals(m *gen.MealNutrition) nutrition.Totals {
	return nutrition.Totals{
		Sum: [12]float64{m.EnergyKcal, m.ProteinG, m.FatG, m.SaturatedFatG, m.CarbohydrateG, m.SugarsG,
			m.FiberG, m.SodiumMg, m.PotassiumMg, m.CalciumMg, m.IronMg, m.VitaminCMg},
		Missing: [12]int{m.EnergyKcalMissing, m.ProteinGMissing, m.FatGMissing, m.SaturatedFatGMissing, m.CarbohydrateGMissing, m.SugarsGMissing,
			m.FiberGMissing, m.SodiumMgMissing, m.PotassiumMgMissing, m.CalciumMgMissing, m.IronMgMissing, m.VitaminCMgMissing},
		Count: m.EntryCount,
	}
}

// DayTotals reads a day's stored totals.
func DayTotals(d *gen.DailyNutrition) nutrition.Totals {
	return nutrition.Totals{
		Sum: [12]float64{d.EnergyKcal, d.ProteinG, d.FatG, d.SaturatedFatG, d.CarbohydrateG, d.SugarsG,
			d.FiberG, d.SodiumMg, d.PotassiumMg, d.CalciumMg, d.IronMg, d.VitaminCMg},
		Missing: [12]int{d.EnergyKcalMissing, d.ProteinGMissing, d.FatGMissing, d.SaturatedFatGMissing, d.CarbohydrateGMissing, d.SugarsGMissing,
			d.FiberGMissing, d.SodiumMgMissing, d.PotassiumMgMissing, d.CalciumMgMissing, d.IronMgMissing, d.VitaminCMgMissing},
		Count: d.EntryCount,
	}
}
