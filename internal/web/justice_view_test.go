package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stalking-hub/hub/internal/app/apptest"
)

// The orders register's and the Victims' Code's free text reaches the API
// only through the View of its referral: every answer that shows an order's
// conditions, a change's reason, a breach's summary or a note of telling the
// victim is a release of the referral, one entry in the audit log first.
// An officer shown a restricted referral's metadata only gets a 404 from
// each of them, and changes nothing.
func TestJusticeTextsThroughTheView(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	releases := func() int {
		t.Helper()
		var audit struct{ Entries []map[string]any }
		if res := h.Do("GET", "/api/v1/referrals/"+r.ID+"/audit", "auditor", nil); res.Status != 200 {
			t.Fatalf("the referral's audit: %d", res.Status)
		} else {
			res.JSON(t, &audit)
		}
		n := 0
		for _, e := range audit.Entries {
			if e["action"] == "release" {
				n++
			}
		}
		return n
	}
	shows := func(what string, want int, text string, call func() apptest.Response) apptest.Response {
		t.Helper()
		n := releases()
		res := call()
		if res.Status != want || !strings.Contains(string(res.Body), text) {
			t.Fatalf("%s: %d %s, want %d showing %q", what, res.Status, res.Body, want, text)
		}
		if got := releases(); got != n+1 {
			t.Errorf("%s: %d releases in the audit log, want 1", what, got-n)
		}
		return res
	}
	do := func(method, path, persona string, body any, header ...string) func() apptest.Response {
		return func() apptest.Response { return h.Do(method, path, persona, body, header...) }
	}

	res := shows("recording an order", http.StatusCreated, "Orchard Road", do("POST", "/api/v1/referrals/"+r.ID+"/orders", "officer", spo(200)))
	var o orderOut
	res.JSON(t, &o)
	path := "/api/v1/orders/" + o.Order.ID
	shows("reading it", 200, "Orchard Road", do("GET", path, "officer", nil))
	vary := map[string]any{"action": "vary", "conditions": "Must not enter Elm Street", "reason": "The victim moved to a refuge"}
	res = shows("varying it", 200, "The victim moved to a refuge", do("PATCH", path, "officer", vary, "If-Match", o.ETag))
	if !strings.Contains(string(res.Body), "Elm Street") {
		t.Fatalf("the varied conditions: %s", res.Body)
	}
	etag := res.Header.Get("ETag")
	breach := map[string]any{"occurred_on": day(-1), "summary": "Seen at the end of Elm Street"}
	shows("recording a breach", http.StatusCreated, "Seen at the end of Elm Street", do("POST", path+"/breaches", "officer", breach))
	res = shows("recording an update owed", http.StatusCreated, `"note":""`,
		do("POST", "/api/v1/referrals/"+r.ID+"/victim-updates", "officer", map[string]any{"event": "arrest", "event_on": day(-1)}))
	var u struct{ ID string }
	res.JSON(t, &u)
	told := map[string]any{"told_on": day(0), "method": "phone", "note": "Told in her safe time"}
	shows("telling the victim", 200, "Told in her safe time", do("PATCH", "/api/v1/victim-updates/"+u.ID, "officer", told))
	shows("listing the updates", 200, "Told in her safe time", do("GET", "/api/v1/referrals/"+r.ID+"/victim-updates", "officer", nil))

	if res := h.Do("PUT", "/api/v1/referrals/"+r.ID+"/restriction", "officer", map[string]any{"restricted": true}); res.Status != 200 {
		t.Fatalf("restricting the referral: %d %s", res.Status, res.Body)
	}
	for _, call := range []struct {
		what   string
		method string
		path   string
		body   any
		header []string
	}{
		{"reads the order", "GET", path, nil, nil},
		{"varies the order", "PATCH", path, map[string]any{"action": "vary", "conditions": "Nothing", "reason": "none"}, []string{"If-Match", etag}},
		{"records a breach", "POST", path + "/breaches", breach, nil},
		{"tells the victim", "PATCH", "/api/v1/victim-updates/" + u.ID, told, nil},
		{"lists the updates", "GET", "/api/v1/referrals/" + r.ID + "/victim-updates", nil, nil},
	} {
		res := h.Do(call.method, call.path, "officer2", call.body, call.header...)
		if res.Status != http.StatusNotFound || strings.Contains(string(res.Body), "Elm Street") || strings.Contains(string(res.Body), "safe time") {
			t.Errorf("restricted, another officer %s: %d %s, want 404", call.what, res.Status, res.Body)
		}
	}
	res = h.Do("GET", path, "supervisor", nil)
	var after orderOut
	res.JSON(t, &after)
	if res.Status != 200 || after.Order.Conditions != "Must not enter Elm Street" || after.Order.Breaches != 1 || len(after.Order.History) != 2 {
		t.Fatalf("a supervisor reads the restricted referral's order: %d %s", res.Status, res.Body)
	}
}
