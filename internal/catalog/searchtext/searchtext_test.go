package searchtext

import (
	"reflect"
	"testing"
)

func TestWords(t *testing.T) {
	cases := map[string][]string{
		"Crème brûlée":                          {"creme", "brulee"},
		"McDONALD'S, Chicken SELECTS":           {"mcdonalds", "chicken", "selects"},
		"Milk, whole, 3.25% milkfat":            {"milk", "whole", "3", "25", "milkfat"},
		"Rose-apples, raw":                      {"rose", "apples", "raw"},
		"Straße Œuvre ÆBLE":                     {"strasse", "oeuvre", "aeble"},
		"  ,, ":                                 nil,
		"Çorba, şiş, ñandú, Ångström, naïve":    {"corba", "sis", "nandu", "angstrom", "naive"},
		"りんご ジュース":                              {"りんご", "ジュース"},
		"Fruit salad, (pineapple and papaya)":   {"fruit", "salad", "pineapple", "and", "papaya"},
		"50% less sodium; 1/2 cup (approx.)_ok": {"50", "less", "sodium", "1", "2", "cup", "approx", "ok"},
	}
	for in, want := range cases {
		if got := Words(in); !reflect.DeepEqual(got, want) {
			t.Errorf("Words(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestText(t *testing.T) {
	if got, want := Text("Apples, raw, with skin"), " apples raw with skin "; got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
	if got := Text("!!"); got != " " {
		t.Errorf("Text of no words = %q", got)
	}
}

func TestQuery(t *testing.T) {
	terms, ok := Query("Apples RAW apples berries peaches tomatoes glass hummus egg")
	if !ok {
		t.Fatal("not ok")
	}
	var prefixes []string
	for _, term := range terms {
		prefixes = append(prefixes, term.Prefix)
	}
	want := []string{"apple", "raw", "berr", "peach", "tomato", "glass", "hummus", "egg"}
	if !reflect.DeepEqual(prefixes, want) {
		t.Errorf("prefixes = %q, want %q", prefixes, want)
	}
	if got := terms[2].Whole; !reflect.DeepEqual(got, []string{"berry", "berries"}) {
		t.Errorf("whole forms of berries = %q", got)
	}
	if _, ok := Query("a b c d e f g h i j k"); ok {
		t.Error("11 words accepted")
	}
	if _, ok := Query("a b c d e f g h i j a b"); !ok {
		t.Error("10 distinct words refused")
	}
	if terms, ok := Query(" ,; "); !ok || len(terms) != 0 {
		t.Errorf("punctuation only = %v, %v", terms, ok)
	}
}

func TestRankOrdersSimpleFoodsFirst(t *testing.T) {
	order := [][2]string{
		{"Bananas, raw", "Fruits and Fruit Juices"},
		{"Snacks, banana chips", "Snacks"},
		{"Babyfood, fruit, bananas with tapioca, strained", "Baby Foods"},
	}
	for i := 1; i < len(order); i++ {
		a, b := Rank(order[i-1][0], order[i-1][1]), Rank(order[i][0], order[i][1])
		if a >= b {
			t.Errorf("Rank(%q) = %d, not before Rank(%q) = %d", order[i-1][0], a, order[i][0], b)
		}
	}
	if r := Rank("Cereals ready-to-eat, KELLOGG'S, FROOT LOOPS", "Breakfast Cereals"); r <= Rank("Cereals, oats, regular and quick, not fortified, dry", "Breakfast Cereals") {
		t.Errorf("branded cereal ranks %d, before the plain one", r)
	}
	for _, name := range []string{"", "x", string(make([]byte, 5000))} {
		if r := Rank(name, "Fast Foods"); r < 0 || r >= MaxRank {
			t.Errorf("Rank out of range: %d", r)
		}
	}
}
