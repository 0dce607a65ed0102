package store

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/justice"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/partner"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/seal"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

// sealedEverywhere writes a referral with a value in every sealed column:
// all nine sections, share requests, a decline reason, a closing outcome, a
// message, a consent reason, an override's rationale and note.
func sealedEverywhere(t *testing.T, db *DB) string {
	t.Helper()
	ctx := context.Background()
	s := submission("Hana Hollis", "high")
	s.Victim.Phone, s.Victim.Health, s.Victim.Needs = "07700900000", "asthma", "move house"
	s.Suspect = referral.Suspect{Name: "Ike Ives", DateOfBirth: "1980-02-02"}
	s.Children = []referral.Child{{Name: "Jo Hollis"}}
	s.Agencies = append(s.Agencies, referral.Request{Agency: "probation", Request: "check licence"})
	id, _ := create(t, db, s, "", "")
	housing := identity.Principal{Subject: "iss|housing", Roles: []identity.Role{identity.AgencyStaff}, Agency: "housing"}
	health := identity.Principal{Subject: "iss|health", Roles: []identity.Role{identity.AgencyStaff}, Agency: "health"}
	steps := []referral.StatusChange{
		{ReferralID: id, Agency: "housing", To: referral.Accepted, Actor: housing},
		{ReferralID: id, Agency: "housing", To: referral.Closed, Outcome: "sanctuary fitted", Actor: housing},
		{ReferralID: id, Agency: "health", To: referral.Declined, Reason: "not registered here", Actor: health},
	}
	for _, c := range steps {
		if _, err := db.ChangeShareStatus(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AddMessage(ctx, id, "housing", referral.Message{Body: sealed.NewText("", category.Needs, "housing", "which floor?"), AuthorSide: "housing"}, housing); err != nil {
		t.Fatal(err)
	}
	if _, err := db.WithdrawShare(ctx, id, "probation", "licence ended", officer); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddConsent(ctx, id, consent.Consent{Decision: consent.NotSought, Reason: "suspect lives with her"}, officer); err != nil {
		t.Fatal(err)
	}
	o, err := db.RequestOverride(ctx, id, consent.Override{Basis: "dpa2018_sch8_safeguarding", Rationale: txt("children at risk"),
		Agencies: []string{"health"}, Categories: category.SetOf(category.Children), Until: time.Now().AddDate(0, 1, 0)}, officer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.DecideOverride(ctx, o.ID, func(o consent.Override) (consent.Override, error) {
		o.Status, o.DecidedBy, o.DecidedAt, o.Note = consent.OverrideApproved, "iss|supervisor", time.Now(), "agreed"
		return o, nil
	}, identity.Principal{Subject: "iss|supervisor"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateWebhook(ctx, partner.Webhook{Agency: "housing", URL: "https://housing.example/hook", Events: partner.Types}, "whsec_c2VjcmV0IG9mIGF0IGxlYXN0IDI0IGJ5dGVzIQ==", admin); err != nil {
		t.Fatal(err)
	}
	// Orders: conditions, a change's reason, a breach; a Victims' Code note.
	ord, err := db.AddOrder(ctx, justice.Order{ReferralID: id, Kind: "restraining_order", Conditions: justice.Conditions(id, "not within 100m"), StartsOn: mdate("2026-01-01"), Court: "Northshire"}, officer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ChangeOrder(ctx, justice.OrderUpdate{ID: ord.ID, IfMatch: 1, Change: "varied", Reason: justice.ChangeReason(id, "victim moved"), Actor: officer,
		Apply: func(o *justice.Order) error { o.Conditions = justice.Conditions(id, "not within 200m"); return nil }}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordBreach(ctx, justice.Breach{OrderID: ord.ID, OccurredOn: mdate("2026-02-01"), Summary: justice.BreachSummary(id, "seen outside")}, mdate("2026-03-01"), officer); err != nil {
		t.Fatal(err)
	}
	cal, err := justice.EnglandAndWales()
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.AddVictimUpdate(ctx, justice.Update{ReferralID: id, Event: "arrest", EventOn: mdate("2026-02-02")}, cal, officer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.TellVictimUpdate(ctx, justice.Update{ID: u.ID, ToldOn: mdate("2026-02-03"), Method: "phone", Note: justice.Note(id, "told at 10am")}, 0, officer); err != nil {
		t.Fatal(err)
	}
	// MARAC: a case note, research, an action with a note.
	m := meeting(t, db, "north", "2026-12-10")
	c := addCase(t, db, m.ID, id, marac.VisibleHighRisk, "restricted note")
	if _, err := db.SubmitResearch(ctx, c.ID, marac.Research{Agency: "housing", Summary: txt("tenant since 2019")}, housingStaff); err != nil {
		t.Fatal(err)
	}
	act, err := db.AddAction(ctx, c.ID, marac.Action{Agency: "housing", Description: txt("fit sanctuary lock"), Due: mdate("2026-12-20")}, coordinator)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExtendAction(ctx, act.ID, mdate("2026-12-30"), "the locksmith is booked", coordinator); err != nil {
		t.Fatal(err)
	}
	if _, err := db.EditCase(ctx, c.ID, marac.CaseChange{Criterion: marac.ProfessionalJudgement, Reason: "the panel asked"}, coordinator); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveMinutes(ctx, c.ID, marac.Minutes{Risks: txt("seen at the gates"), Decisions: txt("sanctuary"), Actions: txt("locks")}, coordinator); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateAction(ctx, marac.ActionUpdate{ID: act.ID, Status: "done", Note: "fitted", By: housingStaff}); err != nil {
		t.Fatal(err)
	}
	// A form kept over a timeout.
	if _, err := db.HoldForm(ctx, officer.Subject, "/referrals/new", url.Values{"victim.name": {"Held Person"}}, time.Hour); err != nil {
		t.Fatal(err)
	}
	// An amendment: the reason sealed, the replaced needs kept sealed.
	cur, err := db.Referral(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var amended [category.Count][]byte
	amended[category.Needs] = []byte(`{"needs":"wants to move sooner"}`)
	if _, err := db.AmendReferral(ctx, referral.Amendment{ReferralID: id, IfMatch: cur.Meta.Version, Submission: submission("Rowena Testperson", "medium"),
		Sections: amended, Reason: "victim asked", Actor: officer}); err != nil {
		t.Fatal(err)
	}
	// A draft of another referral.
	if _, err := db.SaveDraft(ctx, officer, "", submission("Draft Person", "medium")); err != nil {
		t.Fatal(err)
	}
	// A break-glass read, its reason sealed.
	if err := db.BreakGlass(ctx, audit.Entry{Actor: "iss|officer2", Action: audit.Release, Record: id}, "checking bail conditions", officer); err != nil {
		t.Fatal(err)
	}
	return id
}

// everything is all the opened text of a referral.
type everything struct {
	Referral *referral.Referral
	Messages []referral.Message
	Updates  []justice.Update
	Withdraw string // the reason probation's share was withdrawn
}

func openAll(t *testing.T, db *DB, id string) everything {
	t.Helper()
	r, err := db.Referral(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := db.Messages(context.Background(), id, "")
	if err != nil {
		t.Fatal(err)
	}
	us, err := db.VictimUpdates(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	w, err := db.WithdrawReason(context.Background(), id, "probation")
	if err != nil {
		t.Fatal(err)
	}
	return everything{r, ms, us, w}
}

func TestResealEveryColumn(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "keys")
	keys, err := seal.Load(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	db.SetKeyring(keys)
	old := keys.Current()
	id := sealedEverywhere(t, db)
	before := openAll(t, db, id)
	for _, c := range sealedColumns {
		var n int
		if err := db.r.QueryRow(`SELECT COUNT(*) FROM `+c.table+` WHERE `+c.key+` = ?`, old).Scan(&n); err != nil || n == 0 {
			t.Fatalf("the fixture seals nothing in %s.%s (%v)", c.table, c.blob, err)
		}
	}
	used, err := db.SealedByKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sealedValues := used[old]

	newID, err := seal.NewKey(dir, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.Refresh(); err != nil || keys.Current() != newID {
		t.Fatalf("refresh: %v, current %s", err, keys.Current())
	}
	var calls int
	var last int64
	n, err := db.Reseal(ctx, 3, func(done, total int64) {
		calls++
		if total != sealedValues || done < last {
			t.Errorf("progress %d of %d after %d", done, total, last)
		}
		last = done
	})
	if err != nil || n != sealedValues || last != sealedValues || calls < 3 {
		t.Fatalf("re-sealed %d of %d (%v), %d progress calls", n, sealedValues, err, calls)
	}
	if used, _ := db.SealedByKey(ctx); len(used) != 1 || used[newID] != sealedValues {
		t.Fatalf("after re-sealing, sealed by key: %v", used)
	}
	if again, err := db.Reseal(ctx, 3, nil); again != 0 || err != nil {
		t.Fatalf("a second run re-sealed %d (%v)", again, err)
	}
	if after := openAll(t, db, id); !reflect.DeepEqual(before, after) {
		t.Fatalf("content changed:\n%+v\n%+v", before, after)
	}

	// The old key can go: a ring read from the folder without it opens everything.
	if err := os.Remove(filepath.Join(dir, old+".key")); err != nil {
		t.Fatal(err)
	}
	fresh, err := seal.Load(dir, false)
	if err != nil || slices.Contains(fresh.IDs(), old) {
		t.Fatalf("reload: %v %v", fresh.IDs(), err)
	}
	db.SetKeyring(fresh)
	if after := openAll(t, db, id); !reflect.DeepEqual(before, after) {
		t.Fatal("content changed once the old key was removed")
	}
}

// Every key column of the schema (key_id, *_key) belongs to a sealed column
// that Reseal knows; a migration that adds one must add it to sealedColumns.
func TestSealedColumnsCoverTheSchema(t *testing.T) {
	sqliteOnly(t)
	db := open(t)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	rows, err := db.r.Query(`SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'
		AND (p.name = 'key_id' OR p.name LIKE '%\_key' ESCAPE '\')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	found := 0
	for rows.Next() {
		var table, col string
		rows.Scan(&table, &col)
		found++
		if !slices.ContainsFunc(sealedColumns, func(c sealedColumn) bool { return c.table == table && c.key == col }) {
			t.Errorf("%s.%s holds a key id but Reseal does not re-seal its column", table, col)
		}
	}
	if found != len(sealedColumns) {
		t.Errorf("the schema has %d key columns, sealedColumns lists %d", found, len(sealedColumns))
	}
}
