package catalog

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"nutrigraph/internal/nutrition"
)

// FileFormat is the version of the data file layout that this package reads
// and writes (not the version of the data in it, see Data.Version).
const FileFormat = 1

// Data is the content of a catalogue data file: foods of one source with
// their nutrients per 100 g and their household portions. See docs/foods.md.
type Data struct {
	// Format is FileFormat.
	Format int `json:"format"`
	// Source names the data set; it is the foods.source of every row
	// imported from it, e.g. "usda-sr26".
	Source string `json:"source"`
	// Version is the version of the data. Installed rows remember it
	// (foods.source_version); a higher version updates them in place.
	Version int `json:"version"`
	// Credit is the attribution the data set asks for.
	Credit string `json:"credit"`
	// Nutrients are the nutrient codes (nutrition.Nutrient) of the values
	// in Food.Nutrients, in that order.
	Nutrients []string `json:"nutrients"`
	// Groups are the food group names that Food.Group indexes.
	Groups []string `json:"groups"`
	// Foods are ordered by source id.
	Foods []Food `json:"foods"`
}

// Food is one food of a data file.
type Food struct {
	// SourceID is the food's id in the source (USDA NDB_No).
	SourceID string `json:"id"`
	// Name is the food's name (USDA Long_Desc).
	Name string `json:"name"`
	// Group indexes Data.Groups; -1 for none.
	Group int `json:"g"`
	// Nutrients holds the amount per 100 g of each of Data.Nutrients, in
	// the nutrient's unit; nil when the source does not know it.
	Nutrients []*float64 `json:"n"`
	// Portions are household measures in the source's order.
	Portions []Portion `json:"p,omitempty"`
}

// Portion is a household measure: Amount × Unit weighs Grams.
type Portion struct {
	Amount float64
	Unit   string
	Grams  float64
}

// MarshalJSON writes a portion as [amount, "unit", grams].
func (p Portion) MarshalJSON() ([]byte, error) {
	u, err := json.Marshal(p.Unit)
	if err != nil {
		return nil, err
	}
	return []byte("[" + formatNumber(p.Amount) + "," + string(u) + "," + formatNumber(p.Grams) + "]"), nil
}

// UnmarshalJSON reads a portion written by MarshalJSON.
func (p *Portion) UnmarshalJSON(b []byte) error {
	var v []json.RawMessage
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if len(v) != 3 {
		return fmt.Errorf("portion: want [amount, unit, grams], got %s", b)
	}
	if err := json.Unmarshal(v[0], &p.Amount); err != nil {
		return fmt.Errorf("portion amount: %w", err)
	}
	if err := json.Unmarshal(v[1], &p.Unit); err != nil {
		return fmt.Errorf("portion unit: %w", err)
	}
	if err := json.Unmarshal(v[2], &p.Grams); err != nil {
		return fmt.Errorf("portion grams: %w", err)
	}
	return nil
}

// formatNumber writes v in the shortest form that reads back exactly.
func formatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// GroupName returns the food group of f in d, or "" for none.
func (d *Data) GroupName(f *Food) string {
	if f.Group < 0 || f.Group >= len(d.Groups) {
		return ""
	}
	return d.Groups[f.Group]
}

// Validate checks what the loader relies on: a known format, a source and
// a positive version, nutrients of the catalogue, one value per nutrient,
// unique source ids, valid group indexes, non-negative finite amounts and
// portions with a positive amount and weight.
func (d *Data) Validate() error {
	switch {
	case d.Format != FileFormat:
		return fmt.Errorf("catalog: data file format %d, this build reads %d", d.Format, FileFormat)
	case d.Source == "":
		return errors.New("catalog: data file without a source")
	case d.Version < 1:
		return fmt.Errorf("catalog: data version %d, want ≥ 1", d.Version)
	}
	seenNutrient := map[string]bool{}
	for _, n := range d.Nutrients {
		if _, ok := nutrition.Info(nutrition.Nutrient(n)); !ok || seenNutrient[n] {
			return fmt.Errorf("catalog: data file nutrient %q unknown or repeated", n)
		}
		seenNutrient[n] = true
	}
	seen := make(map[string]bool, len(d.Foods))
	for i := range d.Foods {
		f := &d.Foods[i]
		switch {
		case f.SourceID == "" || seen[f.SourceID]:
			return fmt.Errorf("catalog: food %d: source id %q empty or repeated", i, f.SourceID)
		case f.Name == "" || len(f.Name) > 300:
			return fmt.Errorf("catalog: food %s: name empty or longer than 300 bytes", f.SourceID)
		case f.Group < -1 || f.Group >= len(d.Groups):
			return fmt.Errorf("catalog: food %s: group %d out of range", f.SourceID, f.Group)
		case len(f.Nutrients) != len(d.Nutrients):
			return fmt.Errorf("catalog: food %s: %d nutrient values for %d nutrients", f.SourceID, len(f.Nutrients), len(d.Nutrients))
		}
		seen[f.SourceID] = true
		for j, v := range f.Nutrients {
			if v != nil && (*v < 0 || math.IsNaN(*v) || math.IsInf(*v, 0)) {
				return fmt.Errorf("catalog: food %s: %s = %v", f.SourceID, d.Nutrients[j], *v)
			}
		}
		for j, p := range f.Portions {
			if !(p.Amount > 0) || !(p.Grams > 0) || p.Unit == "" || len(p.Unit) > 200 ||
				math.IsInf(p.Amount, 0) || math.IsInf(p.Grams, 0) {
				return fmt.Errorf("catalog: food %s: portion %d (%v %q = %v g) is not valid", f.SourceID, j+1, p.Amount, p.Unit, p.Grams)
			}
		}
	}
	return nil
}

// Decode reads a data file (gzip-compressed JSON) and validates it.
func Decode(r io.Reader) (*Data, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("catalog: data file: %w", err)
	}
	defer zr.Close()
	var d Data
	dec := json.NewDecoder(bufio.NewReader(zr))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("catalog: data file: %w", err)
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return &d, nil
}

// Encode writes d as a data file: gzip-compressed JSON, one food per line,
// byte-for-byte the same for the same data (no time stamp in the header).
func Encode(w io.Writer, d *Data) error {
	if err := d.Validate(); err != nil {
		return err
	}
	header := *d
	header.Foods = nil
	hb, err := json.Marshal(header)
	if err != nil {
		return err
	}
	// Splice the foods in one per line: `{…,"foods":[\n{…},\n{…}\n]}`.
	hb = bytes.TrimSuffix(hb, []byte(`"foods":null}`))
	var buf bytes.Buffer
	buf.Write(hb)
	buf.WriteString(`"foods":[`)
	var food bytes.Buffer
	enc := json.NewEncoder(&food)
	enc.SetEscapeHTML(false)
	for i := range d.Foods {
		food.Reset()
		if err := enc.Encode(&d.Foods[i]); err != nil {
			return err
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
		buf.Write(bytes.TrimSuffix(food.Bytes(), []byte("\n")))
	}
	buf.WriteString("\n]}\n")
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(buf.Bytes()); err != nil {
		return err
	}
	return zw.Close()
}
