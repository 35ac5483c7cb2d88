package nutrition

import (
	"math"
	"testing"
	"time"
)

func f(v float64) *float64 { return &v }

func TestCatalogueSize(t *testing.T) {
	if len(Catalogue) != numNutrients {
		t.Fatalf("Catalogue has %d nutrients, Amounts holds %d", len(Catalogue), numNutrients)
	}
	seen := map[string]bool{}
	for _, n := range Catalogue {
		if seen[n.Column] || seen[string(n.Nutrient)] {
			t.Fatalf("duplicate %v", n)
		}
		seen[n.Column], seen[string(n.Nutrient)] = true, true
	}
}

func TestAmountsScaleAndTotals(t *testing.T) {
	// Salted butter per 100 g (USDA SR26 01001): 717 kcal, 643 mg sodium; vitamin C unknown here.
	butter := Amounts{}.With(EnergyKcal, 717).With(Sodium, 643).With(Protein, 0.85)
	pat := butter.Scale(14) // one pat, 14 g
	cases := []struct {
		n    Nutrient
		want float64
		ok   bool
	}{
		{EnergyKcal, 100.38, true},
		{Sodium, 90.02, true},
		{Protein, 0.119, true},
		{VitaminC, 0, false},
	}
	for _, c := range cases {
		got, ok := pat.Get(c.n)
		if ok != c.ok || math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: got %v,%v want %v,%v", c.n, got, ok, c.want, c.ok)
		}
	}
	var tot Totals
	tot.Add(pat)
	tot.Add(Amounts{}.With(EnergyKcal, 0).With(VitaminC, 12)) // a known zero is not unknown
	tot.Add(Amounts{})
	for _, c := range []struct {
		n       Nutrient
		sum     float64
		missing int
	}{
		{EnergyKcal, 100.38, 1},
		{VitaminC, 12, 2},
		{Sodium, 90.02, 2},
		{Iron, 0, 3},
	} {
		sum, missing := tot.Get(c.n)
		if math.Abs(sum-c.sum) > 1e-9 || missing != c.missing {
			t.Errorf("%s: got %v/%d want %v/%d", c.n, sum, missing, c.sum, c.missing)
		}
	}
	if tot.Count != 3 {
		t.Errorf("count %d", tot.Count)
	}
	var day Totals
	day.Merge(tot)
	day.Merge(tot)
	if s, m := day.Get(EnergyKcal); math.Abs(s-200.76) > 1e-9 || m != 2 || day.Count != 6 {
		t.Errorf("merge: %v %d %d", s, m, day.Count)
	}
	if got := SaltEquivalent(643); math.Abs(got-1.63322) > 1e-12 {
		t.Errorf("salt %v", got)
	}
}

func TestAmountsValidate(t *testing.T) {
	for _, c := range []struct {
		a     Amounts
		field string
	}{
		{Amounts{}, ""},
		{Amounts{}.With(Fat, 0), ""},
		{Amounts{}.With(Fat, -1), "e.fat"},
		{Amounts{}.With(Iron, math.NaN()), "e.iron"},
		{Amounts{}.With(EnergyKcal, math.Inf(1)), "e.energy_kcal"},
		{Amounts{}.With(EnergyKcal, 1e308), "e.energy_kcal"},
		{Amounts{}.With(Sodium, MaxAmount), ""},
		{Amounts{}.With(Sodium, MaxAmount*1.000001), "e.sodium"},
	} {
		err := c.a.Validate("e")
		if FieldOf(err) != c.field || (c.field == "") != (err == nil) {
			t.Errorf("%v: got %v", c.field, err)
		}
	}
}

func TestJudge(t *testing.T) {
	for _, c := range []struct {
		dir      Direction
		goal     float64
		consumed float64
		want     Status
		ratio    float64
	}{
		{AtLeast, 25, 24.9, Under, 0.996},
		{AtLeast, 25, 25, Within, 1},
		{AtLeast, 25, 80, Within, 3.2},
		{AtMost, 2000, 2000, Within, 1},
		{AtMost, 2000, 2000.5, Over, 1.00025},
		{AtMost, 2000, 0, Within, 0},
		{Around, 2000, 1799.9, Under, 0.89995},
		{Around, 2000, 1800, Within, 0.9},
		{Around, 2000, 2200, Within, 1.1},
		{Around, 2000, 2200.1, Over, 1.10005},
	} {
		p := Judge(Goal{EnergyKcal, c.goal, c.dir}, c.consumed, 0)
		if p.Status != c.want || p.Ratio == nil || math.Abs(*p.Ratio-c.ratio) > 1e-12 {
			t.Errorf("%s %v of %v: got %s %v", c.dir, c.consumed, c.goal, p.Status, p.Ratio)
		}
	}
	if p := Judge(Goal{Sugars, 1e-310, AtMost}, 1e300, 0); p.Ratio != nil || p.Status != Over {
		t.Errorf("overflowing ratio: %+v", p)
	}
	if p := Judge(Goal{Sugars, 0, AtMost}, 3, 1); p.Ratio != nil || p.Status != Over || p.Missing != 1 {
		t.Errorf("zero goal: %+v", p)
	}
}

func TestLocalDate(t *testing.T) {
	ny, _ := LoadZone("America/New_York")
	tokyo, _ := LoadZone("Asia/Tokyo")
	berlin, _ := LoadZone("Europe/Berlin")
	for _, c := range []struct {
		name string
		at   string
		loc  *time.Location
		want string
	}{
		{"UTC evening is next day in Tokyo", "2026-03-07T20:30:00Z", tokyo, "2026-03-08"},
		{"UTC early morning is previous day in New York", "2026-03-08T03:59:00Z", ny, "2026-03-07"},
		// 2026-03-08 is the US spring-forward day: 02:00 EST → 03:00 EDT.
		{"just before the DST change", "2026-03-08T06:59:59Z", ny, "2026-03-08"},
		{"just after the DST change", "2026-03-08T07:00:00Z", ny, "2026-03-08"},
		{"last minute of the 23-hour day", "2026-03-09T03:59:59Z", ny, "2026-03-08"},
		{"first minute of the next day (EDT)", "2026-03-09T04:00:00Z", ny, "2026-03-09"},
		// 2026-10-25 is the EU fall-back day: a 25-hour day in Berlin.
		{"25-hour day, repeated hour", "2026-10-25T00:30:00Z", berlin, "2026-10-25"},
		{"25-hour day, last minute", "2026-10-25T22:59:59Z", berlin, "2026-10-25"},
		{"after the 25-hour day", "2026-10-25T23:00:00Z", berlin, "2026-10-26"},
	} {
		at, _ := time.Parse(time.RFC3339, c.at)
		if got := LocalDate(at, c.loc).String(); got != c.want {
			t.Errorf("%s: got %s want %s", c.name, got, c.want)
		}
	}
	// A meal's date is fixed when written: the same instant read in another
	// zone later gives another date, which is why the date is stored.
	at, _ := time.Parse(time.RFC3339, "2026-05-01T23:30:00Z")
	if LocalDate(at, time.UTC).String() != "2026-05-01" || LocalDate(at, tokyo).String() != "2026-05-02" {
		t.Error("zone change")
	}
	for _, bad := range []string{"", "Local", "Mars/Base"} {
		if _, err := LoadZone(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestDates(t *testing.T) {
	d, err := ParseDate("x", "2024-02-29")
	if err != nil || d.String() != "2024-02-29" {
		t.Fatal(d, err)
	}
	if d.AddDays(1).String() != "2024-03-01" || d.AddYears(1).String() != "2025-03-01" || d.AddDays(-60).String() != "2023-12-31" {
		t.Error("arithmetic")
	}
	if d.DaysUntil(Date{2025, 2, 28}) != 365 || !d.Before(d.AddDays(1)) || !d.AddDays(1).After(d) {
		t.Error("comparison")
	}
	for _, bad := range []string{"2024-02-30", "24-02-01", "2024/02/01", "", "2024-13-01"} {
		if _, err := ParseDate("when", bad); FieldOf(err) != "when" {
			t.Errorf("%q: %v", bad, err)
		}
	}
	for _, c := range []struct {
		birth, day string
		age        int
	}{
		{"1990-05-17", "2026-05-16", 35},
		{"1990-05-17", "2026-05-17", 36},
		{"2000-02-29", "2026-02-28", 25},
		{"2000-02-29", "2026-03-01", 26},
	} {
		b, _ := ParseDate("", c.birth)
		d, _ := ParseDate("", c.day)
		if got := AgeOn(b, d); got != c.age {
			t.Errorf("%s on %s: %d want %d", c.birth, c.day, got, c.age)
		}
	}
}

func TestComputeGoals(t *testing.T) {
	today := Date{2026, 6, 1}
	mk := func(sex Sex, birth string, h, w float64, lvl ActivityLevel, goal WeightGoal) Profile {
		b, _ := ParseDate("", birth)
		return Profile{Sex: &sex, BirthDate: &b, HeightCm: &h, WeightKg: &w, ActivityLevel: &lvl, Goal: goal, TimeZone: "UTC"}
	}
	for _, c := range []struct {
		name string
		p    Profile
		want map[Nutrient]float64
	}{
		{
			// BMR = 10×60 + 6.25×165 − 5×30 − 161 = 1320.25; × 1.55 = 2046.39 → 2046 kcal.
			"woman 30, moderate, maintain", mk(Female, "1996-01-15", 165, 60, Moderate, Maintain),
			map[Nutrient]float64{EnergyKcal: 2046, Protein: 102.3, Fat: 68.2, SaturatedFat: 22.7, Carbohydrate: 255.8, Fiber: 28.6, Sodium: 2000, Potassium: 3510},
		},
		{
			// BMR = 800 + 1125 − 200 + 5 = 1730; × 1.2 = 2076; − 500 = 1576 kcal.
			"man 40, sedentary, lose", mk(Male, "1986-05-31", 180, 80, Sedentary, Lose),
			map[Nutrient]float64{EnergyKcal: 1576, Protein: 78.8, Carbohydrate: 197},
		},
		{
			// BMR = 450 + 937.5 − 350 − 161 = 876.5; × 1.2 − 500 = 551.8 → floor 1200 kcal.
			"floor for women", mk(Female, "1956-01-01", 150, 45, Sedentary, Lose),
			map[Nutrient]float64{EnergyKcal: 1200, Fiber: 16.8},
		},
		{
			// BMR = 700 + 1093.75 − 125 + 5 = 1673.75; × 1.9 = 3180.125; + 300 = 3480 kcal.
			"man 25, very active, gain", mk(Male, "2001-01-01", 175, 70, VeryActive, Gain),
			map[Nutrient]float64{EnergyKcal: 3480, Fat: 116},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			goals, err := ComputeGoals(c.p, today)
			if err != nil {
				t.Fatal(err)
			}
			if err := ValidateGoals("goals", goals); err != nil {
				t.Fatal(err)
			}
			got := map[Nutrient]float64{}
			for _, g := range goals {
				got[g.Nutrient] = g.Amount
			}
			for n, want := range c.want {
				if math.Abs(got[n]-want) > 1e-9 {
					t.Errorf("%s: got %v want %v", n, got[n], want)
				}
			}
		})
	}
	p := mk(Female, "1996-01-15", 165, 60, Moderate, Maintain)
	p.HeightCm = nil
	if _, err := ComputeGoals(p, today); FieldOf(err) != "profile.heightCm" {
		t.Errorf("missing height: %v", err)
	}
	if _, err := ComputeGoals(mk(Male, "2015-01-01", 140, 35, Active, Maintain), today); FieldOf(err) != "profile.birthDate" {
		t.Errorf("child: %v", err)
	}
}

func TestValidateGoals(t *testing.T) {
	for _, c := range []struct {
		goals []Goal
		field string
	}{
		{nil, "goals"},
		{[]Goal{{EnergyKcal, 2000, Around}}, ""},
		{[]Goal{{"vitamin_z", 1, AtLeast}}, "goals.0.nutrient"},
		{[]Goal{{Fat, 1, AtLeast}, {Fat, 2, AtMost}}, "goals.1.nutrient"},
		{[]Goal{{Fat, -1, AtLeast}}, "goals.0.amount"},
		{[]Goal{{Fat, math.NaN(), AtLeast}}, "goals.0.amount"},
		{[]Goal{{Fat, 1e-310, AtLeast}}, "goals.0.amount"},
		{[]Goal{{Fat, 0, AtMost}}, ""},
		{[]Goal{{Fat, MinGoal, AtMost}}, ""},
		{[]Goal{{Fat, 2e6, AtMost}}, "goals.0.amount"},
		{[]Goal{{Fat, 1, "SIDEWAYS"}}, "goals.0.direction"},
	} {
		if got := FieldOf(ValidateGoals("goals", c.goals)); got != c.field {
			t.Errorf("%v: got field %q want %q", c.goals, got, c.field)
		}
	}
}

func TestPlans(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	trial := NewTrialAccount(ID{1}, now)
	for _, c := range []struct {
		name string
		a    BillingAccount
		at   time.Time
		want Plan
	}{
		{"trial", trial, now, PlanPremium},
		{"trial last second", trial, now.Add(TrialLength - time.Second), PlanPremium},
		{"trial ended", trial, now.Add(TrialLength), PlanFree},
		{"active", BillingAccount{Plan: PlanPremium, Status: StatusActive}, now, PlanPremium},
		{"past due", BillingAccount{Plan: PlanPremium, Status: StatusPastDue}, now, PlanFree},
		{"canceled", BillingAccount{Plan: PlanPremium, Status: StatusCanceled}, now, PlanFree},
	} {
		if got := c.a.EffectivePlan(c.at); got != c.want {
			t.Errorf("%s: %s", c.name, got)
		}
	}
	free := EntitlementsOf(PlanFree)
	if free.Allow(LimitTargets, 0) != nil || CodeOf(free.Allow(LimitTargets, 1)) != CodePlanLimit {
		t.Error("targets")
	}
	if free.Allow(LimitOwnFoods, 29) != nil || FieldOf(free.Allow(LimitOwnFoods, 30)) != "own_foods" {
		t.Error("own foods")
	}
	if EntitlementsOf(PlanPremium).Allow(LimitOwnFoods, 1e6) != nil {
		t.Error("premium is unlimited")
	}
	for _, c := range []struct {
		from BillingStatus
		ev   BillingEventType
		to   BillingStatus
		code ErrorCode
	}{
		{StatusTrialing, EventActivated, StatusActive, ""},
		{StatusTrialing, EventRenewed, StatusTrialing, CodeConflict},
		{StatusTrialing, EventFailed, StatusTrialing, CodeConflict},
		{StatusTrialing, EventCanceled, StatusCanceled, ""},
		{StatusActive, EventActivated, StatusActive, CodeConflict},
		{StatusActive, EventRenewed, StatusActive, ""},
		{StatusActive, EventFailed, StatusPastDue, ""},
		{StatusPastDue, EventRenewed, StatusActive, ""},
		{StatusPastDue, EventCanceled, StatusCanceled, ""},
		{StatusCanceled, EventActivated, StatusActive, ""},
		{StatusCanceled, EventRenewed, StatusCanceled, CodeConflict},
		{StatusCanceled, EventCanceled, StatusCanceled, CodeConflict},
		{StatusActive, "refund.issued", StatusActive, CodeInvalid},
	} {
		end := now.Add(30 * 24 * time.Hour)
		got, err := BillingAccount{Status: c.from}.Apply(c.ev, &end)
		if (c.code == "") != (err == nil) || (err != nil && CodeOf(err) != c.code) || got.Status != c.to {
			t.Errorf("%s + %s: got %s, %v", c.from, c.ev, got.Status, err)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{" Ada@Example.COM ", "ada@example.com"},
		{"a.b+c@sub.example.org", "a.b+c@sub.example.org"},
	} {
		got, err := NormalizeEmail("email", c.in)
		if err != nil || got != c.want {
			t.Errorf("%q: %q %v", c.in, got, err)
		}
	}
	for _, bad := range []string{"", "ada", "ada@", "@example.com", "Ada <ada@example.com>", "ada@localhost", "a b@example.com"} {
		if _, err := NormalizeEmail("email", bad); FieldOf(err) != "email" {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestSnapshotOn(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	d := func(s string) Date { x, _ := ParseDate("", s); return x }
	goal := func(kcal float64) []Goal { return []Goal{{EnergyKcal, kcal, Around}} }
	snaps := []Snapshot{
		{EffectiveFrom: d("2026-11-01"), CreatedAt: t0.Add(-30 * 24 * time.Hour), Goals: goal(2200)},
		// Written in Kiritimati (UTC+14): effective from its local 12-04.
		{EffectiveFrom: d("2026-12-04"), CreatedAt: t0, Goals: goal(2000)},
		// An hour later, after a move to Pago Pago (UTC-11): local today is 12-03.
		{EffectiveFrom: d("2026-12-03"), CreatedAt: t0.Add(time.Hour), Goals: goal(1500)},
	}
	for _, c := range []struct {
		day  string
		kcal float64
		ok   bool
	}{
		{"2026-10-31", 0, false},
		{"2026-11-15", 2200, true},
		{"2026-12-03", 1500, true},
		{"2026-12-04", 1500, true}, // the newer change wins over the older, later-dated one
		{"2026-12-05", 1500, true},
	} {
		s, ok := SnapshotOn(snaps, d(c.day))
		if ok != c.ok || (ok && s.Goals[0].Amount != c.kcal) {
			t.Errorf("%s: %v %+v", c.day, ok, s)
		}
	}
}
