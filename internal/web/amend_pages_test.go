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
		"victim.safe_contact.method": {"text"}, "victim.safe_contact.instructions": {"Text only, never call"}})
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
