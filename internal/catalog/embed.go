package catalog

import (
	"bytes"
	_ "embed" // the data file
	"sync"
)

// embeddedFile is the catalogue data file built into the binary.
//
//go:embed data/usda-sr26.json.gz
var embeddedFile []byte

var (
	embeddedOnce sync.Once
	embeddedData *Data
	embeddedErr  error
)

// Embedded returns the catalogue built into the binary (USDA SR26, data
// version DataVersion), decoded once. The result is shared: do not modify it.
func Embedded() (*Data, error) {
	embeddedOnce.Do(func() {
		embeddedData, embeddedErr = Decode(bytes.NewReader(embeddedFile))
	})
	return embeddedData, embeddedErr
}
