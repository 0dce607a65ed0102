package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/justice"
	"github.com/stalking-hub/hub/internal/sharing"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

// isFiled checks that t is sealed as the store hands it out: filed under
// referral id, of category want, written by the force, printing and
// encoding nothing, and opening to body through a View.
func isFiled(t *testing.T, what string, x sealed.Text, id string, want category.Category, body string) {
	t.Helper()
	c, classified := x.Category()
	switch {
	case x.Referral() != id:
		t.Errorf("%s: filed under %q, want %q", what, x.Referral(), id)
	case !classified || c != want:
		t.Errorf("%s: category %v (%v), want %v", what, c, classified, want)
	case x.Author() != agency.Police:
		t.Errorf("%s: written by %q", what, x.Author())
	case fmt.Sprint(x) != "[sealed]" || fmt.Sprintf("%#v", x) != "[sealed]":
		t.Errorf("%s prints its content", what)
	case opened(x) != body:
		t.Errorf("%s opens to %q, want %q", what, opened(x), body)
	}
	if b, err := json.Marshal(struct{ T sealed.Text }{x}); err == nil {
		t.Errorf("%s encodes to JSON: %s", what, b)
	}
}

// The orders register and the Victims' Code hand out their free text
// sealed, filed under the referral with its category: conditions, change
// reasons and breach summaries of orders, notes of telling the victim of
// contact. The orders section the store builds from them still holds the
// conditions and reasons, opened by Release. Text about another referral
// is refused, and nothing is half-saved.
func TestJusticeTextsAreSealed(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	db.Now = func() time.Time { return mdate("2026-03-01").Add(9 * time.Hour) }
	id, _ := create(t, db, submission("Vic Sealed", "high"), "", "")
	other, _ := create(t, db, submission("Vic Other", "high"), "", "")

	o, err := db.AddOrder(ctx, justice.Order{ReferralID: id, Kind: "restraining_order", Conditions: justice.Conditions("", "must not enter Orchard Road"),
		StartsOn: mdate("2026-01-01"), Court: "Northshire"}, officer)
	if err != nil {
		t.Fatal(err)
	}
	isFiled(t, "the conditions recorded", o.Conditions, id, category.Orders, "must not enter Orchard Road")
	if _, err := db.AddOrder(ctx, justice.Order{ReferralID: id, Kind: "restraining_order", Conditions: justice.Conditions(other, "about someone else"),
		StartsOn: mdate("2026-01-01")}, officer); err == nil {
		t.Error("conditions written about another referral were filed under this one")
	}
	if _, err := db.ChangeOrder(ctx, justice.OrderUpdate{ID: o.ID, IfMatch: 1, Change: "varied", Reason: justice.ChangeReason("", "the victim moved"), Actor: officer,
		Apply: func(x *justice.Order) error {
			x.Conditions = justice.Conditions(x.ReferralID, "must not enter Elm Street")
			return nil
		}}); err != nil {
		t.Fatal(err)
	}
	got, hist, err := db.Order(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	isFiled(t, "the conditions read", got.Conditions, id, category.Orders, "must not enter Elm Street")
	if len(hist) != 2 || !hist[0].Reason.Empty() {
		t.Fatalf("history %d entries, grant's reason empty: %v", len(hist), len(hist) > 0 && hist[0].Reason.Empty())
	}
	isFiled(t, "the reason for the change", hist[1].Reason, id, category.Orders, "the victim moved")
	if list, err := db.ReferralOrders(ctx, id); err != nil || len(list) != 1 {
		t.Fatalf("the referral's orders: %d (%v)", len(list), err)
	} else {
		isFiled(t, "the conditions listed", list[0].Conditions, id, category.Orders, "must not enter Elm Street")
	}

	b, err := db.RecordBreach(ctx, justice.Breach{OrderID: o.ID, OccurredOn: mdate("2026-02-01"), Summary: justice.BreachSummary("", "seen outside the house")}, mdate("2026-03-01"), officer)
	if err != nil {
		t.Fatal(err)
	}
	isFiled(t, "the breach summary", b.Summary, id, category.Orders, "seen outside the house")
	if _, err := db.RecordBreach(ctx, justice.Breach{OrderID: o.ID, OccurredOn: mdate("2026-02-02"), Summary: justice.BreachSummary(other, "about someone else")}, mdate("2026-03-01"), officer); err == nil {
		t.Error("a breach summary about another referral was filed under this one")
	}
	if got, _, err := db.Order(ctx, o.ID); err != nil || got.Breaches != 1 {
		t.Errorf("breaches after a refused one: %d (%v)", got.Breaches, err)
	}

	// The orders section holds the conditions and reasons in plain, sealed
	// as a section: only Release opens it.
	r, err := db.Referral(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	v, err := sharing.Release(officer, r, agency.Referral, nil, db.Now())
	if err != nil {
		t.Fatal(err)
	}
	section, ok := v.Content(category.Orders)
	if !ok || !strings.Contains(string(section), "must not enter Elm Street") || !strings.Contains(string(section), `"reason":"the victim moved"`) {
		t.Errorf("the orders section: %s (%v)", section, ok)
	}

	cal, err := justice.EnglandAndWales()
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.AddVictimUpdate(ctx, justice.Update{ReferralID: id, Event: "arrest", EventOn: mdate("2026-02-02")}, cal, officer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.TellVictimUpdate(ctx, justice.Update{ID: u.ID, ToldOn: mdate("2026-02-03"), Method: "phone", Note: justice.Note(other, "about someone else")}, 0, officer); err == nil {
		t.Error("a note about another referral was filed under this one")
	}
	told, err := db.TellVictimUpdate(ctx, justice.Update{ID: u.ID, ToldOn: mdate("2026-02-03"), Method: "phone", Note: justice.Note("", "told at 10am")}, 0, officer)
	if err != nil {
		t.Fatal(err)
	}
	isFiled(t, "the note told", told.Note, id, category.Contact, "told at 10am")
	us, err := db.VictimUpdates(ctx, id)
	if err != nil || len(us) != 1 || us[0].Version != 2 {
		t.Fatalf("updates %+v (%v)", us, err)
	}
	isFiled(t, "the note read", us[0].Note, id, category.Contact, "told at 10am")
}
