// Package gid makes the primary keys of nutrigraph: time-ordered UUIDv7 values
// whose last two bytes carry the code of the table the row belongs to.
//
// A GraphQL client sees these ids as plain UUID strings. Because the table code
// travels inside the id, `node(id:)` and `nodes(ids:)` resolve the type of an id
// with one lookup in memory instead of probing every table (see docs/ids.md).
//
// Layout (RFC 9562 UUIDv7, big-endian bytes):
//
//	0..5   48-bit Unix time in milliseconds (sort order and index locality)
//	6..7   version 7 and 12 random bits
//	8..13  variant and 46 random bits
//	14..15 table code (Code)
package gid

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
)

// Code is the 16-bit table code carried in an id.
type Code uint16

// Table codes. A code is never reused for another table: ids are forever.
const (
	User           Code = 0x0001
	Profile        Code = 0x0002
	BillingAccount Code = 0x0003
	BillingEvent   Code = 0x0004
	Session        Code = 0x0005
	Target         Code = 0x0006
	TargetNutrient Code = 0x0007
	TargetSnapshot Code = 0x0008
	Food           Code = 0x0009
	FoodPortion    Code = 0x000a
	Meal           Code = 0x000b
	FoodEntry      Code = 0x000c
	MealNutrition  Code = 0x000d
	DailyNutrition Code = 0x000e
)

// tables maps each code to the SQL table of its rows (ent's table names).
var tables = map[Code]string{
	User:           "users",
	Profile:        "profiles",
	BillingAccount: "billing_accounts",
	BillingEvent:   "billing_events",
	Session:        "sessions",
	Target:         "targets",
	TargetNutrient: "target_nutrients",
	TargetSnapshot: "target_snapshots",
	Food:           "foods",
	FoodPortion:    "food_portions",
	Meal:           "meals",
	FoodEntry:      "food_entries",
	MealNutrition:  "meal_nutritions",
	DailyNutrition: "daily_nutritions",
}

// Table returns the SQL table of code c, or "" for an unknown code.
func (c Code) Table() string { return tables[c] }

// Tables returns every table name in code order.
func Tables() []string {
	codes := make([]int, 0, len(tables))
	for c := range tables {
		codes = append(codes, int(c))
	}
	sort.Ints(codes)
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = tables[Code(c)]
	}
	return out
}

// now is the clock of New; tests may replace it.
var now = time.Now

// New returns a fresh UUIDv7 tagged with code c.
func New(c Code) uuid.UUID {
	var u uuid.UUID
	if _, err := rand.Read(u[6:]); err != nil {
		panic(fmt.Errorf("gid: reading randomness: %w", err)) // crypto/rand never fails on supported platforms
	}
	ms := uint64(now().UnixMilli())
	u[0] = byte(ms >> 40)
	u[1] = byte(ms >> 32)
	u[2] = byte(ms >> 24)
	u[3] = byte(ms >> 16)
	u[4] = byte(ms >> 8)
	u[5] = byte(ms)
	u[6] = (u[6] & 0x0f) | 0x70 // version 7
	u[8] = (u[8] & 0x3f) | 0x80 // RFC 9562 variant
	binary.BigEndian.PutUint16(u[14:], uint16(c))
	return u
}

// Generator returns a function that makes ids of code c, for ent's Default.
func Generator(c Code) func() uuid.UUID {
	if tables[c] == "" {
		panic(fmt.Sprintf("gid: unknown table code %#04x", uint16(c)))
	}
	return func() uuid.UUID { return New(c) }
}

// CodeOf returns the table code carried by id and whether id is a nutrigraph
// id (a version-7 UUID with a known code).
func CodeOf(id uuid.UUID) (Code, bool) {
	if id.Version() != 7 || id.Variant() != uuid.RFC4122 {
		return 0, false
	}
	c := Code(binary.BigEndian.Uint16(id[14:]))
	_, ok := tables[c]
	return c, ok
}

// TableOf returns the SQL table of the row that id names, or an error when id
// was not made by New.
func TableOf(id uuid.UUID) (string, error) {
	c, ok := CodeOf(id)
	if !ok {
		return "", fmt.Errorf("gid: %s is not a nutrigraph id", id)
	}
	return tables[c], nil
}
