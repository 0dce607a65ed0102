package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The status form asks for the kind of reason or outcome as well as the
// words, re-renders with both errors in page order and the answers kept, and
// the referral page then shows the kind beside the status, to the agency
// and to the officer.
func TestReferralPageCodes(t *testing.T) {
	h := startPagesHub(t)
	id := h.referral("high", 72*time.Hour)
	path := "/referrals/" + id
	h.do(http.MethodGet, path, "housing", nil) // viewed: version 2

	empty := h.do(http.MethodPost, path+"/status", "housing", url.Values{"status": {"declined"}, "version": {"2"}})
	h.expect(empty, http.StatusUnprocessableEntity, "Choose the kind of reason for declining", "Say why your agency is declining the referral")
	summary := empty.body[strings.Index(empty.body, "govuk-error-summary"):]
	if i, j := strings.Index(summary, `href="#reason_code"`), strings.Index(summary, `href="#reason"`); i < 0 || j < 0 || i > j {
		t.Errorf("the error summary does not link the kind of reason, then the reason, in page order")
	}

	// A kind picked without words is kept when the page comes back; so are
	// words without a kind.
	kept := h.do(http.MethodPost, path+"/status", "housing", url.Values{"status": {"declined"}, "reason_code": {"no_capacity"}, "version": {"2"}})
	h.expect(kept, http.StatusUnprocessableEntity, "Say why your agency is declining the referral")
	if !regexp.MustCompile(`name="reason_code" type="radio" value="no_capacity" checked`).MatchString(kept.body) {
		t.Error("the kind of reason picked is not kept")
	}
	if strings.Contains(kept.body, "Choose the kind of reason for declining") {
		t.Error("a kind was picked, yet the page asks for one")
	}
	words := h.do(http.MethodPost, path+"/status", "housing", url.Values{"status": {"declined"}, "reason": {"Full until March"}, "version": {"2"}})
	h.expect(words, http.StatusUnprocessableEntity, "Choose the kind of reason for declining", ">Full until March</textarea>")

	// A made-up code is refused; a kind of outcome picked under another
	// choice does not ride along with accepting.
	h.expect(h.do(http.MethodPost, path+"/status", "housing", url.Values{"status": {"declined"}, "reason_code": {"busy"}, "reason": {"x"}, "version": {"2"}}),
		http.StatusUnprocessableEntity, "Choose the kind of reason for declining: out_of_area")
	if got := h.do(http.MethodPost, path+"/status", "housing", url.Values{"status": {"accepted"}, "outcome_code": {"other"}, "reason_code": {"other"}, "version": {"2"}}); got.status != http.StatusSeeOther {
		t.Fatalf("accepting with stray codes: %d %s", got.status, got.body)
	}
	closing := h.do(http.MethodPost, path+"/status", "housing", url.Values{"status": {"closed"}, "outcome": {"Locks changed"}, "version": {"3"}})
	h.expect(closing, http.StatusUnprocessableEntity, "Choose the kind of outcome")
	if got := h.do(http.MethodPost, path+"/status", "housing", url.Values{"status": {"closed"}, "outcome_code": {"safety_measures"}, "reason_code": {"out_of_area"},
		"outcome": {"Locks changed"}, "version": {"3"}}); got.status != http.StatusSeeOther {
		t.Fatalf("closing: %d %s", got.status, got.body)
	}

	own := h.do(http.MethodGet, path, "housing", nil)
	h.expect(own, http.StatusOK, "Safety measures put in place", "Locks changed")
	officer := h.do(http.MethodGet, path, "officer", nil)
	row := officer.body[strings.Index(officer.body, `id="share-housing"`):]
	row = row[:strings.Index(row, "</tr>")]
	for _, w := range []string{"Closed", "Safety measures put in place", "Locks changed"} {
		if !strings.Contains(row, w) {
			t.Errorf("the officer's row for housing lacks %q", w)
		}
	}
	if strings.Contains(officer.body, "Outside our area") {
		t.Error("a reason code sent with a close was kept")
	}
	timeline := officer.body[strings.Index(officer.body, `id="timeline"`):]
	if !strings.Contains(timeline, "Safety measures put in place") {
		t.Error("the timeline does not say what kind of outcome it was")
	}
}
