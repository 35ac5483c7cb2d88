package catalog

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// srDir is where the SR26 files are in the development checkout.
const srDir = "../../../shared/data/usda-sr"

// TestDataFileIsUpToDate regenerates the data file from the SR26 files and
// compares it byte for byte with the committed one.
func TestDataFileIsUpToDate(t *testing.T) {
	if _, err := os.Stat(filepath.Join(srDir, "ABBREV.txt")); err != nil {
		t.Skipf("SR26 source files not available: %v", err)
	}
	d, err := ConvertSR(srDir, DataVersion)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Encode(&buf, d); err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("data/usda-sr26.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), committed) {
		t.Fatal("data/usda-sr26.json.gz differs from a fresh conversion: run go run ./internal/catalog/cmd/convert (see docs/foods.md)")
	}
}

func TestConvertSRMapping(t *testing.T) {
	if _, err := os.Stat(filepath.Join(srDir, "ABBREV.txt")); err != nil {
		t.Skipf("SR26 source files not available: %v", err)
	}
	d, err := ConvertSR(srDir, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Foods) != 8463 || len(d.Groups) != 25 || d.Version != 7 || d.Credit != CreditUSDASR26 {
		t.Fatalf("foods %d groups %d version %d credit %q", len(d.Foods), len(d.Groups), d.Version, d.Credit)
	}
	f := d.Foods[0]
	if f.SourceID != "01001" || f.Name != "Butter, salted" || d.GroupName(&f) != "Dairy and Egg Products" {
		t.Fatalf("first food %+v", f)
	}
	want := map[string]float64{"energy_kcal": 717, "protein": 0.85, "fat": 81.11, "saturated_fat": 51.368,
		"carbohydrate": 0.06, "sugars": 0.06, "fiber": 0, "sodium": 643, "potassium": 24, "calcium": 24, "iron": 0.02, "vitamin_c": 0}
	for i, n := range d.Nutrients {
		if v := f.Nutrients[i]; v == nil || *v != want[n] {
			t.Errorf("butter %s = %v, want %v", n, v, want[n])
		}
	}
	if len(f.Portions) != 4 || f.Portions[2] != (Portion{1, "cup", 227}) {
		t.Errorf("butter portions %+v", f.Portions)
	}
}

func TestConvertSRFormat(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	abbrev := func(id string, set map[int]string) string {
		fields := make([]string, abbrevFields)
		fields[0], fields[1] = "~"+id+"~", "~X~"
		for i, v := range set {
			fields[i-1] = v
		}
		return joinCaret(fields)
	}
	write("FD_GROUP.txt", "~0100~^~Dairy \xe9~\r\n")
	write("FOOD_DES.txt", "~00002~^~0100~^~B, with ^ caret? no~^~~^~~^~~^~~^~~^0^~~^^^^\r\n"+
		"~00001~^~0100~^~A, raw~^~A~^~~^~~^~Y~^~~^0^~~^6.25^4^9^4\r\n")
	write("ABBREV.txt", abbrev("00001", map[int]string{4: "100", 5: "0.0", 16: "5"})+"\r\n"+abbrev("00002", nil)+"\r\n")
	write("WEIGHT.txt", "~00001~^2^1^~cup~^240^^\r\n~00001~^1^0.5^~tbsp~^7.5^3^0.1\r\n")
	_, err := ConvertSR(dir, 1)
	if err == nil {
		t.Fatal("a name with a ^ was accepted")
	}
	write("FOOD_DES.txt", "~00002~^~0100~^~B~^~~^~~^~~^~~^~~^0^~~^^^^\r\n"+
		"~00001~^~0100~^~A, raw~^~A~^~~^~~^~Y~^~~^0^~~^6.25^4^9^4\r\n")
	d, err := ConvertSR(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	if d.Groups[0] != "Dairy é" {
		t.Errorf("ISO-8859-1 group name read as %q", d.Groups[0])
	}
	a, b := d.Foods[0], d.Foods[1]
	if a.SourceID != "00001" || b.SourceID != "00002" {
		t.Fatalf("foods not ordered by source id: %s, %s", a.SourceID, b.SourceID)
	}
	if *a.Nutrients[0] != 100 || a.Nutrients[1] == nil || *a.Nutrients[1] != 0 || a.Nutrients[2] != nil || *a.Nutrients[7] != 5 {
		t.Errorf("A nutrients: energy %v protein %v fat %v sodium %v", a.Nutrients[0], a.Nutrients[1], a.Nutrients[2], a.Nutrients[7])
	}
	for i, v := range b.Nutrients {
		if v != nil {
			t.Errorf("B %s = %v, want unknown", d.Nutrients[i], *v)
		}
	}
	if len(a.Portions) != 2 || a.Portions[0] != (Portion{0.5, "tbsp", 7.5}) || a.Portions[1] != (Portion{1, "cup", 240}) {
		t.Errorf("portions not in Seq order: %+v", a.Portions)
	}
	var buf bytes.Buffer
	if err := Encode(&buf, d); err != nil {
		t.Fatal(err)
	}
	back, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if back.Foods[1].Nutrients[0] != nil || *back.Foods[0].Nutrients[1] != 0 || back.Foods[0].Portions[0] != a.Portions[0] {
		t.Errorf("round trip lost unknown vs zero or portions: %+v", back.Foods)
	}

	write("WEIGHT.txt", "~00001~^1^0^~cup~^240^^\r\n")
	if _, err := ConvertSR(dir, 1); err == nil {
		t.Error("a portion of amount 0 was accepted")
	}
	write("WEIGHT.txt", "~00009~^1^1^~cup~^240^^\r\n")
	if _, err := ConvertSR(dir, 1); err == nil {
		t.Error("a portion of an unknown food was accepted")
	}
}

func joinCaret(fields []string) string {
	var b bytes.Buffer
	for i, f := range fields {
		if i > 0 {
			b.WriteByte('^')
		}
		b.WriteString(f)
	}
	return b.String()
}
