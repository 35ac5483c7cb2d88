package catalog

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"nutrigraph/internal/nutrition"
)

// USDA SR26, the data set the catalogue ships.
const (
	// SourceUSDASR26 is foods.source of the rows imported from SR26.
	SourceUSDASR26 = "usda-sr26"
	// CreditUSDASR26 is the credit line the USDA asks for.
	CreditUSDASR26 = "USDA National Nutrient Database for Standard Reference, Release 26"
)

// abbrevField maps each catalogue nutrient to its 1-based field in the SR
// ABBREV.txt table (see the data set's README). Every unit matches the
// catalogue's: kcal, g or mg per 100 g.
var abbrevField = map[nutrition.Nutrient]int{
	nutrition.EnergyKcal:   4,  // Energ_Kcal, kcal
	nutrition.Protein:      5,  // Protein, g
	nutrition.Fat:          6,  // Lipid_Tot, g
	nutrition.Carbohydrate: 8,  // Carbohydrt, g
	nutrition.Fiber:        9,  // Fiber_TD, g
	nutrition.Sugars:       10, // Sugar_Tot, g
	nutrition.Calcium:      11, // Calcium, mg
	nutrition.Iron:         12, // Iron, mg
	nutrition.Potassium:    15, // Potassium, mg
	nutrition.Sodium:       16, // Sodium, mg
	nutrition.VitaminC:     21, // Vit_C, mg
	nutrition.SaturatedFat: 45, // FA_Sat, g
}

// abbrevFields is the number of fields of an ABBREV.txt record.
const abbrevFields = 53

// ConvertSR reads the USDA SR26 files in dir (FOOD_DES.txt, FD_GROUP.txt,
// ABBREV.txt, WEIGHT.txt) and returns them as catalogue data of the given
// version: the long description as the name, the food group's description,
// the nutrients of the catalogue per 100 g (an empty field is unknown,
// never 0) and the household portions of WEIGHT.txt in Seq order.
func ConvertSR(dir string, version int) (*Data, error) {
	d := &Data{
		Format:  FileFormat,
		Source:  SourceUSDASR26,
		Version: version,
		Credit:  CreditUSDASR26,
	}
	for _, n := range nutrition.Catalogue {
		if _, ok := abbrevField[n.Nutrient]; !ok {
			return nil, fmt.Errorf("catalog: no SR26 field for nutrient %s: extend abbrevField", n.Nutrient)
		}
		d.Nutrients = append(d.Nutrients, string(n.Nutrient))
	}

	groups, err := readSR(dir, "FD_GROUP.txt", 2)
	if err != nil {
		return nil, err
	}
	groupIndex := map[string]int{}
	for _, g := range groups {
		groupIndex[g[0]] = len(d.Groups)
		d.Groups = append(d.Groups, g[1])
	}

	abbrev, err := readSR(dir, "ABBREV.txt", abbrevFields)
	if err != nil {
		return nil, err
	}
	nutrients := make(map[string][]*float64, len(abbrev))
	for _, rec := range abbrev {
		values := make([]*float64, len(nutrition.Catalogue))
		for i, n := range nutrition.Catalogue {
			field := abbrevField[n.Nutrient]
			v, err := srNumber(rec[field-1])
			if err != nil {
				return nil, fmt.Errorf("catalog: ABBREV.txt %s field %d (%s): %w", rec[0], field, n.Nutrient, err)
			}
			values[i] = v
		}
		if _, dup := nutrients[rec[0]]; dup {
			return nil, fmt.Errorf("catalog: ABBREV.txt: NDB_No %s repeated", rec[0])
		}
		nutrients[rec[0]] = values
	}

	weights, err := readSR(dir, "WEIGHT.txt", 7)
	if err != nil {
		return nil, err
	}
	type seqPortion struct {
		seq int
		Portion
	}
	portions := map[string][]seqPortion{}
	for _, rec := range weights {
		seq, err := strconv.Atoi(rec[1])
		if err != nil {
			return nil, fmt.Errorf("catalog: WEIGHT.txt %s: Seq %q: %w", rec[0], rec[1], err)
		}
		amount, err1 := srNumber(rec[2])
		grams, err2 := srNumber(rec[4])
		if err1 != nil || err2 != nil || amount == nil || grams == nil {
			return nil, fmt.Errorf("catalog: WEIGHT.txt %s seq %d: amount %q, grams %q", rec[0], seq, rec[2], rec[4])
		}
		portions[rec[0]] = append(portions[rec[0]], seqPortion{seq, Portion{Amount: *amount, Unit: rec[3], Grams: *grams}})
	}

	foods, err := readSR(dir, "FOOD_DES.txt", 14)
	if err != nil {
		return nil, err
	}
	for _, rec := range foods {
		id := rec[0]
		g, ok := groupIndex[rec[1]]
		if !ok {
			return nil, fmt.Errorf("catalog: FOOD_DES.txt %s: unknown food group %q", id, rec[1])
		}
		n, ok := nutrients[id]
		if !ok {
			return nil, fmt.Errorf("catalog: FOOD_DES.txt %s has no ABBREV.txt record", id)
		}
		delete(nutrients, id)
		ps := portions[id]
		delete(portions, id)
		sort.Slice(ps, func(i, j int) bool { return ps[i].seq < ps[j].seq })
		f := Food{SourceID: id, Name: rec[2], Group: g, Nutrients: n}
		for i, p := range ps {
			if i > 0 && ps[i-1].seq == p.seq {
				return nil, fmt.Errorf("catalog: WEIGHT.txt %s: Seq %d repeated", id, p.seq)
			}
			f.Portions = append(f.Portions, p.Portion)
		}
		d.Foods = append(d.Foods, f)
	}
	for id := range nutrients {
		return nil, fmt.Errorf("catalog: ABBREV.txt %s has no FOOD_DES.txt record", id)
	}
	for id := range portions {
		return nil, fmt.Errorf("catalog: WEIGHT.txt %s has no FOOD_DES.txt record", id)
	}
	sort.Slice(d.Foods, func(i, j int) bool { return d.Foods[i].SourceID < d.Foods[j].SourceID })
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

// readSR reads one SR file: CRLF-ended records of fields separated by "^",
// text fields wrapped in "~". Bytes that are not UTF-8 are read as
// ISO-8859-1 (NUTR_DEF.txt is; the other files are ASCII). Every record
// must have exactly nfields fields.
func readSR(dir, name string, nfields int) ([][]string, error) {
	path := filepath.Join(dir, name)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	text := string(b)
	if !utf8.ValidString(text) {
		text = latin1(b)
	}
	var recs [][]string
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			continue
		}
		fields := strings.Split(line, "^")
		if len(fields) != nfields {
			return nil, fmt.Errorf("catalog: %s line %d: %d fields, want %d", name, i+1, len(fields), nfields)
		}
		for j, f := range fields {
			if len(f) >= 2 && f[0] == '~' && f[len(f)-1] == '~' {
				fields[j] = f[1 : len(f)-1]
			} else if strings.Contains(f, "~") {
				return nil, fmt.Errorf("catalog: %s line %d field %d: unbalanced ~ in %q", name, i+1, j+1, f)
			}
		}
		recs = append(recs, fields)
	}
	return recs, nil
}

// latin1 decodes ISO-8859-1: every byte is the code point of the same value.
func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// srNumber parses a numeric SR field: empty is unknown (nil), anything else
// must be a non-negative decimal number.
func srNumber(s string) (*float64, error) {
	if s == "" {
		return nil, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 {
		return nil, fmt.Errorf("not a non-negative number: %q", s)
	}
	return &v, nil
}

// DataVersion is the version of the embedded data file. Raise it (and pass
// it to the converter) whenever the file's content changes: installed
// catalogues of a lower version are then updated in place.
const DataVersion = 1
