package catalog_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"nutrigraph/ent"
	"nutrigraph/ent/food"
	"nutrigraph/ent/foodportion"
	"nutrigraph/internal/app"
	"nutrigraph/internal/catalog"
	"nutrigraph/internal/db"
	"nutrigraph/internal/testdb"
)

// SR26 facts the tests check against.
const (
	srFoods    = 8463
	srPortions = 15137
)

// importOnce opens a fresh database of dialect and imports the embedded
// catalogue into it.
func importOnce(t testing.TB, dialect string) (*db.DB, catalog.Stats) {
	t.Helper()
	d := testdb.Open(t, dialect)
	st, err := catalog.Import(context.Background(), d)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return d, st
}

// cloneData returns a deep copy of the embedded catalogue.
func cloneData(t *testing.T) *catalog.Data {
	t.Helper()
	d, err := catalog.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := catalog.Encode(&buf, d); err != nil {
		t.Fatal(err)
	}
	c, err := catalog.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func bySourceID(t *testing.T, c *ent.Client, sid string) *ent.Food {
	t.Helper()
	f, err := c.Food.Query().Where(food.Source(catalog.SourceUSDASR26), food.SourceID(sid)).WithPortions(func(q *ent.FoodPortionQuery) {
		q.Order(ent.Asc(foodportion.FieldSeq))
	}).Only(context.Background())
	if err != nil {
		t.Fatalf("food %s: %v", sid, err)
	}
	return f
}

func updatedAts(t *testing.T, c *ent.Client) map[uuid.UUID]time.Time {
	t.Helper()
	ctx := app.AsSystem(context.Background())
	out := map[uuid.UUID]time.Time{}
	foods, err := c.Food.Query().Select(food.FieldID, food.FieldUpdatedAt).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range foods {
		out[f.ID] = f.UpdatedAt
	}
	portions, err := c.FoodPortion.Query().Select(foodportion.FieldID, foodportion.FieldUpdatedAt).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range portions {
		out[p.ID] = p.UpdatedAt
	}
	return out
}

func TestImport(t *testing.T) {
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := app.AsSystem(context.Background())
			d, st := importOnce(t, dialect)
			t.Logf("first import: %s", st)
			c := d.Client
			if st.Foods != srFoods || st.Inserted != srFoods || st.Portions != srPortions || st.PortionsInserted != srPortions {
				t.Fatalf("stats %+v", st)
			}
			if n := c.Food.Query().CountX(ctx); n != srFoods {
				t.Errorf("foods = %d, want %d", n, srFoods)
			}
			if n := c.FoodPortion.Query().CountX(ctx); n != srPortions {
				t.Errorf("portions = %d, want %d", n, srPortions)
			}
			if n := c.Food.Query().Where(food.UserIDIsNil(), food.SourceVersion(catalog.DataVersion)).CountX(ctx); n != srFoods {
				t.Errorf("shared foods of version %d = %d", catalog.DataVersion, n)
			}

			// Salted butter, NDB 01001.
			b := bySourceID(t, c, "01001")
			if b.Name != "Butter, salted" || b.FoodGroup == nil || *b.FoodGroup != "Dairy and Egg Products" {
				t.Errorf("butter: %q in %v", b.Name, b.FoodGroup)
			}
			for name, got := range map[string]*float64{"energy": b.EnergyKcal, "sodium": b.SodiumMg, "protein": b.ProteinG, "fat": b.FatG, "saturated fat": b.SaturatedFatG} {
				want := map[string]float64{"energy": 717, "sodium": 643, "protein": 0.85, "fat": 81.11, "saturated fat": 51.368}[name]
				if got == nil || *got != want {
					t.Errorf("butter %s = %v, want %v", name, got, want)
				}
			}
			if b.SearchText != " butter salted " {
				t.Errorf("butter search text %q", b.SearchText)
			}
			// Portions in Seq order: pat, tbsp, cup, stick; "1 cup" = 227 g.
			ps := b.Edges.Portions
			if len(ps) != 4 || ps[2].Seq != 3 || ps[2].Amount != 1 || ps[2].Unit != "cup" || ps[2].Grams != 227 || ps[0].Unit != `pat (1" sq, 1/3" high)` {
				t.Errorf("butter portions: %+v", ps)
			}

			// Unknown is not zero. ABBREV.txt 17226 (lamb, composite of
			// retail cuts, raw): Fiber_TD "0.0", Sugar_Tot empty.
			l := bySourceID(t, c, "17226")
			if l.FiberG == nil || *l.FiberG != 0 {
				t.Errorf("lamb fibre = %v, want 0 (source 0.0)", l.FiberG)
			}
			if l.SugarsG != nil {
				t.Errorf("lamb sugars = %v, want NULL (source empty)", *l.SugarsG)
			}
			if n := c.Food.Query().Where(food.SugarsGIsNil()).CountX(ctx); n != 1970 {
				t.Errorf("foods with unknown sugars = %d, want 1970 (empty Sugar_Tot fields in ABBREV.txt)", n)
			}

			// Idempotent: a second import writes nothing.
			before := updatedAts(t, c)
			st2, err := catalog.Import(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("second import: %s", st2)
			if st2.Changed() || st2.Unchanged != srFoods {
				t.Errorf("second import changed rows: %s", st2)
			}
			after := updatedAts(t, c)
			if len(after) != len(before) {
				t.Errorf("rows: %d before, %d after", len(before), len(after))
			}
			for id, u := range before {
				if !after[id].Equal(u) {
					t.Errorf("row %s: updated_at %s → %s", id, u, after[id])
					break
				}
			}

			// EnsureLoaded: nothing to do at the same version.
			if did, err := catalog.EnsureLoaded(ctx, d, nil); err != nil || did {
				t.Errorf("EnsureLoaded on a loaded catalogue = %v, %v", did, err)
			}
		})
	}
}

func TestImportNewVersionUpdatesInPlace(t *testing.T) {
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := app.AsSystem(context.Background())
			d, _ := importOnce(t, dialect)
			c := d.Client
			butter := bySourceID(t, c, "01001")
			lamb := bySourceID(t, c, "17226")
			gone := bySourceID(t, c, "01002")

			next := cloneData(t)
			next.Version = catalog.DataVersion + 1
			var kept []catalog.Food
			for _, f := range next.Foods {
				switch f.SourceID {
				case "01001":
					f.Name = "Butter, salted (revised)"
					v := 700.0
					f.Nutrients[0] = &v         // energy
					f.Portions = f.Portions[:3] // the stick goes
					f.Portions[2].Grams = 226   // the cup changes
				case "17226":
					f.Nutrients[5] = nil // sugars stay unknown
				case "01002":
					continue // dropped from the data
				}
				kept = append(kept, f)
			}
			next.Foods = kept
			v := next.Version

			st, err := catalog.ImportData(ctx, d, next)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("version bump: %s", st)
			if st.Inserted != 0 || st.Updated != srFoods-1 || st.Archived != 1 || st.PortionsUpdated != 1 || st.PortionsDeleted != 1 || st.PortionsInserted != 0 {
				t.Errorf("stats %+v", st)
			}
			b := bySourceID(t, c, "01001")
			if b.ID != butter.ID || !b.CreatedAt.Equal(butter.CreatedAt) {
				t.Errorf("butter got a new row: %s → %s", butter.ID, b.ID)
			}
			if b.Name != "Butter, salted (revised)" || *b.EnergyKcal != 700 || *b.SourceVersion != v || b.SearchText != " butter salted revised " {
				t.Errorf("butter not updated: %q %v %v %q", b.Name, *b.EnergyKcal, *b.SourceVersion, b.SearchText)
			}
			if !b.UpdatedAt.After(butter.UpdatedAt) {
				t.Errorf("butter updated_at %s not after %s", b.UpdatedAt, butter.UpdatedAt)
			}
			if len(b.Edges.Portions) != 3 || b.Edges.Portions[2].Grams != 226 || b.Edges.Portions[2].ID != butter.Edges.Portions[2].ID {
				t.Errorf("butter portions %+v", b.Edges.Portions)
			}
			if l := bySourceID(t, c, "17226"); l.ID != lamb.ID || l.SugarsG != nil || *l.SourceVersion != v {
				t.Errorf("lamb: %+v", l)
			}
			g := bySourceID(t, c, "01002")
			if g.ID != gone.ID || g.ArchivedAt == nil || len(g.Edges.Portions) != len(gone.Edges.Portions) {
				t.Errorf("dropped food: archived %v, %d portions", g.ArchivedAt, len(g.Edges.Portions))
			}
			if n := c.Food.Query().CountX(ctx); n != srFoods {
				t.Errorf("foods = %d, want %d (same rows)", n, srFoods)
			}

			// The embedded (older) data neither rolls back nor loads again.
			if _, err := catalog.Import(ctx, d); !errors.Is(err, catalog.ErrNewerData) {
				t.Errorf("import of older data: %v, want ErrNewerData", err)
			}
			if did, err := catalog.EnsureLoaded(ctx, d, nil); err != nil || did {
				t.Errorf("EnsureLoaded with newer data in the database = %v, %v", did, err)
			}
			st, err = catalog.ImportData(ctx, d, next)
			if err != nil || st.Changed() {
				t.Errorf("re-import of the same version: %s, %v", st, err)
			}
		})
	}
}

func TestEnsureLoaded(t *testing.T) {
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := app.AsSystem(context.Background())
			d := testdb.Open(t, dialect)
			did, err := catalog.EnsureLoaded(ctx, d, nil)
			if err != nil || !did {
				t.Fatalf("EnsureLoaded on an empty database = %v, %v", did, err)
			}
			if n := d.Client.Food.Query().CountX(ctx); n != srFoods {
				t.Fatalf("foods = %d", n)
			}
			// An older version in the database is brought up to date.
			if _, err := d.Client.Food.Update().Where(food.SourceID("01001")).SetSourceVersion(0).Save(ctx); err != nil {
				t.Fatal(err)
			}
			did, err = catalog.EnsureLoaded(ctx, d, nil)
			if err != nil || !did {
				t.Fatalf("EnsureLoaded with an older row = %v, %v", did, err)
			}
			if s, err := catalog.SourceStatus(ctx, d.Client, catalog.SourceUSDASR26); err != nil || s.MinVersion != catalog.DataVersion || s.Foods != srFoods {
				t.Errorf("status %+v, %v", s, err)
			}
		})
	}
}

// TestConcurrentImports: servers starting together on one database import
// one after the other; the catalogue is written once.
func TestConcurrentImports(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			conn := testdb.Open(t, d)
			results := make(chan catalog.Stats, 2)
			errs := make(chan error, 2)
			for range 2 {
				go func() {
					st, err := catalog.Import(context.Background(), conn)
					results <- st
					errs <- err
				}()
			}
			inserted := 0
			for range 2 {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
				inserted += (<-results).Inserted
			}
			if inserted != srFoods {
				t.Errorf("foods inserted by the two imports: %d, want %d (once)", inserted, srFoods)
			}
		})
	}
}
