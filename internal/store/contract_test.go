package store_test

import (
	"testing"

	"nutrigraph/internal/app"
	"nutrigraph/internal/app/contract"
	"nutrigraph/internal/store"
	"nutrigraph/internal/testdb"
)

// TestContract runs the port contract suite — the one the in-memory store
// passes — against the ent adapters on every dialect.
func TestContract(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			contract.Run(t, func(t *testing.T) app.UnitOfWork {
				db := testdb.Open(t, d)
				return store.NewUnitOfWork(db.Client, db.Dialect)
			})
		})
	}
}
