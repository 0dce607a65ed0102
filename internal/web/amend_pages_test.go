package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The update and re-assessment pages refuse what the API refuses, with the
// form's own messages, and save nothing then: a part without its required
// answer, a confirmation from a stale read, a re-assessment without a level
// or a reason. Agency staff have no such pages.
func TestUpdatePagesRefuseBadAnswers(t *testing.T) {
	h := startPagesHub(t)
	id := h.referral("medium", 48*time.Hour)
	page := "/referrals/" + id
	h.expect(h.do(http.MethodGet, page+"/update", "officer", nil), http.StatusOK, "Update this referral", "Ysolde Brackenridge", "Change")
	if a := h.do(http.MethodGet, page+"/update", "housing", nil); a.status == http.StatusOK {
		t.Fatal("housing opened the update page")
	}
	h.expect(h.do(http.MethodGet, page+"/update/risk", "officer", nil), http.StatusNotFound)

	h.expect(h.do(http.MethodPost, page+"/update/victim", "officer", url.Values{"victim.name": {""}, "victim.safe_contact.method": {"text"}}),
		http.StatusUnprocessableEntity, "There is a problem", "Enter the victim")
	same := h.do(http.MethodPost, page+"/update/victim", "officer", url.Values{"victim.name": {"Ysolde Brackenridge"},
		"victim.safe_contact.method": {"text"}, "victim.safe_contact.other_methods": {"letter"}, "victim.safe_contact.instructions": {"Text only, never call"}})
	if same.status != http.StatusSeeOther || !strings.HasSuffix(same.location, "?done=no_change") {
		t.Fatalf("an unchanged part: %d %q", same.status, same.location)
	}
	h.expect(h.do(http.MethodPost, page+"/update/contact", "officer", url.Values{"victim.phone": {"07700900999"}}),
		http.StatusOK, "Check what changes", "Phone number", "Not given", "07700900999")
	h.expect(h.do(http.MethodPost, page+"/update/contact/confirm", "officer", url.Values{"victim.phone": {"07700900999"}, "version": {"1"}}),
		http.StatusUnprocessableEntity, "Enter why you are updating the referral")
	h.expect(h.do(http.MethodPost, page+"/update/contact/confirm", "officer", url.Values{"victim.phone": {"07700900999"}, "version": {"99"}, "reason": {"new phone"}}),
		http.StatusPreconditionFailed)
	h.expect(h.do(http.MethodGet, page, "officer", nil), http.StatusOK)
	if a := h.do(http.MethodGet, page, "officer", nil); strings.Contains(a.body, "07700900999") {
		t.Fatal("a refused update was saved")
	}
	done := h.do(http.MethodPost, page+"/update/contact/confirm", "officer", url.Values{"victim.phone": {"07700900999"}, "version": {"1"}, "reason": {"new phone"}})
	if done.status != http.StatusSeeOther || !strings.HasSuffix(done.location, "?done=updated") {
		t.Fatalf("the update: %d %q %s", done.status, done.location, done.body)
	}
	h.expect(h.do(http.MethodGet, page+"?done=updated", "officer", nil), http.StatusOK, "Referral updated", "07700900999", "What changed: Contact details")

	h.expect(h.do(http.MethodPost, page+"/risk", "officer", url.Values{"risk.tool": {"dash"}, "risk.score": {"15"}}),
		http.StatusUnprocessableEntity, "Choose the risk level", "Enter why the risk was re-assessed")
	h.expect(h.do(http.MethodPost, page+"/risk", "officer", url.Values{"risk.tool": {"dash"}, "risk.score": {"15"}, "risk.level": {"medium"}, "reason": {"x"}}),
		http.StatusUnprocessableEntity, "A DASH score of 15 is high risk")
}

// The update pages offer the children, the others at risk and the MARAC
// concern, each as the referral form asks them: a bad answer comes back with
// the GOV.UK error summary and nothing is saved; a good one is shown was and
// now, asks why, and changes the referral, whose timeline names the
// category, never the content. A child is added, then removed.
func TestUpdatePagesChildrenOthersAtRiskAndMARAC(t *testing.T) {
	h := startPagesHub(t)
	id := h.referral("medium", 48*time.Hour)
	page := "/referrals/" + id
	h.expect(h.do(http.MethodGet, page+"/update", "officer", nil), http.StatusOK, "Children", "None added", "Others at risk",
		`href="`+page+`/update/children"`, `href="`+page+`/update/others"`, "Concern for MARAC")
	h.expect(h.do(http.MethodGet, page+"/update/children", "officer", nil), http.StatusOK, "Update: children", "Add a child", "Child&#39;s name")
	if a := h.do(http.MethodGet, page+"/update/children", "housing", nil); a.status == http.StatusOK {
		t.Fatal("housing opened the children's update page")
	}

	h.expect(h.do(http.MethodPost, page+"/update/children", "officer", url.Values{"action": {"add"}, "child.school": {"Elm Road Primary"}}),
		http.StatusUnprocessableEntity, "There is a problem", "Enter the child&#39;s name", "Elm Road Primary")
	h.expect(h.do(http.MethodPost, page+"/update/children", "officer", url.Values{"action": {"add"}, "child.name": {"Tamsin Brackenridge"},
		"child.date_of_birth-day": {"31"}, "child.date_of_birth-month": {"2"}, "child.date_of_birth-year": {"2019"}}),
		http.StatusUnprocessableEntity, "There is a problem", "Child&#39;s date of birth must be a real date", `value="Tamsin Brackenridge"`)
	h.expect(h.do(http.MethodPost, page+"/update/children/confirm", "officer", url.Values{"action": {"add"}, "version": {"1"}, "reason": {"new child"}}),
		http.StatusUnprocessableEntity, "Enter the child&#39;s name")
	h.expect(h.do(http.MethodPost, page+"/update/children", "officer", url.Values{"action": {"remove-0"}}), http.StatusNotFound)
	if a := h.do(http.MethodGet, page, "officer", nil); strings.Contains(a.body, "Tamsin") || strings.Contains(a.body, "Referral updated") {
		t.Fatal("a refused child was saved")
	}

	child := url.Values{"action": {"add"}, "child.name": {"Tamsin Brackenridge"}, "child.date_of_birth-day": {"1"},
		"child.date_of_birth-month": {"6"}, "child.date_of_birth-year": {"2018"}, "child.school": {"Elm Road Primary"}, "child.lives_with_victim": {"yes"}}
	h.expect(h.do(http.MethodPost, page+"/update/children", "officer", child), http.StatusOK,
		"Check what changes", "Child 1", "Not given", "Tamsin Brackenridge", "Born 1 June 2018", "Elm Road Primary", "Lives with the victim",
		`name="child.name" value="Tamsin Brackenridge"`, `name="action" value="add"`)
	withReason := func(v url.Values, version, reason string) url.Values {
		out := url.Values{"version": {version}, "reason": {reason}}
		for k, vs := range v {
			out[k] = vs
		}
		return out
	}
	h.expect(h.do(http.MethodPost, page+"/update/children/confirm", "officer", withReason(child, "1", " ")),
		http.StatusUnprocessableEntity, "Enter why you are updating the referral")
	h.expect(h.do(http.MethodPost, page+"/update/children/confirm", "officer", withReason(child, "7", "new child")), http.StatusPreconditionFailed)
	done := h.do(http.MethodPost, page+"/update/children/confirm", "officer", withReason(child, "1", "Her daughter was not on the referral"))
	if done.status != http.StatusSeeOther || !strings.HasSuffix(done.location, "?done=updated") {
		t.Fatalf("adding a child: %d %q %s", done.status, done.location, done.body)
	}
	after := h.do(http.MethodGet, page+"?done=updated", "officer", nil)
	h.expect(after, http.StatusOK, "Referral updated", "Tamsin Brackenridge", "What changed: Children")
	if strings.Contains(after.body, "Her daughter was not on the referral") {
		t.Error("the reason is on the referral page")
	}
	h.expect(h.do(http.MethodGet, page+"/update", "officer", nil), http.StatusOK, "Child 1", "Tamsin Brackenridge")

	h.expect(h.do(http.MethodPost, page+"/update/children", "officer", url.Values{"action": {"remove-1"}}), http.StatusNotFound)
	h.expect(h.do(http.MethodPost, page+"/update/children", "officer", url.Values{"action": {"remove-0"}}), http.StatusOK,
		"Check what changes", "Child 1", "Tamsin Brackenridge", "Removed")
	gone := h.do(http.MethodPost, page+"/update/children/confirm", "officer", url.Values{"action": {"remove-0"}, "version": {"2"}, "reason": {"Added to the wrong referral"}})
	if gone.status != http.StatusSeeOther {
		t.Fatalf("removing a child: %d %s", gone.status, gone.body)
	}
	if a := h.do(http.MethodGet, page, "officer", nil); strings.Contains(a.body, "Tamsin") {
		t.Error("the removed child is still on the referral")
	}

	h.expect(h.do(http.MethodPost, page+"/update/others", "officer", url.Values{"others_at_risk[0].name": {"Dai Morgan"}}),
		http.StatusUnprocessableEntity, "There is a problem", "Person at risk 1: relationship to the victim")
	if a := h.do(http.MethodGet, page, "officer", nil); strings.Contains(a.body, "Dai Morgan") {
		t.Fatal("a refused person at risk was saved")
	}
	others := url.Values{"others_at_risk[0].name": {"Dai Morgan"}, "others_at_risk[0].relationship": {"new_partner"}}
	h.expect(h.do(http.MethodPost, page+"/update/others", "officer", others), http.StatusOK,
		"Check what changes", "Person at risk 1: name", "Not given", "Dai Morgan", "New partner")
	if a := h.do(http.MethodPost, page+"/update/others/confirm", "officer", withReason(others, "3", "Her new partner was threatened")); a.status != http.StatusSeeOther {
		t.Fatalf("adding a person at risk: %d %s", a.status, a.body)
	}
	h.expect(h.do(http.MethodGet, page, "officer", nil), http.StatusOK, "Dai Morgan", "What changed: Risk")

	concern := url.Values{"marac_concern": {"Escalating, and he has found her new address"}}
	h.expect(h.do(http.MethodPost, page+"/update/needs", "officer", concern), http.StatusOK,
		"Check what changes", "Concern for MARAC (optional)", "Escalating, and he has found her new address")
	if a := h.do(http.MethodPost, page+"/update/needs/confirm", "officer", withReason(concern, "4", "Professional judgement")); a.status != http.StatusSeeOther {
		t.Fatalf("the MARAC concern: %d %s", a.status, a.body)
	}
	h.expect(h.do(http.MethodGet, page, "officer", nil), http.StatusOK, "Escalating, and he has found her new address")
}
