package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/browsertest"
)

// A referral after it is sent, in the browser: the officer updates the
// incidents (the referral form's questions, then what changes and why) and
// re-assesses the risk, refused at DASH 16 and medium, taken at high;
// housing then sees the high risk, why, and a shorter time to answer, and
// nothing of the change to the offence it may not see; the case is in the
// coordinator's MARAC queue. The officer then adds a child (refused
// without a name), and housing is told of it exactly when it may see the
// children. Every page passes axe-core.
func TestBrowserUpdateAndReassess(t *testing.T) {
	b := browsertest.Start(t)
	h := apptest.Start(t, nil)
	r := createReferral(t, h, lowRiskReferral())
	page := h.URL + "/referrals/" + r.ID
	tab := func(who, path string) journey {
		return journey{t: t, ctx: maracSignedIn(t, b, h, who, path), who: who}
	}
	clear := func(j journey, id string) {
		eval[bool](t, j.ctx, `(() => { const e = document.getElementById("`+id+`"); e.value = ""; return true })()`)
	}

	housing := tab("housing", "/referrals/"+r.ID)
	housing.check("housing's referral before")
	answerBefore := housing.content("main")

	officer := tab("officer", "/referrals/"+r.ID)
	officer.check("the officer's referral")
	officer.open(`a[href$="/update"]`, "update this referral")
	contains(t, "the update page", officer.main(), "Update this referral", "The offence", "Number of incidents")
	officer.open(`a[href$="/update/offence"]`, "update the offence")
	clear(officer, "incidents-count")
	officer.fill("incidents-count", "4")
	officer.submit(`main form button[type="submit"]`, http.StatusOK, "check what changes")
	contains(t, "what changes", officer.content("[data-changes]"), "Number of incidents", "1", "4")
	if strings.Contains(officer.content("[data-changes]"), "What happened") {
		t.Error("an answer that did not change is listed as changed")
	}
	officer.submit(`main form button[type="submit"]`, http.StatusUnprocessableEntity, "check what changes without a reason")
	contains(t, "the reason's error", officer.content(".govuk-error-summary"), "Enter why you are updating the referral")
	officer.fill("reason", "Three more incidents reported at her workplace")
	officer.submit(`main form button[type="submit"]`, http.StatusOK, "the referral after the update")
	contains(t, "after the update", officer.main(), "Referral updated", "What changed: Offence")
	if got := officer.content("#offence"); !strings.Contains(got, "Number of incidents 4") {
		t.Errorf("the incidents did not change: %s", got)
	}

	officer.open(`a[href$="/risk"]`, "re-assess the risk")
	officer.choose("risk.tool", "dash")
	clear(officer, "risk-score")
	officer.fill("risk-score", "16")
	officer.choose("risk.level", "medium")
	officer.fill("reason", "Escalation: three more incidents in a week")
	officer.submit(`main form button[type="submit"]`, http.StatusUnprocessableEntity, "re-assessment refused")
	contains(t, "the incoherent level", officer.content(".govuk-error-summary"), "A DASH score of 16 is high risk")
	officer.choose("risk.level", "high")
	officer.submit(`main form button[type="submit"]`, http.StatusOK, "the referral after the re-assessment")
	contains(t, "after the re-assessment", officer.main(), "Risk re-assessed", "High risk")

	housing.visit(page, "housing's referral after")
	answerAfter := housing.content("main")
	contains(t, "housing after", answerAfter, "High risk", "Why it was re-assessed", "Escalation: three more incidents in a week", "Earlier assessment 1")
	contains(t, "housing's timeline", housing.content("#timeline + .moj-timeline"), "Risk re-assessed", "Now: high risk")
	if strings.Contains(answerAfter, "Referral updated") || strings.Contains(answerAfter, "What changed") {
		t.Error("housing, which may not see the offence, is told that it changed")
	}
	if answerBy(answerAfter) == "" || answerBy(answerAfter) == answerBy(answerBefore) {
		t.Errorf("housing's answer time did not change: before %q, after %q", answerBy(answerBefore), answerBy(answerAfter))
	}

	coord := tab("coordinator", "/marac")
	coord.check("the MARAC dashboard")
	contains(t, "the MARAC queue", coord.main(), r.Reference)

	officer.visit(page+"/update", "the update page again")
	contains(t, "the children's card", officer.main(), "Children", "Child 1", "Kit Testperson")
	officer.open(`a[href$="/update/children"]`, "update the children")
	officer.submit(`button[name="action"][value="add"]`, http.StatusUnprocessableEntity, "a child without a name")
	contains(t, "the child's error", officer.content(".govuk-error-summary"), "Enter the child's name")
	officer.fill("child-name", "Wren Quillfeather")
	officer.date("child-date_of_birth", "3", "9", "2019")
	officer.choose("child.lives_with_victim", "yes")
	officer.submit(`button[name="action"][value="add"]`, http.StatusOK, "check what changes: a child")
	contains(t, "the child added", officer.content("[data-changes]"), "Child 2", "Not given", "Wren Quillfeather", "Born 3 September 2019")
	officer.fill("reason", "Her daughter lives with her")
	officer.submit(`main form button[type="submit"]`, http.StatusOK, "the referral after adding a child")
	contains(t, "after adding a child", officer.main(), "Referral updated", "What changed: Children", "Wren Quillfeather")

	housing.visit(page, "housing's referral after the child")
	seesChild := strings.Contains(housing.content("main"), "Wren Quillfeather")
	if told := strings.Contains(housing.content("#timeline + .moj-timeline"), "What changed: Children"); told != seesChild {
		t.Errorf("housing sees the child: %v, but is told the children changed: %v", seesChild, told)
	}
}

// answerBy is the "Answer by ..." sentence of an agency's referral page.
func answerBy(page string) string {
	_, rest, ok := strings.Cut(page, "Answer by ")
	if !ok {
		return ""
	}
	when, _, _ := strings.Cut(rest, ".")
	return when
}
