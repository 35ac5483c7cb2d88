package migrate

import (
	"sync"

	"entgo.io/ent/dialect/sql/schema"

	entmigrate "nutrigraph/ent/migrate"
)

var relaxOnce sync.Once

// relaxSoftDeleteUniques drops the column-level UNIQUE that ent gives the
// foreign key of every one-to-one edge (profiles.user_id,
// billing_accounts.user_id, meal_nutritions.meal_id) when the schema already
// declares a partial unique index over that column alone
// (WHERE deleted_at IS NULL). A full unique index would keep a soft-deleted
// row blocking its live replacement and make the partial index pointless;
// the partial index alone says "at most one live row".
//
// It adjusts ent's generated table descriptions in memory, before any diff.
func relaxSoftDeleteUniques() {
	relaxOnce.Do(func() {
		for _, t := range entmigrate.Tables {
			relaxTable(t)
		}
	})
}

func relaxTable(t *schema.Table) {
	for _, c := range t.Columns {
		if !c.Unique {
			continue
		}
		for _, idx := range t.Indexes {
			if idx.Unique && len(idx.Columns) == 1 && idx.Columns[0].Name == c.Name &&
				idx.Annotation != nil && idx.Annotation.Where != "" {
				c.Unique = false
			}
		}
	}
}
