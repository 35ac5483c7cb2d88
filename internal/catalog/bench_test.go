package catalog_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"nutrigraph/internal/catalog"
	"nutrigraph/internal/testdb"
)

// benchQueries are searches as people type them: whole words, two-word
// searches and the short prefixes of search-as-you-type (the worst case:
// many matches, and too short for PostgreSQL's trigram index).
var benchQueries = []string{
	"banana", "apple raw", "chicken breast", "milk", "egg", "rice", "cheddar cheese",
	"orange juice", "peanut butter", "bread", "salmon", "coffee", "yogurt plain",
	"potato baked", "beef ground", "olive oil", "pasta cooked", "broccoli", "tomato",
	"creme", "s", "ch", "chi", "chick", "whole milk", "oat",
}

// BenchmarkSearch measures catalog.Search over the whole catalogue (8,463
// foods): first page of 20 with totalCount (two statements), cycling
// through benchQueries. It reports the 50th, 95th and 99th percentile
// latency of one search.
//
//	go test ./internal/catalog -run '^$' -bench BenchmarkSearch -benchtime 2000x
func BenchmarkSearch(b *testing.B) {
	for _, dialect := range testdb.Dialects(b) {
		// Opened by the parent benchmark: it lives until every run of
		// the sub-benchmark is done.
		d := testdb.Open(b, dialect)
		if _, err := catalog.Import(context.Background(), d); err != nil {
			b.Fatal(err)
		}
		b.Run(dialect, func(b *testing.B) {
			ctx := context.Background()
			first := 20
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				q := benchQueries[i%len(benchQueries)]
				start := time.Now()
				conn, err := catalog.Search(ctx, d.Client.Food.Query(), catalog.SearchArgs{Search: &q, First: &first})
				lat = append(lat, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				if q == "banana" && conn.Edges[0].Node.Name != "Bananas, raw" {
					b.Fatalf("banana: %s first", conn.Edges[0].Node.Name)
				}
			}
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			pct := func(p float64) float64 {
				return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50_ms")
			b.ReportMetric(pct(0.95), "p95_ms")
			b.ReportMetric(pct(0.99), "p99_ms")
		})
	}
}
