package store

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/justice"
	"github.com/stalking-hub/hub/internal/report"
)

// The SQL of the criminal-justice figures keeps the Go rules: an update is
// on time, late or overdue as justice.OnTime and justice.Overdue say, and a
// referral has an active order as justice.StatusOn says, over random
// updates and orders around the period's edges.
func TestCriminalJusticeSQLKeepsTheGoRules(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	cal, err := justice.EnglandAndWales()
	if err != nil {
		t.Fatal(err)
	}
	p := report.Period{From: mdate("2026-03-01"), To: mdate("2026-04-30")}
	now := mdate("2026-04-20").Add(15 * time.Hour)
	db.Now = func() time.Time { return mdate("2026-03-10").Add(9 * time.Hour) }
	rng := rand.New(rand.NewPCG(13, 13))
	day := func(from string, span int) time.Time { return mdate(from).AddDate(0, 0, rng.IntN(span)) }
	var want report.VictimUpdates
	wantActive := 0
	for range 30 {
		id, _ := create(t, db, submission("Vic Random", "medium"), "", "")
		active := false
		for range rng.IntN(3) {
			o := justice.Order{ReferralID: id, Kind: "bail_pre_charge", Conditions: justice.Conditions(id, "no contact"), StartsOn: day("2026-02-01", 120)}
			if rng.IntN(4) > 0 {
				o.EndsOn = o.StartsOn.AddDate(0, 0, rng.IntN(90))
			}
			saved, err := db.AddOrder(ctx, o, officer)
			if err != nil {
				t.Fatal(err)
			}
			if rng.IntN(5) == 0 {
				o.DischargedOn = o.StartsOn.AddDate(0, 0, rng.IntN(60))
				if _, err := db.ChangeOrder(ctx, justice.OrderUpdate{ID: saved.ID, IfMatch: 1, Change: "discharged", Reason: justice.ChangeReason(saved.ReferralID, "x"), Actor: officer,
					Apply: func(x *justice.Order) error { x.DischargedOn = o.DischargedOn; return nil }}); err != nil {
					t.Fatal(err)
				}
			}
			// The period ends after today: the orders in force today count.
			active = active || justice.StatusOn(o, now) == justice.Active && !o.StartsOn.After(now)
		}
		if active {
			wantActive++
		}
		for range rng.IntN(4) {
			u, err := db.AddVictimUpdate(ctx, justice.Update{ReferralID: id, Event: "arrest", EventOn: day("2026-02-20", 80)}, cal, officer)
			if err != nil {
				t.Fatal(err)
			}
			if rng.IntN(3) > 0 {
				u.ToldOn = u.EventOn.AddDate(0, 0, rng.IntN(10))
				if _, err := db.TellVictimUpdate(ctx, justice.Update{ID: u.ID, ToldOn: u.ToldOn, Method: "phone"}, 0, officer); err != nil {
					t.Fatal(err)
				}
			}
			if u.DueBy.Before(p.From) || u.DueBy.After(p.To) {
				continue
			}
			want.Due++
			switch {
			case justice.OnTime(u.DueBy, u.ToldOn):
				want.OnTime++
			case !u.ToldOn.IsZero():
				want.Late++
			case justice.Overdue(u.DueBy, u.ToldOn, now):
				want.Overdue++
			}
		}
	}
	f, err := db.Outcomes(ctx, p, "", now)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.CriminalJustice.VictimUpdates; got != want || want.OnTime == 0 || want.Late == 0 || want.Overdue == 0 {
		t.Errorf("victim updates: SQL %+v, Go %+v (each kind must occur)", got, want)
	}
	if got := f.CriminalJustice.WithActiveOrder; got != wantActive || wantActive == 0 {
		t.Errorf("with an active order: SQL %d, Go %d", got, wantActive)
	}
}
