package web_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/browsertest"
)

// The coordinator's queue: the high-risk referral first though it came
// later, every value in words, each referral a link to the next meeting
// with it chosen and only the criteria it meets offered; a search by
// reference finds one.
func TestBrowserMARACQueue(t *testing.T) {
	b := browsertest.Start(t)
	h := apptest.Start(t, nil)
	medium := exampleReferral()
	medium["risk"] = map[string]any{"tool": "dash", "score": 9, "level": "medium", "assessed_on": "2026-11-21"}
	first := createReferral(t, h, medium)
	high := createReferral(t, h, maracHighRiskReferral("housing", "idva"))
	meeting := maracDecode[struct {
		ID string `json:"id"`
	}](t, h.Do("POST", "/api/v1/marac/meetings", "coordinator", map[string]any{"date": maracDay(7), "panel": "north"}), http.StatusCreated)

	coord := maracSignedIn(t, b, h, "coordinator", "/marac")
	checkPage(t, coord, "MARAC dashboard")
	rows := eval[[]string](t, coord, `Array.from(document.querySelectorAll("#queue-table tbody tr")).map(r => r.textContent.replace(/\s+/g, " ").trim())`)
	if len(rows) != 2 || !strings.HasPrefix(rows[0], high.Reference) || !strings.HasPrefix(rows[1], first.Reference) {
		t.Fatalf("queue rows %q: want the high-risk one first", rows)
	}
	contains(t, "queue", rows[0], "High", "Visible high risk (DASH 14 or more)", "Stalking")
	contains(t, "queue", rows[1], "Medium", "Potential escalation")
	if strings.Contains(rows[1], "_") || strings.Contains(rows[0], "_") {
		t.Errorf("a raw value in the queue: %q", rows)
	}

	if status, url := maracPress(t, coord, `#queue-table a[href*="`+first.ID+`"]`); status != http.StatusOK || !strings.Contains(url, "/marac/meetings/"+meeting.ID) {
		t.Fatalf("the queue's link: %d %s", status, url)
	}
	checkPage(t, coord, "meeting with a referral chosen")
	if got := eval[string](t, coord, `document.getElementById("referral").value`); got != first.ID {
		t.Errorf("the referral chosen is %q", got)
	}
	offered := eval[[]string](t, coord, `Array.from(document.querySelectorAll('input[name="criterion"]')).map(i => i.value)`)
	if strings.Join(offered, ",") != "potential_escalation,professional_judgement" {
		t.Errorf("criteria offered %v, want the one it meets and professional judgement", offered)
	}

	visit(t, coord, h.URL+"/marac", http.StatusOK)
	if err := chromedp.Do(coord, chromedp.SendKeys(chromedp.ID("q"), strings.ToLower(first.Reference))); err != nil {
		t.Fatal(err)
	}
	if status, _ := maracPress(t, coord, `form[action="/marac/search"] button`); status != http.StatusOK {
		t.Fatalf("search: %d", status)
	}
	contains(t, "search", text(t, coord, `section[aria-labelledby="queue"]`), "1 referral found", first.Reference)
	if strings.Contains(text(t, coord, "#queue-table"), high.Reference) {
		t.Error("the search lists the other referral")
	}
	checkPage(t, coord, "queue searched")

	// Attendance can be corrected: an agency recorded by mistake is removed.
	visit(t, coord, h.URL+"/marac/meetings/"+meeting.ID, http.StatusOK)
	maracTick(t, coord, `input[name="agency"][value="housing"]`, `input[name="agency"][value="idva"]`)
	if status, _ := maracPress(t, coord, `form[action$="/attendance"] button`); status != http.StatusOK {
		t.Fatalf("recording attendance: %d", status)
	}
	contains(t, "attending", text(t, coord, "#attending-agencies"), "Northshire Council Housing Options", "Northshire IDVA Service")
	checkPage(t, coord, "meeting with attendance")
	if status, _ := maracPress(t, coord, `form[action$="/attendance/remove"] input[value="housing"] ~ button`); status != http.StatusOK {
		t.Fatalf("removing housing: %d", status)
	}
	got := text(t, coord, "#attending-agencies")
	if strings.Contains(got, "Housing") || !strings.Contains(got, "IDVA") {
		t.Errorf("after removing housing the attendance is %q", got)
	}
	if res := h.Do("GET", "/api/v1/marac/meetings/"+meeting.ID+"/papers", "housing", nil); res.Status == http.StatusOK {
		t.Error("housing reads the papers after its attendance was removed")
	}
}

// The MARAC journey in the browser (issue 14): a police-owned action, whose
// owner the coordinator reminds and gives more time (a missing reason comes
// back with the error summary); the coordinator minutes the case, changes
// its criterion with a reason, records apologies, and reads it all in the
// papers; an officer records the action done; a member agency that has not
// acknowledged the meeting reads the case without its minutes. Axe on every page.
func TestBrowserMARACActionChaseAndExtend(t *testing.T) {
	b := browsertest.Start(t)
	h := apptest.Start(t, nil)
	r := createReferral(t, h, maracHighRiskReferral("housing", "idva"))
	meeting := maracDecode[struct {
		ID string `json:"id"`
	}](t, h.Do("POST", "/api/v1/marac/meetings", "coordinator", map[string]any{"date": maracDay(7), "panel": "north"}), http.StatusCreated)
	cs := maracDecode[struct {
		ID string `json:"id"`
	}](t, h.Do("POST", "/api/v1/marac/meetings/"+meeting.ID+"/cases", "coordinator", map[string]any{"referral": r.ID, "criterion": "visible_high_risk"}), http.StatusCreated)
	action := maracDecode[maracActionOut](t, h.Do("POST", "/api/v1/marac/cases/"+cs.ID+"/actions", "coordinator",
		map[string]any{"agency": "police", "description": "Serve the stalking protection order", "due": maracDay(9)}), http.StatusCreated)

	coord := maracSignedIn(t, b, h, "coordinator", "/marac/actions/"+action.ID)
	checkPage(t, coord, "action")
	if status, _ := maracPress(t, coord, "#chase-button"); status != http.StatusOK {
		t.Fatalf("chase: %d", status)
	}
	contains(t, "after the chase", text(t, coord, "main"), "The owner was reminded of the action.", "Owner reminded")
	due := time.Now().UTC().AddDate(0, 0, 30)
	maracFill(t, coord, "#due-day", strconv.Itoa(due.Day()), "#due-month", strconv.Itoa(int(due.Month())), "#due-year", strconv.Itoa(due.Year()))
	if status, _ := maracPress(t, coord, "#extend-button"); status != http.StatusUnprocessableEntity {
		t.Fatalf("extend without a reason: %d", status)
	}
	contains(t, "error", text(t, coord, ".govuk-error-summary"), "Say why the action needs more time")
	checkPage(t, coord, "action with an error")
	maracFill(t, coord, "#reason", "The court moved the hearing")
	if status, _ := maracPress(t, coord, "#extend-button"); status != http.StatusOK {
		t.Fatalf("extend: %d", status)
	}
	contains(t, "after the extension", text(t, coord, "main"), "The action has a new due date.", "Due date moved", "The court moved the hearing", due.Format("2 January 2006"))
	checkPage(t, coord, "action extended")

	// On the case's page the coordinator minutes the case and changes its
	// criterion with a reason; on the meeting's page, the apologies.
	visit(t, coord, h.URL+"/marac/cases/"+cs.ID, http.StatusOK)
	checkPage(t, coord, "case with the minutes form")
	if status, _ := maracPress(t, coord, "#minutes-button"); status != http.StatusUnprocessableEntity {
		t.Fatalf("empty minutes: %d", status)
	}
	contains(t, "minutes error", text(t, coord, ".govuk-error-summary"), "Write the risks discussed")
	checkPage(t, coord, "case with a minutes error")
	maracFill(t, coord, "#risks", "Suspect seen near the school gates", "#decisions", "Sanctuary scheme referral", "#minutes-actions", "Police to serve the order")
	if status, _ := maracPress(t, coord, "#minutes-button"); status != http.StatusOK {
		t.Fatalf("minutes: %d", status)
	}
	contains(t, "after the minutes", text(t, coord, "#minutes-list"), "Suspect seen near the school gates", "Sanctuary scheme referral", "Police to serve the order")
	maracTick(t, coord, `input[name="criterion"][value="professional_judgement"]`)
	maracFill(t, coord, "#reason", "The panel asked for the concern to be said")
	if status, _ := maracPress(t, coord, "#edit-case-button"); status != http.StatusUnprocessableEntity {
		t.Fatalf("professional judgement without a note: %d", status)
	}
	contains(t, "edit error", text(t, coord, ".govuk-error-summary"), "Say what the professional concern is")
	checkPage(t, coord, "case with an edit error")
	maracTick(t, coord, `input[name="criterion"][value="professional_judgement"]`)
	maracFill(t, coord, "#note", "Threats to the children reported by the school")
	if status, _ := maracPress(t, coord, "#edit-case-button"); status != http.StatusOK {
		t.Fatalf("edit: %d", status)
	}
	contains(t, "after the edit", text(t, coord, "main"), "The case is changed.", "Criterion changed from Visible high risk", "The panel asked for the concern to be said")
	checkPage(t, coord, "case edited")
	visit(t, coord, h.URL+"/marac/meetings/"+meeting.ID, http.StatusOK)
	maracTick(t, coord, `input[name="agencies"][value="idva"]`)
	if status, _ := maracPress(t, coord, "#apologies-button"); status != http.StatusOK {
		t.Fatalf("apologies: %d", status)
	}
	checkPage(t, coord, "meeting with apologies")
	visit(t, coord, h.URL+"/marac/meetings/"+meeting.ID+"/papers", http.StatusOK)
	contains(t, "papers", text(t, coord, "main"), "Apologies:", "Suspect seen near the school gates", "Threats to the children reported by the school")
	if p := text(t, coord, "main"); !regexp.MustCompile(`Produced for .* at \d{1,2}:\d{2}[ap]m (GMT|BST)`).MatchString(p) || strings.Contains(p, " UTC") {
		t.Errorf("the papers' time is not UK time with GMT or BST: %s", p)
	}
	checkPage(t, coord, "papers with minutes")

	officer := maracSignedIn(t, b, h, "officer", "/marac/actions/"+action.ID)
	checkPage(t, officer, "the police's action")
	maracTick(t, officer, `input[name="status"][value="done"]`)
	if status, _ := maracPress(t, officer, `form[action="/marac/actions/`+action.ID+`"] button[type="submit"]`); status != http.StatusOK {
		t.Fatalf("the officer records it done: %d", status)
	}
	contains(t, "done", text(t, officer, "main"), "Done")

	// The case page reads in words: no dates as stored, no codes.
	housing := maracSignedIn(t, b, h, "housing", "/marac/cases/"+cs.ID)
	checkPage(t, housing, "the case")
	page := text(t, housing, "main")
	if m := regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b|[a-z]+_[a-z_]+`).FindString(page); m != "" {
		t.Errorf("the case page shows %q as stored: %s", m, page)
	}
	// The coordinator moved the case to professional judgement above.
	contains(t, "case", page, "Professional judgement")
	if strings.Contains(page, "school gates") {
		t.Error("housing, not at the meeting, reads the case's minutes")
	}

	// Last, the coordinator takes the case off the agenda: a missing reason
	// is refused; the case stays in the record with its history.
	visit(t, coord, h.URL+"/marac/cases/"+cs.ID, http.StatusOK)
	if status, _ := maracPress(t, coord, "#remove-case-button"); status != http.StatusUnprocessableEntity {
		t.Fatalf("removal without a reason: %d", status)
	}
	contains(t, "removal error", text(t, coord, ".govuk-error-summary"), "Say why the case is removed")
	checkPage(t, coord, "case with a removal error")
	maracFill(t, coord, "#remove-reason", "Heard at the neighbouring panel")
	if status, _ := maracPress(t, coord, "#remove-case-button"); status != http.StatusOK {
		t.Fatalf("removal: %d", status)
	}
	contains(t, "after the removal", text(t, coord, "main"), "Off the agenda", "Taken off the agenda", "Heard at the neighbouring panel")
	checkPage(t, coord, "removed case")
}
