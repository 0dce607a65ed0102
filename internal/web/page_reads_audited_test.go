package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
	"github.com/stalking-hub/hub/internal/store"
)

// auditCount is the number of entries in the audit log of db.
func auditCount(t *testing.T, db *store.DB) int {
	t.Helper()
	n, cursor := 0, int64(0)
	for {
		es, err := db.AuditEntries(context.Background(), store.AuditFilter{Cursor: cursor, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		n += len(es)
		if len(es) < 1000 {
			return n
		}
		cursor = es[len(es)-1].Index + 1
	}
}

// Each page that reads a record about a person writes its audit entry
// first: exactly one for a record, one per referral for a list.
func TestPageReadsAudited(t *testing.T) {
	pagePeople["coordinator"] = identity.Principal{Subject: "test|coordinator", Name: "Cora Coordinator", Roles: []identity.Role{identity.MARACCoordinator}}
	defer delete(pagePeople, "coordinator")
	h := startPagesHub(t)
	ctx := context.Background()
	id := h.referral("high", 24*time.Hour)

	moves := func(persona, path string, want int) pageAnswer {
		t.Helper()
		before := auditCount(t, h.db)
		a := h.do(http.MethodGet, path, persona, nil)
		if a.status != http.StatusOK {
			t.Fatalf("%s reads %s: %d %s", persona, path, a.status, a.body)
		}
		if got := auditCount(t, h.db) - before; got != want {
			t.Errorf("%s reading %s wrote %d audit entries, want %d", persona, path, got, want)
		}
		return a
	}

	// Requests to share without consent: their rationale is about the victim.
	form := url.Values{"basis": {"vital_interests"}, "rationale": {"RATIONALE-TEXT suspect has her address"}, "agencies": {"housing"},
		"categories": {"contact"}, "until-day": {"1"}, "until-month": {"1"}, "until-year": {"2030"}}
	if a := h.do(http.MethodPost, "/referrals/"+id+"/overrides", "officer", form); a.status != http.StatusSeeOther {
		t.Fatalf("override request: %d %s", a.status, a.body)
	}
	pending, err := h.db.PendingOverrides(ctx)
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending %v %v", pending, err)
	}
	h.expect(moves("supervisor", "/overrides", 1), http.StatusOK)
	h.expect(moves("supervisor", "/overrides/"+pending[0].ID, 1), http.StatusOK, "RATIONALE-TEXT")
	h.expect(moves("officer", "/referrals/"+id+"/consent", 1), http.StatusOK, "Requests to share without consent")

	// Outcomes: the page, and a table as CSV.
	moves("supervisor", "/reports/outcomes?from=2026-01-01&to=2026-12-31", 1)
	moves("supervisor", "/reports/outcomes/agency-responses.csv?from=2026-01-01&to=2026-12-31", 1)

	// A MARAC action, and the papers.
	coordinator := pagePeople["coordinator"]
	m, err := h.db.CreateMeeting(ctx, marac.Meeting{Panel: "north", Date: time.Now().UTC().AddDate(0, 0, 7).Truncate(24 * time.Hour)}, coordinator)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := h.db.AddCase(ctx, m.ID, marac.Case{ReferralID: id, Criterion: marac.VisibleHighRisk,
		Note: sealed.NewText("", category.Risk, "marac-coordinator", "NOTE-TEXT on bail")}, coordinator)
	if err != nil {
		t.Fatal(err)
	}
	act, err := h.db.AddAction(ctx, cs.ID, marac.Action{Agency: "housing", Due: m.Date.AddDate(0, 0, 14),
		Description: sealed.NewText("", category.Risk, "marac-coordinator", "ACTION-TEXT fit locks")}, coordinator)
	if err != nil {
		t.Fatal(err)
	}
	h.expect(moves("housing", "/marac/actions/"+act.ID, 1), http.StatusOK, "ACTION-TEXT")
	h.expect(moves("housing", "/marac/actions", 1), http.StatusOK, "ACTION-TEXT")
	h.expect(moves("coordinator", "/marac/cases/"+cs.ID, 1), http.StatusOK, "ACTION-TEXT")
	// The papers: their own entry, then one release per case.
	h.expect(moves("coordinator", "/marac/meetings/"+m.ID+"/papers", 2), http.StatusOK, "NOTE-TEXT", "ACTION-TEXT")
}
