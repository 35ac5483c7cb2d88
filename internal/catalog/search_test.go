package catalog_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/google/uuid"

	"nutrigraph/ent"
	"nutrigraph/ent/food"
	"nutrigraph/internal/app"
	"nutrigraph/internal/catalog"
	"nutrigraph/internal/catalog/searchtext"
	"nutrigraph/internal/nutrition"
	"nutrigraph/internal/testdb"
)

func ptr[T any](v T) *T { return &v }

// search runs catalog.Search with a search string and a first page size.
func search(t *testing.T, c *ent.Client, q string, first int) *ent.FoodConnection {
	t.Helper()
	conn, err := catalog.Search(context.Background(), c.Food.Query(), catalog.SearchArgs{Search: &q, First: &first})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	return conn
}

func names(conn *ent.FoodConnection) []string {
	out := make([]string, len(conn.Edges))
	for i, e := range conn.Edges {
		out[i] = e.Node.Name
	}
	return out
}

// hasWordPrefix reports whether some word of name starts with p.
func hasWordPrefix(name, p string) bool {
	for _, w := range searchtext.Words(name) {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

func TestSearch(t *testing.T) {
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			d, _ := importOnce(t, dialect)
			c := d.Client
			ctx := context.Background() // an anonymous request: the shared catalogue
			sys := app.AsSystem(ctx)    // for writing test data

			t.Run("apple raw: raw apples before apple pies", func(t *testing.T) {
				got := names(search(t, c, "apple raw", 10))
				if len(got) == 0 || !strings.HasPrefix(got[0], "Apples, raw") {
					t.Fatalf("apple raw: %q", got)
				}
				for _, n := range got {
					if !hasWordPrefix(n, "apple") || !hasWordPrefix(n, "raw") {
						t.Errorf("%q lacks a word", n)
					}
				}
				all := names(search(t, c, "apple", 100))
				lastRaw, firstPie := -1, len(all)
				for i, n := range all {
					if strings.HasPrefix(n, "Apples, raw") {
						lastRaw = i
					}
					if hasWordPrefix(n, "pie") && i < firstPie {
						firstPie = i
					}
				}
				if lastRaw < 0 || firstPie == len(all) || lastRaw > firstPie {
					t.Errorf("apple: last raw apple at %d, first pie at %d: %q", lastRaw, firstPie, all)
				}
			})

			t.Run("banana: raw bananas first", func(t *testing.T) {
				if got := names(search(t, c, "banana", 5)); len(got) == 0 || got[0] != "Bananas, raw" {
					t.Errorf("banana: %q", got)
				}
				if got := names(search(t, c, "Bananas", 1)); len(got) == 0 || got[0] != "Bananas, raw" {
					t.Errorf("Bananas: %q", got)
				}
			})

			t.Run("chicken breast", func(t *testing.T) {
				conn := search(t, c, "chicken breast", 10)
				got := names(conn)
				if conn.TotalCount < 20 || len(got) != 10 {
					t.Fatalf("chicken breast: %d results, %q", conn.TotalCount, got)
				}
				for _, n := range got {
					if !hasWordPrefix(n, "chicken") || !hasWordPrefix(n, "breast") {
						t.Errorf("%q is not a chicken breast", n)
					}
				}
				if !strings.HasPrefix(got[0], "Chicken, broilers or fryers, breast") {
					t.Errorf("first chicken breast: %q", got[0])
				}
			})

			t.Run("egg: the egg before the eggplant", func(t *testing.T) {
				got := names(search(t, c, "egg", 100))
				egg, plant := -1, -1
				for i, n := range got {
					if n == "Egg, whole, raw, fresh" {
						egg = i
					}
					if n == "Eggplant, raw" {
						plant = i
					}
				}
				if egg < 0 || plant >= 0 && plant < egg {
					t.Errorf("egg at %d, eggplant at %d: %q", egg, plant, got)
				}
			})

			t.Run("case, accents and punctuation do not matter", func(t *testing.T) {
				want := names(search(t, c, "creme", 100))
				if len(want) == 0 {
					t.Fatal("creme: nothing")
				}
				for _, q := range []string{"crème", "CRÈME", " Crème! "} {
					if got := names(search(t, c, q, 100)); strings.Join(got, "|") != strings.Join(want, "|") {
						t.Errorf("%q: %q, want %q", q, got, want)
					}
				}
				// A name with accents is found without them, and the other way round.
				f := c.Food.Create().SetName("Crème fraîche, Île-de-France").SaveX(sys)
				if f.SearchText != " creme fraiche ile de france " {
					t.Errorf("search text %q", f.SearchText)
				}
				for _, q := range []string{"creme fraiche", "CRÈME FRAÎCHE", "fraich ile"} {
					if got := names(search(t, c, q, 5)); len(got) == 0 || got[0] != f.Name {
						t.Errorf("%q: %q", q, got)
					}
				}
				c.Food.UpdateOne(f).SetArchivedAt(time.Now().UTC()).ExecX(sys) // out of the other cases' way
			})

			t.Run("every word must match as a word prefix", func(t *testing.T) {
				if conn := search(t, c, "butter salted", 100); conn.TotalCount == 0 || conn.Edges[0].Node.Name != "Butter, salted" {
					t.Errorf("butter salted: %q", names(conn))
				}
				if conn := search(t, c, "chick", 5); conn.TotalCount == 0 || !hasWordPrefix(conn.Edges[0].Node.Name, "chick") {
					t.Errorf("chick: %q", names(conn))
				}
				for _, q := range []string{"xyzzy", "banana xyzzy", "hicken", "anana"} {
					if conn := search(t, c, q, 10); conn.TotalCount != 0 || len(conn.Edges) != 0 || conn.PageInfo.HasNextPage {
						t.Errorf("%q: %d results %q", q, conn.TotalCount, names(conn))
					}
				}
			})

			t.Run("no words: every shared food", func(t *testing.T) {
				all := c.Food.Query().Where(food.UserIDIsNil()).CountX(ctx)
				for _, q := range []string{"", "  ", "--"} {
					if conn := search(t, c, q, 1); conn.TotalCount != all {
						t.Errorf("%q: %d foods, want %d", q, conn.TotalCount, all)
					}
				}
			})

			t.Run("pagination with search: no duplicates, no gaps", func(t *testing.T) {
				const q = "milk"
				total := search(t, c, q, 0).TotalCount
				if total < 150 {
					t.Fatalf("milk: %d", total)
				}
				var (
					seen  = map[uuid.UUID]bool{}
					order []*ent.Food
					after *ent.Cursor
				)
				for page := 0; ; page++ {
					conn, err := catalog.Search(ctx, c.Food.Query(), catalog.SearchArgs{Search: ptr(q), First: ptr(40), After: after})
					if err != nil {
						t.Fatal(err)
					}
					if conn.TotalCount != total {
						t.Errorf("page %d: totalCount %d, want %d", page, conn.TotalCount, total)
					}
					for _, e := range conn.Edges {
						if seen[e.Node.ID] {
							t.Fatalf("page %d: %s twice", page, e.Node.Name)
						}
						seen[e.Node.ID] = true
						order = append(order, e.Node)
					}
					if !conn.PageInfo.HasNextPage {
						break
					}
					after = conn.PageInfo.EndCursor
				}
				if len(order) != total {
					t.Errorf("pages hold %d foods, totalCount %d", len(order), total)
				}
				for i := 1; i < len(order); i++ {
					a, b := order[i-1], order[i]
					if a.SearchRank > b.SearchRank || a.SearchRank == b.SearchRank && strings.Compare(a.ID.String(), b.ID.String()) >= 0 {
						t.Fatalf("out of order at %d: %q (%d) then %q (%d)", i, a.Name, a.SearchRank, b.Name, b.SearchRank)
					}
				}
				// Backwards: the 20 foods before the 60th are foods 40..59.
				first := search(t, c, q, 60)
				back, err := catalog.Search(ctx, c.Food.Query(), catalog.SearchArgs{Search: ptr(q), Last: ptr(20), Before: &first.Edges[59].Cursor})
				if err != nil {
					t.Fatal(err)
				}
				if got, want := strings.Join(names(back), "|"), strings.Join(names(first)[39:59], "|"); got != want {
					t.Errorf("last 20 before the 60th:\n%s\nwant\n%s", got, want)
				}
			})

			t.Run("orderBy and where combine with search", func(t *testing.T) {
				conn, err := catalog.Search(ctx, c.Food.Query(), catalog.SearchArgs{
					Search:  ptr("banana"),
					First:   ptr(100),
					OrderBy: &ent.FoodOrder{Direction: entgql.OrderDirectionAsc, Field: ent.FoodOrderFieldName},
					Where:   &ent.FoodWhereInput{FoodGroup: ptr("Fruits and Fruit Juices")},
				})
				if err != nil {
					t.Fatal(err)
				}
				got := names(conn)
				if len(got) < 2 {
					t.Fatalf("%q", got)
				}
				for i, e := range conn.Edges {
					if *e.Node.FoodGroup != "Fruits and Fruit Juices" || i > 0 && got[i-1] > got[i] {
						t.Errorf("%d: %q in %q", i, got[i], *e.Node.FoodGroup)
					}
				}
			})

			t.Run("archived foods are not found", func(t *testing.T) {
				b := bySourceID(t, c, "09040") // Bananas, raw
				c.Food.UpdateOne(b).SetArchivedAt(time.Now().UTC()).ExecX(sys)
				defer c.Food.UpdateOne(b).ClearArchivedAt().ExecX(sys)
				for _, n := range names(search(t, c, "banana", 100)) {
					if n == "Bananas, raw" {
						t.Error("an archived food was found")
					}
				}
			})

			t.Run("own foods: the viewer's, not another user's", func(t *testing.T) {
				u1 := c.User.Create().SetEmail("a@example.com").SetPasswordHash("x").SaveX(sys)
				u2 := c.User.Create().SetEmail("b@example.com").SetPasswordHash("x").SaveX(sys)
				mine := c.Food.Create().SetName("Banana bread, grandma's").SetUserID(u1.ID).SaveX(sys)
				q := "banana bread grandma"
				find := func(viewer *uuid.UUID) int {
					ctx := ctx
					if viewer != nil {
						ctx = app.WithViewer(ctx, app.Viewer{UserID: app.ID(*viewer)})
					}
					conn, err := catalog.Search(ctx, c.Food.Query(), catalog.SearchArgs{Search: &q, First: ptr(10)})
					if err != nil {
						t.Fatal(err)
					}
					return conn.TotalCount
				}
				if n := find(&u1.ID); n != 1 {
					t.Errorf("owner finds %d", n)
				}
				if n := find(&u2.ID); n != 0 {
					t.Errorf("another user finds %d", n)
				}
				if n := find(nil); n != 0 {
					t.Errorf("no viewer finds %d", n)
				}
				c.Food.UpdateOne(mine).SetArchivedAt(time.Now().UTC()).ExecX(sys)
				if n := find(&u1.ID); n != 0 {
					t.Errorf("owner finds an archived own food: %d", n)
				}
			})

			t.Run("limits", func(t *testing.T) {
				for _, a := range []catalog.SearchArgs{
					{Search: ptr("a b c d e f g h i j k")},
					{Search: ptr(strings.Repeat("x", 201))},
					{First: ptr(101)},
					{Last: ptr(101)},
				} {
					if _, err := catalog.Search(ctx, c.Food.Query(), a); nutrition.CodeOf(err) != nutrition.CodeInvalid {
						t.Errorf("%+v: %v, want BAD_USER_INPUT", a, err)
					}
				}
				conn, err := catalog.Search(ctx, c.Food.Query(), catalog.SearchArgs{Search: ptr("milk")})
				if err != nil || len(conn.Edges) != catalog.MaxPageSize {
					t.Errorf("no page size: %d foods, %v", len(conn.Edges), err)
				}
			})

			t.Run("renaming a food updates its search columns", func(t *testing.T) {
				f := c.Food.Create().SetName("Zzyzx root, raw").SetFoodGroup("Vegetables and Vegetable Products").SaveX(sys)
				f = c.Food.UpdateOne(f).SetName("Qwerty root").SaveX(sys)
				if f.SearchText != " qwerty root " || f.SearchRank != searchtext.Rank("Qwerty root", "Vegetables and Vegetable Products") {
					t.Errorf("after rename: %q %d", f.SearchText, f.SearchRank)
				}
				f = c.Food.UpdateOne(f).SetFoodGroup("Fast Foods").SaveX(sys)
				if f.SearchRank != searchtext.Rank("Qwerty root", "Fast Foods") {
					t.Errorf("after regrouping: %d", f.SearchRank)
				}
				if _, err := c.Food.Update().Where(food.ID(f.ID)).SetName("Other").Save(sys); err == nil {
					t.Error("a bulk rename without the group was accepted")
				}
				c.Food.UpdateOne(f).SetArchivedAt(time.Now().UTC()).ExecX(sys) // out of the other cases' way
			})
		})
	}
}
