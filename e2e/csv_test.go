package e2e

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"nutrigraph/internal/testdb"
)

var csvHeader = append([]string{"local_date", "eaten_at", "meal_type", "food_name", "grams"}, nutrientColumns[:]...)

// logMealID logs a meal of entries at at and returns its id and its entries' ids by position.
func logMealID(c *client, at time.Time, typ string, entries ...map[string]any) (string, map[int]string) {
	c.t.Helper()
	var r struct {
		LogMeal struct {
			ID      string
			Entries []struct {
				ID       string
				Position int
			}
		}
	}
	c.do(&r, `mutation($in: LogMealInput!) { logMeal(input: $in) { id entries { id position } } }`,
		map[string]any{"in": map[string]any{"eatenAt": at.Format(time.RFC3339), "mealType": typ, "entries": entries}})
	ids := map[int]string{}
	for _, e := range r.LogMeal.Entries {
		ids[e.Position] = e.ID
	}
	return r.LogMeal.ID, ids
}

// exportErr reads an error answer of the export.
func exportErr(t *testing.T, res *http.Response) (code, field string) {
	t.Helper()
	defer res.Body.Close()
	var body struct{ Errors []gqlError }
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || len(body.Errors) != 1 {
		t.Fatalf("error body: %v %+v", err, body)
	}
	code, _ = body.Errors[0].Extensions["code"].(string)
	field, _ = body.Errors[0].Extensions["field"].(string)
	return code, field
}

// TestExportCSV checks GET /export/entries.csv: a header row, one row per
// live entry of the viewer in order, eaten-at in the viewer's zone with its
// offset, unknown amounts empty and known zeros "0", RFC 4180 quoting and
// CRLF, UTF-8 names; deleted entries and meals and other users' entries left
// out; 401 without a valid token; 400 naming the parameter for a bad range.
func TestExportCSV(t *testing.T) {
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			s := newStack(t, dialect)
			ny, err := time.LoadLocation("America/New_York")
			if err != nil {
				t.Fatal(err)
			}
			a := s.user(t, "export-a@example.com", "America/New_York")
			b := s.user(t, "export-b@example.com", "Europe/Paris")

			// Known zeros (fibre, vitamin C) and unknowns (fat, sugars, …).
			var f struct{ CreateFood struct{ ID string } }
			a.do(&f, `mutation { createFood(input: {name: "Crème brûlée, 日本風",
				nutrients: {energyKcal: 290, proteinG: 4.5, fiberG: 0, vitaminCMg: 0, sodiumMg: 60}}) { id } }`, nil)
			now := time.Now().In(ny)
			at := func(day, h, m int) time.Time {
				return time.Date(now.Year(), now.Month(), now.Day()-2+day, h, m, 0, 0, ny)
			}
			date := func(day int) string { return at(day, 12, 0).Format(time.DateOnly) }
			soup := "Soup, \"hot\"\nwith croûtons"

			logMealID(a, at(0, 7, 5), "BREAKFAST",
				map[string]any{"foodId": f.CreateFood.ID, "grams": 125},
				map[string]any{"name": soup, "grams": 300, "nutrients": map[string]any{"energyKcal": 0, "sodiumMg": 820.5}})
			_, lunch := logMealID(a, at(0, 12, 40), "LUNCH",
				map[string]any{"name": "日本のお茶 (sencha)", "nutrients": map[string]any{"energyKcal": 2, "vitaminCMg": 6}},
				map[string]any{"name": "Tarte aux pommes — deleted", "nutrients": map[string]any{"energyKcal": 237.25}})
			a.do(nil, `mutation($id: ID!) { deleteEntry(id: $id) { id } }`, map[string]any{"id": lunch[1]})
			logMealID(a, at(1, 23, 30), "DINNER", // 04:30 UTC the next day
				map[string]any{"foodId": f.CreateFood.ID, "grams": 80})
			snack, _ := logMealID(a, at(1, 16, 0), "SNACK",
				map[string]any{"name": "Deleted snack", "nutrients": map[string]any{"energyKcal": 100}})
			a.do(nil, `mutation($id: ID!) { deleteMeal(id: $id) }`, map[string]any{"id": snack})
			logMealID(b, at(0, 9, 0), "BREAKFAST",
				map[string]any{"name": "Someone else's croissant", "nutrients": map[string]any{"energyKcal": 406}})

			eaten := func(t time.Time) string { return t.In(ny).Format(time.RFC3339) }
			row := func(day int, at time.Time, typ, name, grams string, amounts map[int]string) []string {
				r := []string{date(day), eaten(at), typ, name, grams}
				for i := range numNutrients {
					r = append(r, amounts[i])
				}
				return r
			}
			want := [][]string{
				csvHeader,
				row(0, at(0, 7, 5), "BREAKFAST", "Crème brûlée, 日本風", "125", map[int]string{0: "362.5", 1: "5.625", 6: "0", sodiumIndex: "75", 11: "0"}),
				row(0, at(0, 7, 5), "BREAKFAST", soup, "300", map[int]string{0: "0", sodiumIndex: "820.5"}),
				row(0, at(0, 12, 40), "LUNCH", "日本のお茶 (sencha)", "", map[int]string{0: "2", 11: "6"}),
				row(1, at(1, 23, 30), "DINNER", "Crème brûlée, 日本風", "80", map[int]string{0: "232", 1: "3.6", 6: "0", sodiumIndex: "48", 11: "0"}),
			}

			res := a.get("/export/entries.csv?from=" + date(-1) + "&to=" + date(1))
			raw, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("export: %d %v: %s", res.StatusCode, err, raw)
			}
			if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, date(-1)) {
				t.Errorf("Content-Disposition %q", cd)
			}
			got, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
			if err != nil {
				t.Fatalf("export is not CSV: %v\n%s", err, raw)
			}
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("export:\n%q\nwant\n%q", got, want)
			}
			// RFC 4180 on the wire: CRLF after every record, quotes doubled
			// inside a quoted field, UTF-8 without a byte-order mark.
			text := string(raw)
			if !utf8.Valid(raw) || strings.HasPrefix(text, "\uFEFF") {
				t.Error("export is not plain UTF-8")
			}
			if !strings.HasPrefix(text, strings.Join(csvHeader, ",")+"\r\n") || !strings.HasSuffix(text, "\r\n") {
				t.Errorf("records do not end with CRLF: %q", text)
			}
			if !strings.Contains(text, `,"Soup, ""hot""`+"\r\n"+`with croûtons",300,`) {
				t.Errorf("the soup is not quoted as RFC 4180 says: %q", text)
			}
			if strings.Contains(text, "Z,") || !strings.Contains(text, eaten(at(1, 23, 30))) {
				t.Errorf("eaten-at not in the user's zone with its offset: %q", text)
			}
			for _, absent := range []string{"deleted", "Deleted", "croissant"} {
				if strings.Contains(text, absent) {
					t.Errorf("export holds %q", absent)
				}
			}

			// The other user sees only their own entry.
			res = b.get("/export/entries.csv?from=" + date(-1) + "&to=" + date(1))
			got, err = csv.NewReader(res.Body).ReadAll()
			res.Body.Close()
			if err != nil || len(got) != 2 || got[1][3] != "Someone else's croissant" || !strings.HasSuffix(got[1][1], "+01:00") {
				t.Errorf("other user's export: %v %q", err, got)
			}

			// Without a token, or with a wrong one: 401.
			anon := newClient(t, s.srv.URL)
			res = anon.get("/export/entries.csv?from=" + date(-1) + "&to=" + date(1))
			if res.StatusCode != http.StatusUnauthorized || res.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("without a token: %d, WWW-Authenticate %q", res.StatusCode, res.Header.Get("WWW-Authenticate"))
			}
			if code, _ := exportErr(t, res); code != "UNAUTHENTICATED" {
				t.Errorf("without a token: code %s", code)
			}
			anon.token = "not-a-token"
			res = anon.get("/export/entries.csv?from=" + date(-1) + "&to=" + date(1))
			res.Body.Close()
			if res.StatusCode != http.StatusUnauthorized {
				t.Errorf("with a wrong token: %d", res.StatusCode)
			}

			// Bad ranges: 400 naming the parameter.
			for _, tc := range []struct{ query, field string }{
				{"to=2026-01-31", "from"},
				{"from=2026-02-30&to=2026-03-01", "from"},
				{"from=yesterday&to=2026-03-01", "from"},
				{"from=2026-03-01", "to"},
				{"from=2026-03-01&to=01/03/2026", "to"},
				{"from=2026-03-02&to=2026-03-01", "to"}, // reversed
				{"from=2025-01-01&to=2026-01-02", "to"}, // 367 days
				{"from=2024-01-01&to=2025-01-01", "to"}, // 367 days across a leap year
			} {
				res := a.get("/export/entries.csv?" + tc.query)
				if res.StatusCode != http.StatusBadRequest {
					res.Body.Close()
					t.Errorf("?%s: %d, want 400", tc.query, res.StatusCode)
					continue
				}
				if code, field := exportErr(t, res); code != "BAD_USER_INPUT" || field != tc.field {
					t.Errorf("?%s: %s naming %q, want BAD_USER_INPUT naming %q", tc.query, code, field, tc.field)
				}
			}
			res = a.get("/export/entries.csv?from=2024-01-01&to=2024-12-31") // 366 days: allowed
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Errorf("366 days: %d, want 200", res.StatusCode)
			}
		})
	}
}

// flushRecorder is a ResponseWriter that notes how much of the body was
// written each time the handler flushed.
type flushRecorder struct {
	header  http.Header
	status  int
	body    bytes.Buffer
	flushes []int
}

func (r *flushRecorder) Header() http.Header { return r.header }

func (r *flushRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *flushRecorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(p)
}

func (r *flushRecorder) Flush() { r.flushes = append(r.flushes, r.body.Len()) }

// TestExportCSVStreams exports 2,000 entries: the answer is complete, sent
// chunked (no Content-Length: the handler does not buffer it to measure
// it), and the handler flushes as it goes — the first flush comes with a
// small part of the body, and more follow.
func TestExportCSVStreams(t *testing.T) {
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			s := newStack(t, dialect)
			c := s.user(t, "bulk@example.com", "Asia/Tokyo")
			tokyo, _ := time.LoadLocation("Asia/Tokyo")
			var f struct{ CreateFood struct{ ID string } }
			c.do(&f, `mutation { createFood(input: {name: "Onigiri", nutrients: {energyKcal: 168, proteinG: 3.9, carbohydrateG: 36, sodiumMg: 330}}) { id } }`, nil)
			const meals, perMeal = 40, 50
			now := time.Now().In(tokyo)
			first := time.Date(now.Year(), now.Month(), now.Day()-meals+1, 12, 0, 0, 0, tokyo)
			for m := range meals {
				entries := make([]map[string]any, perMeal)
				for e := range entries {
					entries[e] = map[string]any{"foodId": f.CreateFood.ID, "grams": 50 + e}
				}
				logMealID(c, first.AddDate(0, 0, m), "LUNCH", entries...)
			}
			from, to := first.Format(time.DateOnly), now.Format(time.DateOnly)
			path := "/export/entries.csv?from=" + from + "&to=" + to

			// Over HTTP: chunked, complete.
			res := c.get(path)
			if res.StatusCode != http.StatusOK || res.ContentLength != -1 || !slices.Equal(res.TransferEncoding, []string{"chunked"}) {
				t.Errorf("export: %d, Content-Length %d, Transfer-Encoding %v: want 200, streamed in chunks", res.StatusCode, res.ContentLength, res.TransferEncoding)
			}
			rows, err := csv.NewReader(res.Body).ReadAll()
			res.Body.Close()
			if err != nil || len(rows) != 1+meals*perMeal {
				t.Fatalf("export: %v, %d rows, want %d", err, len(rows), 1+meals*perMeal)
			}
			last := rows[len(rows)-1]
			if last[0] != to || last[4] != strconv.Itoa(50+perMeal-1) || last[5] != strconv.FormatFloat(168*float64(50+perMeal-1)/100, 'f', -1, 64) {
				t.Errorf("last row %q", last)
			}

			// Through the handler: flushed as it goes.
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("Authorization", "Bearer "+c.token)
			rec := &flushRecorder{header: http.Header{}}
			s.handler.ServeHTTP(rec, req)
			total := rec.body.Len()
			if rec.status != http.StatusOK || !bytes.Equal(rec.body.Bytes(), mustReread(t, c, path)) {
				t.Fatalf("handler: %d, %d bytes", rec.status, total)
			}
			if len(rec.flushes) < 5 || rec.flushes[0] == 0 || rec.flushes[0] > total/4 {
				t.Errorf("%d bytes flushed at %v: want several flushes, the first with a small part of the body", total, rec.flushes)
			}
			t.Logf("%d rows, %d bytes, flushed after %v bytes", len(rows), total, rec.flushes)
		})
	}
}

// mustReread exports path again over HTTP and returns the body.
func mustReread(t *testing.T, c *client, path string) []byte {
	t.Helper()
	res := c.get(path)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
