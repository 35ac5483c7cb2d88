package nutrition

import (
	"encoding/hex"
)

// ID identifies an entity. It holds the 16 bytes of the row's UUID; the
// domain never looks inside it.
type ID [16]byte

// IsZero reports whether id is the zero ID (no entity).
func (id ID) IsZero() bool { return id == ID{} }

// String formats id in the canonical UUID form.
func (id ID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], id[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], id[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], id[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], id[8:10])
	b[23] = '-'
	hex.Encode(b[24:], id[10:])
	return string(b[:])
}
