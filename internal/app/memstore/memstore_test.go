package memstore_test

import (
	"testing"

	"nutrigraph/internal/app"
	"nutrigraph/internal/app/contract"
	"nutrigraph/internal/app/memstore"
)

func TestContract(t *testing.T) {
	contract.Run(t, func(*testing.T) app.UnitOfWork { return memstore.New() })
}
