package gid

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"github.com/google/uuid"
)

// allCodes lists every table code with its table: a new table must be added
// here, which reminds its author that codes are never reused.
var allCodes = []struct {
	code  Code
	table string
}{
	{User, "users"},
	{Profile, "profiles"},
	{BillingAccount, "billing_accounts"},
	{BillingEvent, "billing_events"},
	{Session, "sessions"},
	{Target, "targets"},
	{TargetNutrient, "target_nutrients"},
	{TargetSnapshot, "target_snapshots"},
	{Food, "foods"},
	{FoodPortion, "food_portions"},
	{Meal, "meals"},
	{FoodEntry, "food_entries"},
	{MealNutrition, "meal_nutritions"},
	{DailyNutrition, "daily_nutritions"},
}

// withClock makes New read the given clock for the rest of the test.
func withClock(t *testing.T, clock func() time.Time) {
	t.Helper()
	old := now
	now = clock
	t.Cleanup(func() { now = old })
}

func TestNewLayout(t *testing.T) {
	at := time.Date(2026, 3, 14, 15, 9, 26, 535_000_000, time.UTC)
	withClock(t, func() time.Time { return at })
	for _, tc := range allCodes {
		t.Run(tc.table, func(t *testing.T) {
			id := New(tc.code)
			if got := id.Version(); got != 7 {
				t.Errorf("version = %d, want 7", got)
			}
			if got := id.Variant(); got != uuid.RFC4122 {
				t.Errorf("variant = %v, want RFC 4122", got)
			}
			if id[6]>>4 != 0x7 {
				t.Errorf("byte 6 = %#02x, want high nibble 7", id[6])
			}
			if id[8]>>6 != 0b10 {
				t.Errorf("byte 8 = %#02x, want high bits 10", id[8])
			}
			var ms [8]byte
			copy(ms[2:], id[0:6])
			if got := int64(binary.BigEndian.Uint64(ms[:])); got != at.UnixMilli() {
				t.Errorf("timestamp = %d ms, want %d", got, at.UnixMilli())
			}
			// The uuid package reads the same instant back.
			sec, nsec := id.Time().UnixTime()
			if got := time.Unix(sec, nsec); !got.Equal(at) {
				t.Errorf("uuid.Time() = %v, want %v", got, at)
			}
			if got := Code(binary.BigEndian.Uint16(id[14:])); got != tc.code {
				t.Errorf("trailing code = %#04x, want %#04x", got, tc.code)
			}
		})
	}
}

func TestCodeRoundTrip(t *testing.T) {
	seen := map[string]Code{}
	for _, tc := range allCodes {
		t.Run(tc.table, func(t *testing.T) {
			if other, dup := seen[tc.table]; dup {
				t.Fatalf("table %s has two codes: %#04x and %#04x", tc.table, other, tc.code)
			}
			seen[tc.table] = tc.code
			if got := tc.code.Table(); got != tc.table {
				t.Errorf("Code.Table() = %q, want %q", got, tc.table)
			}
			id := Generator(tc.code)()
			code, ok := CodeOf(id)
			if !ok || code != tc.code {
				t.Errorf("CodeOf(%s) = %#04x, %v; want %#04x, true", id, code, ok, tc.code)
			}
			table, err := TableOf(id)
			if err != nil || table != tc.table {
				t.Errorf("TableOf(%s) = %q, %v; want %q", id, table, err, tc.table)
			}
			// The textual form a client sees parses back to the same id and code.
			parsed, err := uuid.Parse(id.String())
			if err != nil || parsed != id {
				t.Fatalf("uuid.Parse(%s) = %s, %v", id, parsed, err)
			}
			if code, ok := CodeOf(parsed); !ok || code != tc.code {
				t.Errorf("CodeOf(parsed) = %#04x, %v", code, ok)
			}
		})
	}
	if got, want := len(Tables()), len(allCodes); got != want {
		t.Errorf("Tables() has %d tables, the test knows %d: add the new code to allCodes", got, want)
	}
}

func TestTablesInCodeOrder(t *testing.T) {
	got := Tables()
	for i, tc := range allCodes {
		if i >= len(got) || got[i] != tc.table {
			t.Fatalf("Tables() = %v, want code order starting %v", got, tc.table)
		}
	}
}

func TestNewIsTimeOrdered(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tick := 0
	withClock(t, func() time.Time {
		tick++
		return start.Add(time.Duration(tick) * time.Millisecond)
	})
	// Mix codes: the order comes from the time, never from the code or the randomness.
	prev := New(DailyNutrition)
	for i := 0; i < 1000; i++ {
		next := New(allCodes[i%len(allCodes)].code)
		if bytes.Compare(prev[:], next[:]) >= 0 {
			t.Fatalf("id %d (%s) does not sort after its predecessor (%s)", i, next, prev)
		}
		if prev.String() >= next.String() {
			t.Fatalf("text of id %d (%s) does not sort after %s", i, next, prev)
		}
		prev = next
	}
}

func TestNewIsRandomWithinAMillisecond(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	withClock(t, func() time.Time { return at })
	seen := make(map[uuid.UUID]bool, 1000)
	for i := 0; i < 1000; i++ {
		id := New(Meal)
		if seen[id] {
			t.Fatalf("duplicate id %s within one millisecond", id)
		}
		seen[id] = true
	}
}

func TestCodeOfRejects(t *testing.T) {
	known := New(Meal)
	withCode := func(base uuid.UUID, c uint16) uuid.UUID {
		binary.BigEndian.PutUint16(base[14:], c)
		return base
	}
	wrongVariant := known
	wrongVariant[8] = (wrongVariant[8] & 0x3f) | 0xc0 // Microsoft variant
	version4 := known
	version4[6] = (version4[6] & 0x0f) | 0x40
	tests := []struct {
		name string
		id   uuid.UUID
	}{
		{"nil uuid", uuid.Nil},
		{"max uuid", uuid.Max},
		{"random v4", uuid.New()},
		{"v4 with a known code", withCode(uuid.New(), uint16(Meal))},
		{"v7 with code 0", withCode(New(Meal), 0)},
		{"v7 with an unknown code", withCode(New(Meal), 0xffff)},
		{"v7 with the next unused code", withCode(New(Meal), uint16(DailyNutrition)+1)},
		{"version bits changed to 4", version4},
		{"variant bits changed", wrongVariant},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if code, ok := CodeOf(tc.id); ok {
				t.Errorf("CodeOf(%s) = %#04x, true; want rejection", tc.id, code)
			}
			if table, err := TableOf(tc.id); err == nil {
				t.Errorf("TableOf(%s) = %q, nil; want an error", tc.id, table)
			}
		})
	}
}

func TestUnknownCodes(t *testing.T) {
	for _, c := range []Code{0, DailyNutrition + 1, 0x00ff, 0xffff} {
		if got := c.Table(); got != "" {
			t.Errorf("Code(%#04x).Table() = %q, want \"\"", c, got)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Generator(%#04x) did not panic", c)
				}
			}()
			Generator(c)
		}()
	}
}
