package nutrition

import (
	"fmt"
	"strings"
	"time"
)

// Date is a calendar date without a time zone: the user's local day.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses YYYY-MM-DD; field is the input path reported on error.
func ParseDate(field, s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return Date{}, Invalid(field, "%q is not a date (YYYY-MM-DD)", s)
	}
	return DateOf(t), nil
}

// DateOf returns the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// midnight is d at 00:00 UTC, for arithmetic.
func (d Date) midnight() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return DateOf(d.midnight().AddDate(0, 0, n)) }

// AddYears returns d moved by n years (29 February → 1 March when needed).
func (d Date) AddYears(n int) Date { return DateOf(d.midnight().AddDate(n, 0, 0)) }

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.midnight().Before(o.midnight()) }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.midnight().After(o.midnight()) }

// DaysUntil returns the number of days from d to o (negative when o is before d).
func (d Date) DaysUntil(o Date) int { return int(o.midnight().Sub(d.midnight()).Hours() / 24) }

// LoadZone loads an IANA time zone. "Local" and "" are refused: a user's zone
// must name a place.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("nutrition: %q is not an IANA time zone", name)
	}
	return time.LoadLocation(name)
}

// LocalDate returns the calendar date of instant t in zone loc. DST changes
// need no special care: the date is read off the zone's wall clock.
func LocalDate(t time.Time, loc *time.Location) Date { return DateOf(t.In(loc)) }
