// Package e2e holds nutrigraph's end-to-end tests: a week of use against the
// built binary on SQLite and PostgreSQL (journey_test.go), the number of SQL
// statements the read resolvers issue (statements_test.go), and the CSV
// export (csv_test.go). They talk to the server over HTTP, as a frontend
// does, and compute every expected number on their own.
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
)

// client sends GraphQL requests over HTTP, with a bearer token once it has one.
type client struct {
	t     testing.TB
	base  string // http://host:port
	token string
	http  *http.Client
}

func newClient(t testing.TB, base string) *client {
	return &client{t: t, base: base, http: &http.Client{Timeout: 60 * time.Second}}
}

// gqlError is one entry of a GraphQL response's errors.
type gqlError struct {
	Message    string
	Path       []any
	Extensions map[string]any
}

func (e gqlError) String() string {
	return fmt.Sprintf("%s (path %v, extensions %v)", e.Message, e.Path, e.Extensions)
}

// post sends one operation and returns its data and errors.
func (c *client) post(query string, vars map[string]any) (json.RawMessage, []gqlError) {
	c.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.base+"/graphql", bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("POST /graphql: %v", err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("POST /graphql: reading the body: %v", err)
	}
	var out struct {
		Data   json.RawMessage
		Errors []gqlError
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		c.t.Fatalf("POST /graphql: status %d, body %q: %v", res.StatusCode, raw, err)
	}
	return out.Data, out.Errors
}

// do sends one operation, fails the test on any error, and decodes data into out.
func (c *client) do(out any, query string, vars map[string]any) {
	c.t.Helper()
	data, errs := c.post(query, vars)
	if len(errs) > 0 {
		c.t.Fatalf("GraphQL errors for %s\nvariables %v:\n%v", firstLine(query), vars, errs)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("decoding %s: %v\n%s", data, err, firstLine(query))
		}
	}
}

// get sends a GET with the bearer token (if any).
func (c *client) get(path string) *http.Response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
	return res
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// register creates an account and keeps its token.
func (c *client) register(email, zone string) {
	c.t.Helper()
	var r struct{ Register struct{ Token string } }
	c.do(&r, `mutation($in: RegisterInput!) { register(input: $in) { token } }`,
		map[string]any{"in": map[string]any{"email": email, "password": "correct horse battery", "timeZone": zone}})
	if r.Register.Token == "" {
		c.t.Fatal("register: empty token")
	}
	c.token = r.Register.Token
}

// --- nutrients -------------------------------------------------------------

// numNutrients is the size of the nutrient catalogue (DESIGN §4).
const numNutrients = 12

// The catalogue in its order, as GraphQL enum values, as fields of Food and
// FoodEntry and NutrientAmountsInput, and as CSV columns. Written out here
// rather than taken from internal/nutrition: the tests check the API's
// names, not the package's.
var (
	nutrientEnums = [numNutrients]string{"ENERGY_KCAL", "PROTEIN", "FAT", "SATURATED_FAT", "CARBOHYDRATE",
		"SUGARS", "FIBER", "SODIUM", "POTASSIUM", "CALCIUM", "IRON", "VITAMIN_C"}
	nutrientFields = [numNutrients]string{"energyKcal", "proteinG", "fatG", "saturatedFatG", "carbohydrateG",
		"sugarsG", "fiberG", "sodiumMg", "potassiumMg", "calciumMg", "ironMg", "vitaminCMg"}
	nutrientColumns = [numNutrients]string{"energy_kcal", "protein_g", "fat_g", "saturated_fat_g", "carbohydrate_g",
		"sugars_g", "fiber_g", "sodium_mg", "potassium_mg", "calcium_mg", "iron_mg", "vitamin_c_mg"}
)

const sodiumIndex = 7

// amounts are nutrient amounts in catalogue order; nil is unknown.
type amounts [numNutrients]*float64

// input returns the amounts as a NutrientAmountsInput (unknown left out).
func (a amounts) input() map[string]any {
	m := map[string]any{}
	for i, v := range a {
		if v != nil {
			m[nutrientFields[i]] = *v
		}
	}
	return m
}

func f64(v float64) *float64 { return &v }

// near reports whether got is want within a relative 1e-9.
func near(got, want float64) bool {
	if got == want {
		return true
	}
	return math.Abs(got-want) <= 1e-9*math.Max(math.Abs(got), math.Abs(want))
}

// totals are the sums of some entries' amounts: per nutrient the sum of the
// known amounts and the count of entries that did not know it.
type totals struct {
	sum     [numNutrients]float64
	missing [numNutrients]int
	entries int
}

func (t *totals) add(a amounts) {
	for i, v := range a {
		if v == nil {
			t.missing[i]++
		} else {
			t.sum[i] += *v
		}
	}
	t.entries++
}
