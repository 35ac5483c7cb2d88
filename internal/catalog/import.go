package catalog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/google/uuid"

	"nutrigraph/ent"
	"nutrigraph/ent/food"
	"nutrigraph/ent/foodportion"
	"nutrigraph/internal/app"
	"nutrigraph/internal/catalog/searchtext"
	"nutrigraph/internal/db"
	"nutrigraph/internal/nutrition"
	"nutrigraph/internal/store"
)

// Stats reports what an import did.
type Stats struct {
	Source  string
	Version int
	// Foods is the number of foods in the data; Inserted, Updated and
	// Unchanged split them by what happened to their row. Archived counts
	// rows of the source that the data no longer has (hidden from search,
	// kept for the entries that refer to them).
	Foods, Inserted, Updated, Unchanged, Archived int
	// Portions is the number of portions in the data; PortionsInserted,
	// PortionsUpdated and PortionsDeleted what happened to their rows.
	Portions, PortionsInserted, PortionsUpdated, PortionsDeleted int
	// Duration is the time the import took.
	Duration time.Duration
	// MaintenanceErr is why the statistics and index upkeep after a
	// PostgreSQL import failed (the import itself succeeded); nil otherwise.
	MaintenanceErr error
}

// Changed reports whether the import wrote anything.
func (s Stats) Changed() bool {
	return s.Inserted+s.Updated+s.Archived+s.PortionsInserted+s.PortionsUpdated+s.PortionsDeleted > 0
}

// String summarises s for a log line or a terminal.
func (s Stats) String() string {
	return fmt.Sprintf("%s v%d: %d foods (%d inserted, %d updated, %d unchanged, %d archived), %d portions (%d inserted, %d updated, %d deleted) in %s",
		s.Source, s.Version, s.Foods, s.Inserted, s.Updated, s.Unchanged, s.Archived,
		s.Portions, s.PortionsInserted, s.PortionsUpdated, s.PortionsDeleted, s.Duration.Round(time.Millisecond))
}

// ErrNewerData is returned by ImportData when the database holds rows of a
// higher data version than the data being imported (a newer binary loaded
// them): importing would roll them back.
var ErrNewerData = errors.New("catalog: the database holds a newer version of the catalogue")

// Import puts the embedded catalogue into the database (see ImportData).
func Import(ctx context.Context, conn *db.DB) (Stats, error) {
	d, err := Embedded()
	if err != nil {
		return Stats{}, err
	}
	return ImportData(ctx, conn, d)
}

// ImportData puts the foods of d and their portions into the foods and
// food_portions tables, in one transaction, as shared foods (user_id NULL)
// of source d.Source keyed by (source, source_id):
//
//   - a food not in the database is inserted with its portions;
//   - a food whose stored values differ from d (name, group, nutrients, data
//     version, search columns) is updated in place, keeping its id;
//   - a row that already matches is not written at all, so importing the
//     same data twice changes nothing, updated_at included;
//   - a food of the source that d no longer has is archived (hidden from
//     search; entries keep referring to it);
//   - portions are keyed by (food, position in d); portions a food no
//     longer has are soft-deleted.
//
// Rows are written with multi-row INSERT … ON CONFLICT DO UPDATE … WHERE
// <something differs>, which also keeps two concurrent imports from
// rewriting each other's rows. It returns ErrNewerData, writing nothing,
// when the database holds a higher data version of the source.
//
// An import that wrote rows then refreshes the planner's statistics of both
// tables (ANALYZE) and, on PostgreSQL, flushes the pending list of the
// trigram index, so that searches are fast at once rather than after the
// next autovacuum; on SQLite the statistics keep the planner from reading
// every food through the user_id index (best effort: see
// Stats.MaintenanceErr).
func ImportData(ctx context.Context, conn *db.DB, d *Data) (stats Stats, err error) {
	start := time.Now()
	if err := d.Validate(); err != nil {
		return Stats{}, err
	}
	// The import is an internal job: it writes shared rows no viewer owns.
	ctx = app.AsSystem(ctx)
	err = store.WithTx(ctx, conn.Client, func(tx *ent.Tx) error {
		if conn.Dialect == dialect.Postgres {
			// Servers starting together import one after the other: the
			// second finds the catalogue loaded and writes nothing.
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", importLockKey); err != nil {
				return fmt.Errorf("catalog: taking the import lock: %w", err)
			}
		}
		var err error
		stats, err = importTx(ctx, tx.Client(), d)
		return err
	})
	if err == nil && stats.Changed() {
		stats.MaintenanceErr = maintain(ctx, conn)
	}
	stats.Duration = time.Since(start)
	return stats, err
}

// searchIndex is the trigram index on foods.search_text (ent's name for
// the index of the Food schema).
const searchIndex = "food_search_text"

// maintain refreshes statistics after a bulk write and, on PostgreSQL,
// moves the trigram index's pending entries into the index proper: a GIN
// index answers slowly while a fresh bulk insert sits in its pending list.
func maintain(ctx context.Context, conn *db.DB) error {
	stmts := []string{"ANALYZE " + food.Table, "ANALYZE " + foodportion.Table}
	if conn.Dialect == dialect.Postgres {
		stmts = append(stmts, "SELECT gin_clean_pending_list('"+searchIndex+"'::regclass)")
	}
	for _, stmt := range stmts {
		if _, err := conn.SQL.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("catalog: %s: %w", stmt, err)
		}
	}
	return nil
}

// importLockKey is the PostgreSQL advisory lock held by an import ("nutrifd" in ASCII).
const importLockKey = 0x6e7574726966640

// maxParams bounds the bind parameters of one statement: below SQLite's
// default limit (32766) and PostgreSQL's (65535).
const maxParams = 30000

// foodRow is what the import writes into a food row.
type foodRow struct {
	name, group string
	text        string
	rank        int
	nutrients   []*float64 // in nutrition.Catalogue order
}

func importTx(ctx context.Context, c *ent.Client, d *Data) (Stats, error) {
	st := Stats{Source: d.Source, Version: d.Version, Foods: len(d.Foods)}
	// Nutrient values of the file in catalogue order.
	order := make([]int, len(nutrition.Catalogue)) // catalogue index → file index, -1 when absent
	for i, n := range nutrition.Catalogue {
		order[i] = -1
		for j, code := range d.Nutrients {
			if code == string(n.Nutrient) {
				order[i] = j
			}
		}
	}
	rows := make([]foodRow, len(d.Foods))
	for i := range d.Foods {
		f := &d.Foods[i]
		g := d.GroupName(f)
		r := foodRow{name: f.Name, group: g, text: searchtext.Text(f.Name), rank: searchtext.Rank(f.Name, g),
			nutrients: make([]*float64, len(nutrition.Catalogue))}
		for k, j := range order {
			if j >= 0 {
				r.nutrients[k] = f.Nutrients[j]
			}
		}
		rows[i] = r
	}

	existing, err := c.Food.Query().Where(food.Source(d.Source)).All(ctx)
	if err != nil {
		return st, fmt.Errorf("catalog: read foods: %w", err)
	}
	bySourceID := make(map[string]*ent.Food, len(existing))
	for _, e := range existing {
		if e.SourceVersion != nil && *e.SourceVersion > d.Version {
			return st, fmt.Errorf("%w (%s version %d, importing %d)", ErrNewerData, d.Source, *e.SourceVersion, d.Version)
		}
		if e.SourceID != nil {
			bySourceID[*e.SourceID] = e
		}
	}

	// Foods: insert the new, update the changed.
	var write []int
	for i := range d.Foods {
		e, ok := bySourceID[d.Foods[i].SourceID]
		switch {
		case !ok:
			st.Inserted++
			write = append(write, i)
		case !sameFood(e, &rows[i], d.Version):
			st.Updated++
			write = append(write, i)
		default:
			st.Unchanged++
		}
	}
	if err := upsertFoods(ctx, c, d, rows, write); err != nil {
		return st, err
	}

	// Archive what the data no longer has.
	inData := make(map[string]bool, len(d.Foods))
	for i := range d.Foods {
		inData[d.Foods[i].SourceID] = true
	}
	var gone []uuid.UUID
	for sid, e := range bySourceID {
		if !inData[sid] && e.ArchivedAt == nil {
			gone = append(gone, e.ID)
		}
	}
	now := time.Now().UTC()
	for _, batch := range chunks(gone, maxParams) {
		n, err := c.Food.Update().Where(food.IDIn(batch...), food.ArchivedAtIsNil()).SetArchivedAt(now).Save(ctx)
		if err != nil {
			return st, fmt.Errorf("catalog: archive foods: %w", err)
		}
		st.Archived += n
	}

	// Ids of every food of the source, new ones included.
	ids := make(map[string]uuid.UUID, len(d.Foods))
	if st.Inserted > 0 {
		var got []struct {
			ID       uuid.UUID `json:"id"`
			SourceID string    `json:"source_id"`
		}
		if err := c.Food.Query().Where(food.Source(d.Source)).Select(food.FieldID, food.FieldSourceID).Scan(ctx, &got); err != nil {
			return st, fmt.Errorf("catalog: read food ids: %w", err)
		}
		for _, g := range got {
			ids[g.SourceID] = g.ID
		}
	} else {
		for sid, e := range bySourceID {
			ids[sid] = e.ID
		}
	}
	if err := importPortions(ctx, c, d, ids, &st); err != nil {
		return st, err
	}
	return st, nil
}

// sameFood reports whether the stored row e already holds r at version v.
func sameFood(e *ent.Food, r *foodRow, v int) bool {
	if e.Name != r.name || deref(e.FoodGroup) != r.group || e.SearchText != r.text || e.SearchRank != r.rank ||
		e.SourceVersion == nil || *e.SourceVersion != v || e.ArchivedAt != nil || e.UserID != nil {
		return false
	}
	stored := nutrientValues(e)
	for i := range stored {
		if !sameAmount(stored[i], r.nutrients[i]) {
			return false
		}
	}
	return true
}

func sameAmount(a, b *float64) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// nutrientValues returns the nutrient amounts of f in nutrition.Catalogue
// order (TestNutrientValuesCoverCatalogue keeps it complete).
func nutrientValues(f *ent.Food) []*float64 {
	byColumn := map[string]*float64{
		food.FieldEnergyKcal:    f.EnergyKcal,
		food.FieldProteinG:      f.ProteinG,
		food.FieldFatG:          f.FatG,
		food.FieldSaturatedFatG: f.SaturatedFatG,
		food.FieldCarbohydrateG: f.CarbohydrateG,
		food.FieldSugarsG:       f.SugarsG,
		food.FieldFiberG:        f.FiberG,
		food.FieldSodiumMg:      f.SodiumMg,
		food.FieldPotassiumMg:   f.PotassiumMg,
		food.FieldCalciumMg:     f.CalciumMg,
		food.FieldIronMg:        f.IronMg,
		food.FieldVitaminCMg:    f.VitaminCMg,
	}
	out := make([]*float64, len(nutrition.Catalogue))
	for i, n := range nutrition.Catalogue {
		out[i] = byColumn[n.Column]
	}
	return out
}

// foodDataColumns are the columns an import writes (besides id and
// created_at, which an update keeps).
func foodDataColumns() []string {
	cols := []string{food.FieldUpdatedAt, food.FieldName, food.FieldFoodGroup, food.FieldSource, food.FieldSourceID,
		food.FieldArchivedAt, food.FieldSourceVersion, food.FieldSearchText, food.FieldSearchRank}
	for _, n := range nutrition.Catalogue {
		cols = append(cols, n.Column)
	}
	return cols
}

// upsertFoods writes the foods of d at the indexes write.
func upsertFoods(ctx context.Context, c *ent.Client, d *Data, rows []foodRow, write []int) error {
	cols := foodDataColumns()
	per := maxParams / (len(cols) + 2)
	for _, batch := range chunks(write, per) {
		builders := make([]*ent.FoodCreate, len(batch))
		for k, i := range batch {
			f, r := &d.Foods[i], &rows[i]
			b := c.Food.Create().
				SetName(r.name).
				SetSource(d.Source).
				SetSourceID(f.SourceID).
				SetSourceVersion(d.Version)
			if r.group != "" {
				b.SetFoodGroup(r.group)
			}
			// search_text and search_rank are set by the Food schema's hook.
			for j, n := range nutrition.Catalogue {
				if v := r.nutrients[j]; v != nil {
					if err := b.Mutation().SetField(n.Column, *v); err != nil {
						return err
					}
				}
			}
			builders[k] = b
		}
		err := c.Food.CreateBulk(builders...).
			OnConflict(
				entsql.ConflictColumns(food.FieldSource, food.FieldSourceID),
				entsql.ConflictWhere(entsql.IsNull(food.FieldDeletedAt)),
				entsql.ResolveWith(func(u *entsql.UpdateSet) {
					for _, col := range cols {
						u.SetExcluded(col)
					}
				}),
				entsql.UpdateWhere(anyDistinct(food.Table, cols[1:])),
			).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("catalog: write foods: %w", err)
		}
	}
	return nil
}

// anyDistinct is the condition of an upsert's DO UPDATE: some column of the
// stored row differs from the proposed (excluded) one. PostgreSQL and SQLite
// (3.39+) both have IS DISTINCT FROM.
func anyDistinct(table string, cols []string) *entsql.Predicate {
	return entsql.P(func(b *entsql.Builder) {
		b.WriteByte('(')
		for i, col := range cols {
			if i > 0 {
				b.WriteString(" OR ")
			}
			b.WriteString(quote(table) + "." + quote(col) + " IS DISTINCT FROM excluded." + quote(col))
		}
		b.WriteByte(')')
	})
}

// quote quotes an identifier the SQL-standard way, which both PostgreSQL
// and SQLite accept.
func quote(ident string) string { return `"` + ident + `"` }

// portionKey identifies a portion row: its food and its position.
type portionKey struct {
	food uuid.UUID
	seq  int
}

// importPortions writes the portions of d: seq is the 1-based position of a
// portion in its food's list.
func importPortions(ctx context.Context, c *ent.Client, d *Data, ids map[string]uuid.UUID, st *Stats) error {
	existing, err := c.FoodPortion.Query().
		Where(foodportion.HasFoodWith(food.Source(d.Source), food.DeletedAtIsNil())).
		All(ctx)
	if err != nil {
		return fmt.Errorf("catalog: read portions: %w", err)
	}
	stored := make(map[portionKey]*ent.FoodPortion, len(existing))
	for _, p := range existing {
		stored[portionKey{p.FoodID, p.Seq}] = p
	}
	type portionRow struct {
		key portionKey
		p   Portion
	}
	var write []portionRow
	want := make(map[portionKey]bool)
	for i := range d.Foods {
		f := &d.Foods[i]
		id, ok := ids[f.SourceID]
		if !ok {
			return fmt.Errorf("catalog: food %s missing after writing it", f.SourceID)
		}
		for j, p := range f.Portions {
			st.Portions++
			k := portionKey{id, j + 1}
			want[k] = true
			e, ok := stored[k]
			switch {
			case !ok:
				st.PortionsInserted++
			case e.Amount != p.Amount || e.Unit != p.Unit || e.Grams != p.Grams:
				st.PortionsUpdated++
			default:
				continue
			}
			write = append(write, portionRow{k, p})
		}
	}
	cols := []string{foodportion.FieldUpdatedAt, foodportion.FieldAmount, foodportion.FieldUnit, foodportion.FieldGrams}
	for _, batch := range chunks(write, maxParams/(len(cols)+4)) {
		builders := make([]*ent.FoodPortionCreate, len(batch))
		for k, r := range batch {
			builders[k] = c.FoodPortion.Create().
				SetFoodID(r.key.food).
				SetSeq(r.key.seq).
				SetAmount(r.p.Amount).
				SetUnit(r.p.Unit).
				SetGrams(r.p.Grams)
		}
		err := c.FoodPortion.CreateBulk(builders...).
			OnConflict(
				entsql.ConflictColumns(foodportion.FieldFoodID, foodportion.FieldSeq),
				entsql.ConflictWhere(entsql.IsNull(foodportion.FieldDeletedAt)),
				entsql.ResolveWith(func(u *entsql.UpdateSet) {
					for _, col := range cols {
						u.SetExcluded(col)
					}
				}),
				entsql.UpdateWhere(anyDistinct(foodportion.Table, cols[1:])),
			).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("catalog: write portions: %w", err)
		}
	}
	// Portions a food of d no longer has. Archived foods keep theirs.
	inData := make(map[uuid.UUID]bool, len(d.Foods))
	for i := range d.Foods {
		inData[ids[d.Foods[i].SourceID]] = true
	}
	var stale []uuid.UUID
	for k, p := range stored {
		if !want[k] && inData[k.food] {
			stale = append(stale, p.ID)
		}
	}
	for _, batch := range chunks(stale, maxParams) {
		// A soft delete (the FoodPortion schema's hook).
		n, err := c.FoodPortion.Delete().Where(foodportion.IDIn(batch...)).Exec(ctx)
		if err != nil {
			return fmt.Errorf("catalog: delete portions: %w", err)
		}
		st.PortionsDeleted += n
	}
	return nil
}

// chunks splits s into slices of at most n elements.
func chunks[T any](s []T, n int) [][]T {
	var out [][]T
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}

// Status is what the database holds of a source.
type Status struct {
	// Foods counts the live rows of the source (archived ones included).
	Foods int
	// MinVersion and MaxVersion are the lowest and highest data versions
	// among them (0 when there are none).
	MinVersion, MaxVersion int
}

// SourceStatus reads what the database holds of source.
func SourceStatus(ctx context.Context, client *ent.Client, source string) (Status, error) {
	var got []struct {
		Count int  `json:"n"`
		Min   *int `json:"lo"`
		Max   *int `json:"hi"`
	}
	err := client.Food.Query().Where(food.Source(source)).
		Aggregate(
			func(*entsql.Selector) string { return entsql.As(entsql.Count("*"), "n") },
			func(s *entsql.Selector) string { return entsql.As(entsql.Min(s.C(food.FieldSourceVersion)), "lo") },
			func(s *entsql.Selector) string { return entsql.As(entsql.Max(s.C(food.FieldSourceVersion)), "hi") },
		).
		Scan(app.AsSystem(ctx), &got)
	if err != nil {
		return Status{}, fmt.Errorf("catalog: read catalogue status: %w", err)
	}
	var s Status
	if len(got) == 1 {
		s.Foods = got[0].Count
		if got[0].Min != nil {
			s.MinVersion = *got[0].Min
		}
		if got[0].Max != nil {
			s.MaxVersion = *got[0].Max
		}
	}
	return s, nil
}

// EnsureLoaded imports the embedded catalogue when the database has none of
// it or only an older data version, and otherwise does nothing (one
// aggregate query). The server calls it at start-up, after the migrations.
// It reports whether it imported; log may be nil.
func EnsureLoaded(ctx context.Context, conn *db.DB, log *slog.Logger) (bool, error) {
	d, err := Embedded()
	if err != nil {
		return false, err
	}
	s, err := SourceStatus(ctx, conn.Client, d.Source)
	if err != nil {
		return false, err
	}
	if s.Foods > 0 && s.MinVersion >= d.Version {
		if s.MaxVersion > d.Version && log != nil {
			log.Warn("food catalogue in the database is newer than this binary's; left as it is",
				"source", d.Source, "database_version", s.MaxVersion, "binary_version", d.Version)
		}
		return false, nil
	}
	st, err := ImportData(ctx, conn, d)
	if err != nil {
		return false, err
	}
	if st.MaintenanceErr != nil && log != nil {
		log.Warn("food catalogue imported; statistics and index upkeep failed", "error", st.MaintenanceErr.Error())
	}
	if log != nil {
		log.Info("food catalogue imported", "source", st.Source, "version", st.Version,
			"foods", st.Foods, "inserted", st.Inserted, "updated", st.Updated, "archived", st.Archived,
			"portions", st.Portions, "duration", st.Duration.String())
	}
	return true, nil
}
