package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/config"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/report"
	"github.com/stalking-hub/hub/internal/report/reporttest"
	"github.com/stalking-hub/hub/internal/store"
	"github.com/stalking-hub/hub/internal/store/storetest"
	"github.com/stalking-hub/hub/internal/web"
)

// The store's figures are exactly those worked out by hand, for all
// agencies and narrowed to one.
func TestOutcomesOfTheFixture(t *testing.T) {
	db := storetest.Open(t)
	reporttest.Build(t, db)
	for _, c := range []struct {
		agency string
		want   report.Figures
	}{{"", reporttest.Want()}, {"health", reporttest.WantHealth()}} {
		got, err := db.Outcomes(context.Background(), reporttest.Period, c.agency, reporttest.Now)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c.want) {
			g, _ := json.MarshalIndent(got, "", " ")
			w, _ := json.MarshalIndent(c.want, "", " ")
			t.Errorf("agency %q:\ngot  %s\nwant %s", c.agency, g, w)
		}
	}
}

// An empty period has every figure at zero and nothing missing.
func TestOutcomesOfNothing(t *testing.T) {
	db := storetest.Open(t)
	f, err := db.Outcomes(context.Background(), reporttest.Period, "", reporttest.Now)
	if err != nil {
		t.Fatal(err)
	}
	if f.Referrals.Total != 0 || len(f.Referrals.Months) != 3 || f.Consent.Referrals != 0 || len(f.Agencies) != 0 || f.MARAC.Cases != 0 {
		t.Errorf("%+v", f)
	}
	b, _ := json.Marshal(f)
	var back map[string]any
	json.Unmarshal(b, &back)
	for _, k := range []string{"agencies", "decline_reasons", "overrides"} {
		if _, ok := back[k].([]any); !ok {
			t.Errorf("%s is %v, want a list", k, back[k])
		}
	}
}

// benchAuth signs every browser in as a supervisor: the benchmark measures
// the page, not sign-in.
type benchAuth struct{}

var benchSupervisor = identity.Principal{Subject: "bench|supervisor", Name: "Bench Supervisor", Roles: []identity.Role{identity.Supervisor}}

func (benchAuth) BeginSignin(context.Context, string, bool, string) (string, error) { return "/", nil }
func (benchAuth) FinishSignin(context.Context, string, string, string) (string, identity.Session, string, error) {
	return "", identity.Session{}, "", errors.New("no sign-in in benchmarks")
}
func (benchAuth) Session(context.Context, string) (identity.Session, error) {
	return identity.Session{Principal: benchSupervisor, CSRF: "bench"}, nil
}
func (benchAuth) Signout(context.Context, string) (string, error) { return "", nil }
func (benchAuth) EndSessions(context.Context, identity.SessionsOf, identity.Principal) (int, error) {
	return 0, nil
}
func (benchAuth) Bearer(context.Context, string) (identity.Principal, error) {
	return benchSupervisor, nil
}

// BenchmarkOutcomes100k reads the figures of a year holding 100,000
// referrals (about 200,000 shares; HUB_BENCH_REFERRALS sets another
// number) from the counters, and for comparison works them out in full
// from every referral and share as the store did before the counters
// (store_full); then renders the outcomes page and its JSON through the
// real router. Nothing is cached: each iteration reads afresh. The issue's
// budget for the page and the JSON is 100 ms.
func BenchmarkOutcomes100k(b *testing.B) {
	db := storetest.Open(b)
	now := reporttest.Now
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("HUB_BENCH_REFERRALS")); err == nil && v > 0 {
		n = v
	}
	start := time.Now()
	store.SeedReportLoad(b, db, n, now)
	b.Logf("seeded %d referrals in %v", n, time.Since(start).Round(time.Millisecond))
	p := report.DefaultPeriod(now)
	ctx := context.Background()
	f, err := db.Outcomes(ctx, p, "", now)
	if err != nil {
		b.Fatal(err)
	}
	if f.Referrals.Total != n || f.Consent.Referrals != n || len(f.Agencies) != 7 || f.MARAC.Cases == 0 || f.Patterns.Linked == 0 {
		b.Fatalf("the load is not what the benchmark needs: %d referrals, %d agencies, %d cases, %d linked",
			f.Referrals.Total, len(f.Agencies), f.MARAC.Cases, f.Patterns.Linked)
	}

	for _, agencyID := range []string{"", "housing"} {
		name := "store"
		if agencyID != "" {
			name += "_one_agency"
		}
		b.Run(name, func(b *testing.B) {
			done := cpuPerOp(b)
			for b.Loop() {
				if _, err := db.Outcomes(ctx, p, agencyID, now); err != nil {
					b.Fatal(err)
				}
			}
			done()
		})
		b.Run(name+"_full", func(b *testing.B) {
			done := cpuPerOp(b)
			for b.Loop() {
				if _, err := db.FullOutcomes(ctx, p, agencyID, now); err != nil {
					b.Fatal(err)
				}
			}
			done()
		})
	}

	cfg := config.Defaults()
	cfg.Server.BaseURL = "http://127.0.0.1"
	agencies, err := agency.Load(filepath.Join("..", "..", "agencies"), cfg.Sharing.LawfulBases)
	if err != nil {
		b.Fatal(err)
	}
	s, err := web.New(web.Deps{Config: cfg, DB: db, Agencies: agencies, Auth: benchAuth{},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	page := func(b *testing.B, path string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(&http.Cookie{Name: "__Host-hub_session", Value: "bench"})
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `id="table-marac-actions"`) {
			b.Fatalf("page: %d", rec.Code)
		}
	}
	for _, path := range []string{"/reports/outcomes", "/reports/outcomes?agency=housing"} {
		b.Run("page"+strings.TrimPrefix(path, "/reports/outcomes"), func(b *testing.B) {
			done := cpuPerOp(b)
			for b.Loop() {
				page(b, path)
			}
			done()
		})
	}
	b.Run("json", func(b *testing.B) {
		done := cpuPerOp(b)
		for b.Loop() {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/reports/outcomes", nil)
			req.Header.Set("Authorization", "Bearer bench")
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("json: %d", rec.Code)
			}
		}
		done()
	})
}
