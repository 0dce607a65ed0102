package demo

import (
	"context"
	"testing"

	"github.com/stalking-hub/hub/internal/store/storetest"
)

// BenchmarkSeed measures seeding: the time per referral with its history.
// Run it with a count, as seeding has a start-up cost:
//
//	go test ./internal/demo -run '^$' -bench Seed -benchtime 5000x
func BenchmarkSeed(b *testing.B) {
	db := storetest.Open(b)
	dir := agencies(b)
	b.ResetTimer()
	if err := Seed(context.Background(), db, dir, b.N, Options{Issuer: "http://127.0.0.1/devidp", Now: now, Seed: 1}, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "referrals/s")
}
