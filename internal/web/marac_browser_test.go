package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/browsertest"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

// maracPress clicks a form's submit button and returns the status and address of
// the page the browser lands on (after any redirect).
func maracPress(t *testing.T, ctx context.Context, css string) (int, string) {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("pressing %s: %v", css, err)
	}
	return int(resp.Status), resp.URL
}

// maracFill types into the fields named by CSS selector, in order.
func maracFill(t *testing.T, ctx context.Context, pairs ...string) {
	t.Helper()
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(pairs[i]), pairs[i+1])); err != nil {
			t.Fatalf("typing into %s: %v", pairs[i], err)
		}
	}
}

// maracTick clicks radios and checkboxes.
func maracTick(t *testing.T, ctx context.Context, css ...string) {
	t.Helper()
	for _, c := range css {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(c))); err != nil {
			t.Fatalf("clicking %s: %v", c, err)
		}
	}
}

func maracChoose(t *testing.T, ctx context.Context, css, value string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(css), value)); err != nil {
		t.Fatalf("choosing %s in %s: %v", value, css, err)
	}
}

// maracSignedIn opens a tab signed in as the persona through the real persona
// picker, on path.
func maracSignedIn(t *testing.T, b *browsertest.Browser, h *apptest.Hub, persona, path string) context.Context {
	t.Helper()
	ctx := b.NewTab(t, 120*time.Second)
	if err := h.SignIn(ctx, persona, path); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// The MARAC in the browser: the coordinator plans a meeting and lists two
// high-risk cases from the queue; housing and the IDVA service give their
// research; actions are agreed; housing completes its action, the IDVA's goes
// past due and shows on the coordinator's dashboard; housing acknowledges
// confidentiality and reads the papers. Every page passes axe.
func TestBrowserMARAC(t *testing.T) {
	b := browsertest.Start(t)
	h := apptest.Start(t, nil)
	r1 := createReferral(t, h, maracHighRiskReferral("housing", "idva"))
	r2 := createReferral(t, h, maracHighRiskReferral("housing", "idva"))
	today := time.Now().UTC()

	// The coordinator's dashboard shows the queue.
	coord := maracSignedIn(t, b, h, "coordinator", "/marac")
	contains(t, "dashboard", text(t, coord, "main"), "MARAC", "No meeting is planned", r1.Reference, r2.Reference, "Visible high risk (DASH 14 or more)")
	checkPage(t, coord, "MARAC dashboard")

	// Plan a meeting: refused empty, taken with today's date.
	if status, _ := maracPress(t, coord, `a[href="/marac/meetings/new"]`); status != http.StatusOK {
		t.Fatalf("the plan-a-meeting page: %d", status)
	}
	if status, _ := maracPress(t, coord, `form[action="/marac/meetings"] button[type="submit"]`); status != http.StatusUnprocessableEntity {
		t.Errorf("an empty meeting: status %d, want 422", status)
	}
	contains(t, "error summary", text(t, coord, ".govuk-error-summary"), "Enter the date of the meeting")
	checkPage(t, coord, "plan a meeting with errors")
	typeDate(t, coord, "date", today)
	status, url := maracPress(t, coord, `form[action="/marac/meetings"] button[type="submit"]`)
	if status != http.StatusOK || !strings.Contains(url, "/marac/meetings/mm-") {
		t.Fatalf("planning the meeting led to %s (%d)", url, status)
	}
	meetingPath := url[strings.Index(url, "/marac/meetings/"):]
	meetingID := strings.TrimPrefix(meetingPath, "/marac/meetings/")

	// Two cases from the queue; professional judgement without the concern is refused.
	maracChoose(t, coord, "#referral", r1.ID)
	maracTick(t, coord, "#criterion")
	maracFill(t, coord, "#note", "Suspect breached bail twice this month")
	if status, _ := maracPress(t, coord, `form[action$="/cases"] button[type="submit"]`); status != http.StatusOK {
		t.Fatalf("adding the first case: %d", status)
	}
	maracChoose(t, coord, "#referral", r2.ID)
	maracTick(t, coord, "#criterion-professional_judgement")
	if status, _ := maracPress(t, coord, `form[action$="/cases"] button[type="submit"]`); status != http.StatusUnprocessableEntity {
		t.Errorf("professional judgement without a note: status %d, want 422", status)
	}
	contains(t, "error summary", text(t, coord, ".govuk-error-summary"), "Say what the professional concern is")
	maracFill(t, coord, "#note", "Officer fears escalation after the court date")
	if status, _ := maracPress(t, coord, `form[action$="/cases"] button[type="submit"]`); status != http.StatusOK {
		t.Fatalf("adding the second case: %d", status)
	}
	agenda := text(t, coord, `section[aria-labelledby="agenda"]`)
	contains(t, "agenda", agenda, r1.Reference, r2.Reference, "Visible high risk (DASH 14 or more)", "Professional judgement", "0 of 7 agencies")
	if strings.Contains(text(t, coord, "main"), "breached bail") {
		t.Errorf("the restricted case note shows on the meeting page")
	}

	// Housing and the IDVA service attend.
	maracTick(t, coord, "#attending-housing", "#attending-idva")
	if status, _ := maracPress(t, coord, `form[action$="/attendance"] button[type="submit"]`); status != http.StatusOK {
		t.Fatalf("recording attendance: %d", status)
	}
	contains(t, "attendance", text(t, coord, `section[aria-labelledby="attendance"]`), "Northshire Council Housing Options", "Northshire IDVA Service")
	checkPage(t, coord, "meeting")

	var m struct {
		Cases []struct{ ID, Referral string }
	}
	h.Do("GET", "/api/v1/marac/meetings/"+meetingID, "coordinator", nil).JSON(t, &m)
	if len(m.Cases) != 2 || m.Cases[0].Referral != r1.ID {
		t.Fatalf("agenda %+v", m.Cases)
	}
	case1 := m.Cases[0].ID

	// Housing researches the first case from its list of MARAC cases.
	housing := maracSignedIn(t, b, h, "housing", "/marac/cases")
	contains(t, "housing's cases", text(t, housing, "main"), r1.Reference, r2.Reference, "To do")
	checkPage(t, housing, "MARAC cases")
	if status, _ := maracPress(t, housing, `a[href="/marac/cases/`+case1+`"]`); status != http.StatusOK {
		t.Fatalf("housing opening the case: %d", status)
	}
	released := text(t, housing, `section[aria-labelledby="released"]`)
	contains(t, "released to housing", released, "Identity", "Rowena Testperson", "Safe contact", "do not leave voicemail", "Suspect", "Sid Suspectson")
	if strings.Contains(released, "anxiety") {
		t.Errorf("housing is shown the victim's health")
	}
	contains(t, "health withheld", text(t, housing, "#section-health + p"), "Withheld")
	maracTick(t, housing, "#known_to_service", "#open_case-no")
	maracFill(t, housing, "#summary", "Tenant since 2019; sanctuary scheme assessed in May")
	if got := eval[string](t, housing, `document.querySelector("#research-category").value`); got != "needs" {
		t.Errorf("housing's research is preselected as %q, want its agency's kind, needs", got)
	}
	maracChoose(t, housing, "#research-category", "risk")
	status, url = maracPress(t, housing, `form[action$="/research"] button[type="submit"]`)
	if status != http.StatusOK || !strings.Contains(url, "saved=research") {
		t.Fatalf("housing's research led to %s (%d)", url, status)
	}
	contains(t, "saved", text(t, housing, ".govuk-notification-banner"), "research is saved")
	checkPage(t, housing, "MARAC case for housing")
	if r, err := h.App.DB.ResearchOf(context.Background(), case1, "housing"); err != nil {
		t.Fatal(err)
	} else if c, ok := r.Summary.Category(); !ok || c != category.Risk {
		t.Errorf("housing's research is filed as %v (%v), want the risk it chose", c, ok)
	}

	// The IDVA service: refused without answers, then taken.
	idva := maracSignedIn(t, b, h, "idva", "/marac/cases/"+case1)
	if status, _ := maracPress(t, idva, `form[action$="/research"] button[type="submit"]`); status != http.StatusUnprocessableEntity {
		t.Errorf("empty research: status %d, want 422", status)
	}
	summary := text(t, idva, ".govuk-error-summary")
	contains(t, "research errors", summary, "Say whether the person is known to the service", "Say whether the service has an open case")
	checkPage(t, idva, "research with errors")
	// The form needs no JavaScript.
	noScript := func(off bool) {
		t.Helper()
		if _, err := chromedp.Call(idva, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off}); err != nil {
			t.Fatal(err)
		}
	}
	noScript(true)
	maracTick(t, idva, "#known_to_service", "#open_case")
	maracFill(t, idva, "#summary", "Supported since June; safety plan in place")
	if status, _ := maracPress(t, idva, `form[action$="/research"] button[type="submit"]`); status != http.StatusOK {
		t.Fatalf("the IDVA's research without JavaScript: %d", status)
	}
	contains(t, "saved", text(t, idva, ".govuk-notification-banner"), "research is saved")
	noScript(false)
	// Health's research holds health, its default: housing's papers must
	// not carry it.
	if res := h.Do("POST", "/api/v1/marac/cases/"+case1+"/research", "health",
		map[string]any{"summary": "Seen by the crisis team in October", "known_to_service": true, "open_case": true}); res.Status != http.StatusOK {
		t.Fatalf("health's research: %d %s", res.Status, res.Body)
	}

	// The coordinator sees who has given research, and agrees actions.
	visit(t, coord, h.URL+"/marac/cases/"+case1, http.StatusOK)
	research := text(t, coord, `section[aria-labelledby="research"]`)
	contains(t, "research status", research, "Northshire Council Housing Options", "Northshire IDVA Service", "Not given yet", "Northshire NHS Safeguarding Team")
	if strings.Contains(research, "sanctuary scheme") {
		t.Errorf("the case page shows the coordinator what an agency found, not only who gave it")
	}
	if strings.Contains(text(t, coord, "#research-outstanding"), "Housing Options") {
		t.Errorf("housing is still listed as owing research")
	}
	maracChoose(t, coord, "#agency", "housing")
	maracFill(t, coord, "#description", "Fit sanctuary locks at the victim's home")
	typeDate(t, coord, "due", today.AddDate(0, 0, -1))
	if status, _ := maracPress(t, coord, `form[action$="/actions"] button[type="submit"]`); status != http.StatusUnprocessableEntity {
		t.Errorf("an action due yesterday: status %d, want 422", status)
	}
	contains(t, "action errors", text(t, coord, ".govuk-error-summary"), "The due date cannot be in the past")
	for _, f := range []string{"#due-day", "#due-month", "#due-year"} {
		if err := chromedp.Do(coord, chromedp.Clear(chromedp.CSS(f))); err != nil {
			t.Fatal(err)
		}
	}
	typeDate(t, coord, "due", today.AddDate(0, 0, 14))
	status, url = maracPress(t, coord, `form[action$="/actions"] button[type="submit"]`)
	if status != http.StatusOK || !strings.HasSuffix(url, "/marac/cases/"+case1) {
		t.Fatalf("agreeing the action led to %s (%d)", url, status)
	}
	contains(t, "actions", text(t, coord, `section[aria-labelledby="actions"]`), "Fit sanctuary locks", "Open")
	checkPage(t, coord, "case for the coordinator")

	// The IDVA's action was agreed with a date now past: the form takes no
	// past date, so it is written through the store.
	late, err := h.App.DB.AddAction(context.Background(), case1, marac.Action{Agency: "idva", Description: sealed.NewText("", category.Risk, "marac-coordinator", "Review the safety plan with the victim"),
		Due: today.AddDate(0, 0, -3).Truncate(24 * time.Hour)}, identity.Principal{Subject: "test|coordinator", Roles: []identity.Role{identity.MARACCoordinator}})
	if err != nil {
		t.Fatal(err)
	}

	// Housing completes its action from its list.
	visit(t, housing, h.URL+"/marac/actions", http.StatusOK)
	list := text(t, housing, "main")
	contains(t, "housing's actions", list, "Fit sanctuary locks", r1.Reference)
	if strings.Contains(list, "Review the safety plan") {
		t.Errorf("housing sees the IDVA's action")
	}
	checkPage(t, housing, "MARAC actions")
	if status, _ := maracPress(t, housing, `main a[href^="/marac/actions/ma-"]`); status != http.StatusOK {
		t.Fatalf("opening the action: %d", status)
	}
	maracTick(t, housing, "#status")
	status, url = maracPress(t, housing, `form[action^="/marac/actions/"] button[type="submit"]`)
	if status != http.StatusOK || !strings.HasSuffix(url, "/marac/actions?done=recorded") {
		t.Fatalf("recording the action done led to %s (%d)", url, status)
	}
	contains(t, "success banner", text(t, housing, ".govuk-notification-banner--success"), "What became of the action is recorded.")
	contains(t, "closed actions", text(t, housing, `table[aria-labelledby="closed"]`), "Fit sanctuary locks", "Done")

	// The IDVA's overdue action, flagged on its list and on the dashboard.
	visit(t, idva, h.URL+"/marac/actions", http.StatusOK)
	contains(t, "the IDVA's actions", text(t, idva, "main"), "Review the safety plan", "Overdue", "1 action is overdue")
	visit(t, idva, h.URL+"/marac/actions/"+late.ID, http.StatusOK)
	maracTick(t, idva, "#status-not_possible")
	if status, _ := maracPress(t, idva, `form[action^="/marac/actions/"] button[type="submit"]`); status != http.StatusUnprocessableEntity {
		t.Errorf("not possible without the changed circumstance: status %d, want 422", status)
	}
	contains(t, "action errors", text(t, idva, ".govuk-error-summary"), "Say what changed")
	checkPage(t, idva, "MARAC action with errors")

	visit(t, coord, h.URL+"/marac", http.StatusOK)
	next := text(t, coord, `section[aria-labelledby="next-meeting"]`)
	contains(t, "next meeting", next, r1.Reference, r2.Reference)
	actions := text(t, coord, `section[aria-labelledby="actions-by-agency"]`)
	contains(t, "open actions", actions, "Northshire IDVA Service", "1 overdue")
	if strings.Contains(actions, "Housing Options") {
		t.Errorf("housing's done action is counted open: %s", actions)
	}
	contains(t, "research outstanding", text(t, coord, `section[aria-labelledby="research-outstanding"]`), "Northshire NHS Safeguarding Team")
	checkPage(t, coord, "MARAC dashboard with an overdue action")
	browsertest.Screenshot(t, coord, "")

	// The papers refuse until housing acknowledges confidentiality.
	visit(t, housing, h.URL+meetingPath+"/papers", http.StatusForbidden)
	page := text(t, housing, "main")
	contains(t, "refused papers", page, "Confidentiality of the meeting", "only once you have acknowledged")
	if strings.Contains(page, "breached bail") || strings.Contains(page, "RESTRICTED") {
		t.Errorf("the refused papers show their content")
	}
	checkPage(t, housing, "papers refused")
	if status, _ := maracPress(t, housing, `form[action$="/confidentiality"] button[type="submit"]`); status != http.StatusUnprocessableEntity {
		t.Errorf("acknowledging without the tick: status %d, want 422", status)
	}
	maracTick(t, housing, "#acknowledged")
	status, url = maracPress(t, housing, `form[action$="/confidentiality"] button[type="submit"]`)
	if status != http.StatusOK || !strings.HasSuffix(url, "/papers") {
		t.Fatalf("acknowledging led to %s (%d)", url, status)
	}
	papers := text(t, housing, "main")
	contains(t, "papers", papers, "RESTRICTED — MARAC", "Agenda and minutes", r1.Reference, "Suspect breached bail twice this month",
		"Rowena Testperson", "sanctuary scheme assessed", "safety plan in place", "Fit sanctuary locks", "Review the safety plan", "Overdue", "Withheld from you")
	if strings.Contains(papers, "anxiety") || strings.Contains(papers, "crisis team") {
		t.Errorf("the papers show housing the victim's health")
	}
	contains(t, "health's research withheld", papers, "Withheld: not in your agency's information-sharing agreement")
	if n := eval[int](t, housing, `document.querySelectorAll(".hub-restricted").length`); n != 2 {
		t.Errorf("%d restricted markings, want one at the top and one at the foot", n)
	}
	checkPage(t, housing, "papers")

	// Printed, the marking heads and foots every sheet and the site's own
	// header and footer are left off.
	if _, err := chromedp.Call(housing, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	for sel, want := range map[string]string{
		".hub-papers__head":       "table-header-group",
		".hub-papers__foot":       "table-footer-group",
		".govuk-template__header": "none",
		".govuk-footer":           "none",
	} {
		if got := eval[string](t, housing, `getComputedStyle(document.querySelector("`+sel+`")).display`); got != want {
			t.Errorf("printed, %s displays %q, want %q", sel, got, want)
		}
	}
	browsertest.Screenshot(t, housing, "")
}
