package store_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stalking-hub/hub/internal/report"
	"github.com/stalking-hub/hub/internal/report/reporttest"
	"github.com/stalking-hub/hub/internal/store/storetest"
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
