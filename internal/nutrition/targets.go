package nutrition

import "math"

// Energy densities in kcal per gram (Atwater general factors; FAO Food and
// Nutrition Paper 77, "Food energy – methods of analysis and conversion
// factors", 2003, §3.2).
const (
	kcalPerGramProtein = 4.0
	kcalPerGramCarb    = 4.0
	kcalPerGramFat     = 9.0
)

// Energy adjustments for a weight goal, in kcal per day. A deficit of about
// 500 kcal/day gives a loss of about 0.5 kg a week (NHLBI, "Clinical
// Guidelines on the Identification, Evaluation, and Treatment of Overweight
// and Obesity in Adults", 1998, p. xxiii); a surplus of about 300 kcal/day is
// a moderate gain (ISSN position stand on diets and body composition, Aragon
// et al. 2017: 10–20 % above maintenance for lean-mass gain).
const (
	loseAdjustKcal = -500.0
	gainAdjustKcal = 300.0
)

// Energy floors (NHLBI 1998, as above: diets under 1,200 kcal for women and
// 1,500 kcal for men need medical supervision).
const (
	minKcalFemale = 1200.0
	minKcalMale   = 1500.0
)

// Macronutrient shares of energy, inside the Acceptable Macronutrient
// Distribution Ranges of the Institute of Medicine ("Dietary Reference
// Intakes for Energy, Carbohydrate, Fiber, Fat, Fatty Acids, Cholesterol,
// Protein, and Amino Acids", 2005, ch. 11: protein 10–35 %, fat 20–35 %,
// carbohydrate 45–65 %).
const (
	proteinShare = 0.20
	fatShare     = 0.30
	carbShare    = 0.50
)

// Limits as shares of energy: saturated fat under 10 % (WHO, "Healthy diet"
// fact sheet 394, 2020; Dietary Guidelines for Americans 2020–2025) and free
// sugars under 10 % (WHO, "Guideline: sugars intake for adults and children",
// 2015). Total sugars stand in for free sugars here: the catalogue has no
// added-sugar value.
const (
	satFatMaxShare = 0.10
	sugarMaxShare  = 0.10
)

// fibrePer1000Kcal is the adequate intake of dietary fibre: 14 g per
// 1,000 kcal (IOM 2005, as above, ch. 7).
const fibrePer1000Kcal = 14.0

// maxSodiumMg is the sodium limit: under 2 g sodium (5 g salt) a day (WHO,
// "Guideline: Sodium intake for adults and children", 2012).
const maxSodiumMg = 2000.0

// minPotassiumMg is the potassium goal: at least 90 mmol (3,510 mg) a day
// (WHO, "Guideline: Potassium intake for adults and children", 2012).
const minPotassiumMg = 3510.0

// Mifflin–St Jeor resting energy expenditure (Mifflin MD, St Jeor ST et al.,
// "A new predictive equation for resting energy expenditure in healthy
// individuals", Am J Clin Nutr 1990;51:241–7):
//
//	BMR = 10 × weight(kg) + 6.25 × height(cm) − 5 × age(y) + s,
//	s = +5 for men, −161 for women.
func MifflinStJeor(sex Sex, weightKg, heightCm float64, ageYears int) float64 {
	s := -161.0
	if sex == Male {
		s = 5
	}
	return 10*weightKg + 6.25*heightCm - 5*float64(ageYears) + s
}

// AgeOn returns the age in whole years on day of a person born on birth.
func AgeOn(birth, day Date) int {
	age := day.Year - birth.Year
	if day.Month < birth.Month || (day.Month == birth.Month && day.Day < birth.Day) {
		age--
	}
	return age
}

// ComputeGoals derives a target's goals from a profile on day today:
// energy (Mifflin–St Jeor × activity factor + goal adjustment, not under the
// floor), protein / fat / carbohydrate by energy share, saturated fat and
// sugars limits, fibre, sodium (salt) and potassium. A profile field the
// computation needs but lacks → BAD_USER_INPUT naming it.
func ComputeGoals(p Profile, today Date) ([]Goal, error) {
	switch {
	case p.Sex == nil:
		return nil, Invalid("profile.sex", "set the profile's sex to compute a target")
	case p.BirthDate == nil:
		return nil, Invalid("profile.birthDate", "set the profile's birth date to compute a target")
	case p.HeightCm == nil:
		return nil, Invalid("profile.heightCm", "set the profile's height to compute a target")
	case p.WeightKg == nil:
		return nil, Invalid("profile.weightKg", "set the profile's weight to compute a target")
	case p.ActivityLevel == nil:
		return nil, Invalid("profile.activityLevel", "set the profile's activity level to compute a target")
	}
	factor, ok := activityFactors[*p.ActivityLevel]
	if !ok {
		return nil, Invalid("profile.activityLevel", "unknown activity level %q", *p.ActivityLevel)
	}
	age := AgeOn(*p.BirthDate, today)
	if age < 18 {
		return nil, Invalid("profile.birthDate", "computed targets are for adults (18 or older); set a custom target")
	}
	kcal := MifflinStJeor(*p.Sex, *p.WeightKg, *p.HeightCm, age) * factor
	switch p.Goal {
	case Lose:
		kcal += loseAdjustKcal
	case Gain:
		kcal += gainAdjustKcal
	}
	floor := minKcalFemale
	if *p.Sex == Male {
		floor = minKcalMale
	}
	kcal = math.Round(math.Max(kcal, floor))
	round1 := func(x float64) float64 { return math.Round(x*10) / 10 }
	return []Goal{
		{EnergyKcal, kcal, Around},
		{Protein, round1(kcal * proteinShare / kcalPerGramProtein), Around},
		{Fat, round1(kcal * fatShare / kcalPerGramFat), Around},
		{SaturatedFat, round1(kcal * satFatMaxShare / kcalPerGramFat), AtMost},
		{Carbohydrate, round1(kcal * carbShare / kcalPerGramCarb), Around},
		{Sugars, round1(kcal * sugarMaxShare / kcalPerGramCarb), AtMost},
		{Fiber, round1(kcal / 1000 * fibrePer1000Kcal), AtLeast},
		{Sodium, maxSodiumMg, AtMost},
		{Potassium, minPotassiumMg, AtLeast},
	}, nil
}
