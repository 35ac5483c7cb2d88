package httpapi

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"":                       false,
		"gzip":                   true,
		"deflate, gzip;q=0.5":    true,
		"gzip;q=0":               false,
		"br, *":                  true,
		"identity":               false,
		"GZIP":                   true,
		"gzip; q=0.001, deflate": true,
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Encoding", header)
		if got := acceptsGzip(r); got != want {
			t.Errorf("Accept-Encoding %q: %v, want %v", header, got, want)
		}
	}
}

func TestToInt(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want int
		ok   bool
	}{
		{int64(5), 5, true},
		{json.Number("100"), 100, true},
		{json.Number("1.5"), 0, false},
		{float64(7), 7, true},
		{float64(7.5), 0, false},
		{"7", 0, false},
		{nil, 0, false},
	} {
		got, ok := toInt(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("toInt(%#v) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSaneRequestID(t *testing.T) {
	for id, want := range map[string]bool{
		"abc-123_x.y:z":           true,
		"":                        false,
		"has space":               false,
		"quote\"":                 false,
		"new\nline":               false,
		string(make([]byte, 129)): false,
	} {
		if got := saneRequestID(id); got != want {
			t.Errorf("saneRequestID(%q) = %v", id, got)
		}
	}
}
