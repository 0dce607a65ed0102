package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/store"
)

// An admin sees how many notifications failed, on the outbox page and the
// home page, and sends a failed one again: it is pending, due now, with a
// fresh count of attempts.
func TestAdminResendsAFailedNotification(t *testing.T) {
	s := outboxServer(t, false)
	ctx := context.Background()
	failed, err := s.DB.Outbox(ctx, store.OutboxFilter{State: notify.Failed})
	if err != nil || len(failed) != 1 {
		t.Fatalf("failed notifications: %v %v", failed, err)
	}
	rec, err := get(s, s.adminOutbox, "/admin/outbox", identity.Admin)
	if err != nil {
		t.Fatal(err)
	}
	page := rec.Body.String()
	for _, want := range []string{"1 notification has failed", `action="/admin/outbox/` + strconv.FormatInt(failed[0].ID, 10) + `/resend"`, "Send again"} {
		if !strings.Contains(page, want) {
			t.Errorf("the outbox page lacks %q", want)
		}
	}
	tasks, err := s.tasks(ctx, identity.Principal{Subject: "demo", Roles: []identity.Role{identity.Admin}}, identity.Admin)
	if err != nil || len(tasks) != 2 || tasks[1].Status != "1 failed" {
		t.Errorf("the admin home's notifications task: %+v %v, want 1 failed", tasks, err)
	}

	resend := func(id string) (*httptest.ResponseRecorder, error) {
		rec := httptest.NewRecorder()
		c := s.Echo().NewContext(httptest.NewRequest(http.MethodPost, "/admin/outbox/"+id+"/resend", nil), rec)
		c.SetParamNames("id")
		c.SetParamValues(id)
		c.Set(string(principalKey), identity.Principal{Subject: "demo", Roles: []identity.Role{identity.Admin}})
		return rec, s.resendNotification(c)
	}
	if rec, err := resend(strconv.FormatInt(failed[0].ID, 10)); err != nil || rec.Code != http.StatusSeeOther {
		t.Fatalf("resend: %d %v", rec.Code, err)
	}
	pending, err := s.DB.Outbox(ctx, store.OutboxFilter{State: notify.Pending})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range pending {
		if n.ID == failed[0].ID {
			found = n.Attempts == 0 && n.LastError != ""
		}
	}
	if !found {
		t.Fatalf("after resend the notification is not pending with no attempts: %+v", pending)
	}
	// The admin's resend is in the audit log, by whom and which notification.
	entries, err := s.DB.AuditEntries(ctx, store.AuditFilter{Record: strconv.FormatInt(failed[0].ID, 10)})
	if err != nil || len(entries) != 1 || entries[0].Action != audit.NoticeResent || entries[0].Actor != "demo" {
		t.Errorf("the resend's audit entries: %+v %v", entries, err)
	}
	// Only a failed notification can be sent again.
	if _, err := resend(strconv.FormatInt(failed[0].ID, 10)); problem.CodeOf(err) != problem.NotFound {
		t.Errorf("resend of a pending notification: %v, want NotFound", err)
	}
	if _, err := resend("x"); problem.CodeOf(err) != problem.NotFound {
		t.Errorf("resend of id x: %v, want NotFound", err)
	}
}
