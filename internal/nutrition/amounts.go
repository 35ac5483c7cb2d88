package nutrition

// Amounts holds one amount per catalogue nutrient, in catalogue order. A nil
// entry is unknown, which is not zero.
type Amounts [numNutrients]*float64

// numNutrients is the size of the catalogue.
const numNutrients = 12

// index returns the position of n in the catalogue, or -1.
func index(n Nutrient) int {
	for i, ni := range Catalogue {
		if ni.Nutrient == n {
			return i
		}
	}
	return -1
}

// Get returns the amount of n and whether it is known.
func (a Amounts) Get(n Nutrient) (float64, bool) {
	i := index(n)
	if i < 0 || a[i] == nil {
		return 0, false
	}
	return *a[i], true
}

// With returns a copy of a with n set to v.
func (a Amounts) With(n Nutrient, v float64) Amounts {
	if i := index(n); i >= 0 {
		a[i] = &v
	}
	return a
}

// Scale returns per-100 g amounts scaled to grams; unknown stays unknown.
func (a Amounts) Scale(grams float64) Amounts {
	var out Amounts
	for i, v := range a {
		if v != nil {
			s := *v * grams / 100
			out[i] = &s
		}
	}
	return out
}

// MaxAmount bounds any one amount (in the nutrient's unit). It is far above
// anything eaten — 10 kg of pure fat is 90,000 kcal — and keeps sums of up
// to millions of amounts finite.
const MaxAmount = 1e6

// Validate checks that every known amount is finite, ≥ 0 and at most
// MaxAmount; prefix is the input path of the amounts ("entries.0.nutrients").
func (a Amounts) Validate(prefix string) error {
	for i, v := range a {
		if v != nil && !(*v >= 0 && *v <= MaxAmount) {
			return Invalid(prefix+"."+string(Catalogue[i].Nutrient), "an amount must be a number from 0 to %g", float64(MaxAmount))
		}
	}
	return nil
}

// Totals are summed amounts: per nutrient the sum of the known amounts and
// the count of summed items whose amount was unknown.
type Totals struct {
	Sum     [numNutrients]float64
	Missing [numNutrients]int
	// Count is the number of items summed.
	Count int
}

// Add adds one item's amounts to t.
func (t *Totals) Add(a Amounts) {
	for i, v := range a {
		if v == nil {
			t.Missing[i]++
		} else {
			t.Sum[i] += *v
		}
	}
	t.Count++
}

// Merge adds the totals o (e.g. a meal's) to t (e.g. its day's).
func (t *Totals) Merge(o Totals) {
	for i := range t.Sum {
		t.Sum[i] += o.Sum[i]
		t.Missing[i] += o.Missing[i]
	}
	t.Count += o.Count
}

// Get returns the known sum of n and how many items lacked it.
func (t Totals) Get(n Nutrient) (sum float64, missing int) {
	i := index(n)
	if i < 0 {
		return 0, 0
	}
	return t.Sum[i], t.Missing[i]
}

// SaltEquivalent returns the salt equivalent in grams of a sodium amount in
// milligrams: sodium (mg) × 2.54 / 1000. 2.54 is the mass ratio NaCl/Na
// (58.44 / 23.00), the factor of EU Regulation 1169/2011 Annex I (salt =
// sodium × 2.5, rounded) and of Japan's Food Labeling Standard (× 2.54).
func SaltEquivalent(sodiumMg float64) float64 { return sodiumMg * 2.54 / 1000 }
