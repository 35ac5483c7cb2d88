package memstore_test

import (
	"testing"

	"nutrigraph/internal/app/contract"
	"nutrigraph/internal/app/memstore"
	"nutrigraph/internal/nutrition"
)

func TestContract(t *testing.T) {
	contract.Run(t, func(*testing.T) contract.Harness {
		s := memstore.New()
		return contract.Harness{UoW: s, AddFood: func(_ *testing.T, f nutrition.Food) nutrition.Food { return s.AddFood(f) }}
	})
}
