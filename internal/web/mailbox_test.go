package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/config"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/store/storetest"
)

// outboxServer is a server over a real database holding three notifications:
// one delivered, one pending after a failure, one given up.
func outboxServer(t *testing.T, devIDP bool) *Server {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t) // the admin's resend is audited: the log needs its key
	t0 := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return t0 }
	link := notify.ReferralLink("http://127.0.0.1:8080", "r-1")
	if err := db.Enqueue(ctx,
		notify.Message{Kind: notify.NewShare, To: "housing.referrals@example.gov.uk", Reference: "SH-2026-000001", Link: link},
		notify.Message{Kind: notify.StatusChanged, To: "pc.officer@police.example.gov.uk", Reference: "SH-2026-000002", Link: link},
		notify.Message{Kind: notify.OverdueShare, To: "health@example.gov.uk", Reference: "SH-2026-000003", Link: link},
	); err != nil {
		t.Fatal(err)
	}
	claimed, err := db.ClaimDue(ctx, t0, time.Minute, 3)
	if err != nil || len(claimed) != 3 {
		t.Fatal(err, claimed)
	}
	if err := db.MarkDelivered(ctx, claimed[0].ID, t0); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkFailed(ctx, claimed[1].ID, t0, "421 4.7.0 try again later", t0.Add(30*time.Second), false); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkFailed(ctx, claimed[2].ID, t0, "550 5.1.1 mailbox unavailable", t0, true); err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	cfg.DevIDP.Enabled = devIDP
	s, err := New(Deps{Config: cfg, DB: db, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// get calls handler h for target as a signed-in person with role r.
func get(s *Server, h echo.HandlerFunc, target string, r identity.Role) (*httptest.ResponseRecorder, error) {
	rec := httptest.NewRecorder()
	c := s.Echo().NewContext(httptest.NewRequest(http.MethodGet, target, nil), rec)
	c.Set(string(principalKey), identity.Principal{Subject: "demo", Name: "Demo", Roles: []identity.Role{r}})
	return rec, h(c)
}

func TestDevMailboxShowsEachMailAsSent(t *testing.T) {
	s := outboxServer(t, true)
	rec, err := get(s, s.devMailbox, "/dev/mailbox", identity.Admin)
	if err != nil || rec.Code != http.StatusOK {
		t.Fatalf("%d %v", rec.Code, err)
	}
	page := rec.Body.String()
	for _, want := range []string{
		"New referral SH-2026-000001", "A new referral, SH-2026-000001, has been sent to your agency.",
		"Referral SH-2026-000002: status changed", "Referral SH-2026-000003: response overdue",
		"housing.referrals@example.gov.uk", "http://127.0.0.1:8080/referrals/r-1",
		"delivered", "pending, 1 attempt; last error: 421 4.7.0 try again later", "failed",
		"21 Nov 2026 09:00 UTC",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the mailbox lacks %q", want)
		}
	}
	// Newest first: created together, so the highest id leads.
	if strings.Index(page, "SH-2026-000003") > strings.Index(page, "SH-2026-000001") {
		t.Error("not newest first")
	}
}

func TestDevMailboxIsOnlyForDevelopment(t *testing.T) {
	s := outboxServer(t, false)
	_, err := get(s, s.devMailbox, "/dev/mailbox", identity.Admin)
	if problem.CodeOf(err) != problem.NotFound {
		t.Fatalf("without the development provider: %v, want NotFound", err)
	}
}

func TestAdminOutboxShowsDeliveryState(t *testing.T) {
	s := outboxServer(t, false)
	cases := []struct {
		target        string
		want, notWant []string
	}{
		{"/admin/outbox", []string{"SH-2026-000001", "SH-2026-000002", "SH-2026-000003", "Delivered", "Pending", "Failed",
			"421 4.7.0 try again later", "550 5.1.1 mailbox unavailable", "next attempt 21 Nov 2026 09:00 UTC", `<th scope="col"`}, nil},
		{"/admin/outbox?state=failed", []string{"SH-2026-000003", "550 5.1.1 mailbox unavailable", `<strong aria-current="page">failed</strong>`},
			[]string{"SH-2026-000001", "SH-2026-000002"}},
		{"/admin/outbox?state=pending", []string{"SH-2026-000002"}, []string{"SH-2026-000001", "SH-2026-000003"}},
	}
	for _, c := range cases {
		rec, err := get(s, s.adminOutbox, c.target, identity.Admin)
		if err != nil || rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %v", c.target, rec.Code, err)
		}
		page := rec.Body.String()
		for _, w := range c.want {
			if !strings.Contains(page, w) {
				t.Errorf("%s lacks %q", c.target, w)
			}
		}
		for _, w := range c.notWant {
			if strings.Contains(page, w) {
				t.Errorf("%s shows %q", c.target, w)
			}
		}
	}
	if _, err := get(s, s.adminOutbox, "/admin/outbox?state=lost", identity.Admin); problem.CodeOf(err) != problem.Invalid {
		t.Fatalf("unknown state: %v", err)
	}
}
