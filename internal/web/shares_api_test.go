package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stalking-hub/hub/internal/app/apptest"
)

// eventTypes lists the partner events of an agency, oldest first.
func eventTypes(t *testing.T, h *apptest.Hub, persona string) []string {
	t.Helper()
	res := h.Do("GET", "/api/v1/events", persona, nil)
	var feed struct {
		Events []struct{ Type, Status string }
	}
	res.JSON(t, &feed)
	var out []string
	for _, e := range feed.Events {
		out = append(out, e.Type)
	}
	return out
}

func TestAddAgencyToSentReferral(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	if res := h.Do("GET", "/api/v1/referrals/"+r.ID, "idva", nil); res.Status != http.StatusNotFound {
		t.Fatalf("idva reads a referral it was not sent: %d", res.Status)
	}
	res := h.Do("POST", "/api/v1/referrals/"+r.ID+"/shares", "officer", map[string]any{"agency": "idva", "request": "Safety planning"})
	if res.Status != http.StatusCreated {
		t.Fatalf("add idva: %d %s", res.Status, res.Body)
	}
	var sh struct{ Agency, Status, Request, ETag string }
	res.JSON(t, &sh)
	if sh.Agency != "idva" || sh.Status != "sent" || sh.Request != "Safety planning" || res.Header.Get("ETag") == "" {
		t.Fatalf("the new share: %+v", sh)
	}
	// Twice: 409, whatever the share's status.
	if again := h.Do("POST", "/api/v1/referrals/"+r.ID+"/shares", "officer", map[string]any{"agency": "idva"}); again.Status != http.StatusConflict {
		t.Fatalf("adding idva twice: %d %s", again.Status, again.Body)
	}
	if again := h.Do("POST", "/api/v1/referrals/"+r.ID+"/shares", "officer", map[string]any{"agency": "housing"}); again.Status != http.StatusConflict {
		t.Fatalf("adding housing, which has it from the start: %d %s", again.Status, again.Body)
	}
	for name, body := range map[string]map[string]any{
		"unknown agency": {"agency": "mi5"}, "police": {"agency": "police"}, "no agency": {"request": "x"},
	} {
		res := h.Do("POST", "/api/v1/referrals/"+r.ID+"/shares", "officer", body)
		var e struct {
			Error struct{ Fields map[string]string }
		}
		res.JSON(t, &e)
		if res.Status != 422 || e.Error.Fields["agency"] == "" {
			t.Errorf("%s: %d %s, want 422 naming agency", name, res.Status, res.Body)
		}
	}
	if res := h.Do("POST", "/api/v1/referrals/"+r.ID+"/shares", "housing", map[string]any{"agency": "idva"}); res.Status != http.StatusForbidden {
		t.Errorf("agency staff add an agency: %d", res.Status)
	}
	if res := h.Do("POST", "/api/v1/referrals/r-missing/shares", "officer", map[string]any{"agency": "idva"}); res.Status != http.StatusNotFound {
		t.Errorf("a missing referral: %d", res.Status)
	}
	// The new agency reads the referral under its agreement and the consent
	// (which does not name it), and its system hears of it.
	got := h.Do("GET", "/api/v1/referrals/"+r.ID, "idva", nil)
	if got.Status != http.StatusOK {
		t.Fatalf("idva reads: %d %s", got.Status, got.Body)
	}
	if ev := eventTypes(t, h, "idva"); !slices.Contains(ev, "share.created") {
		t.Errorf("idva's events: %v", ev)
	}
	var whole released
	h.Do("GET", "/api/v1/referrals/"+r.ID, "officer", nil).JSON(t, &whole)
	if len(whole.Shares) != 3 {
		t.Errorf("the officer sees shares %+v", whole.Shares)
	}
}

func TestWithdrawAgency(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	var before released
	h.Do("GET", "/api/v1/referrals/"+r.ID, "victim-support", nil).JSON(t, &before)
	if len(before.Sections) == 0 {
		t.Fatal("victim-support sees nothing before the withdrawal")
	}
	url := "/api/v1/referrals/" + r.ID + "/shares/victim-support/withdraw"
	if res := h.Do("POST", url, "officer", map[string]any{"reason": " "}); res.Status != 422 || !strings.Contains(string(res.Body), `"reason"`) {
		t.Fatalf("without a reason: %d %s", res.Status, res.Body)
	}
	if res := h.Do("POST", url, "victim-support", map[string]any{"reason": "x"}); res.Status != http.StatusForbidden {
		t.Fatalf("the agency withdraws itself: %d", res.Status)
	}
	res := h.Do("POST", url, "officer", map[string]any{"reason": "The victim has moved out of the area"})
	if res.Status != http.StatusOK {
		t.Fatalf("withdraw: %d %s", res.Status, res.Body)
	}
	var sh struct{ Status string }
	res.JSON(t, &sh)
	if sh.Status != "withdrawn" {
		t.Fatalf("status %q", sh.Status)
	}
	if again := h.Do("POST", url, "officer", map[string]any{"reason": "again"}); again.Status != http.StatusConflict {
		t.Errorf("withdrawing twice: %d", again.Status)
	}
	// Its next read withholds everything; it still sees the referral and its share.
	var got released
	read := h.Do("GET", "/api/v1/referrals/"+r.ID, "victim-support", nil)
	read.JSON(t, &got)
	if read.Status != 200 || len(got.Sections) != 0 || len(got.Withheld) == 0 {
		t.Fatalf("after the withdrawal victim-support reads %d: %v, withheld %d", read.Status, got.shown(), len(got.Withheld))
	}
	for _, w := range got.Withheld {
		if w.Reason != "the police withdrew this referral from your agency" {
			t.Errorf("withheld %s: %q", w.Category, w.Reason)
		}
	}
	if len(got.Shares) != 1 || got.Shares[0].Status != "withdrawn" {
		t.Errorf("its own share: %+v", got.Shares)
	}
	if strings.Contains(string(read.Body), "moved out of the area") {
		t.Error("the agency reads the police's reason for the withdrawal")
	}
	// Its inbox still lists the referral, with its own status.
	var inbox struct {
		Referrals []struct {
			ID     string
			Shares []struct{ Agency, Status string }
		}
	}
	h.Do("GET", "/api/v1/referrals", "victim-support", nil).JSON(t, &inbox)
	if len(inbox.Referrals) != 1 || inbox.Referrals[0].ID != r.ID || inbox.Referrals[0].Shares[0].Status != "withdrawn" {
		t.Errorf("victim-support's inbox: %+v", inbox.Referrals)
	}
	if ev := eventTypes(t, h, "victim-support"); !slices.Contains(ev, "share.withdrawn") {
		t.Errorf("victim-support's events: %v", ev)
	}
	// Its thread is closed; housing's is not touched.
	if res := h.Do("POST", "/api/v1/referrals/"+r.ID+"/messages", "victim-support", map[string]any{"body": "Why?"}); res.Status != http.StatusConflict {
		t.Errorf("a message on a withdrawn share: %d %s", res.Status, res.Body)
	}
	var housing released
	h.Do("GET", "/api/v1/referrals/"+r.ID, "housing", nil).JSON(t, &housing)
	if len(housing.Sections) == 0 {
		t.Error("housing lost its view when victim support's share was withdrawn")
	}
	// A share the agency has ended has nothing to withdraw.
	if res := status(h, r.ID, "housing", "housing", map[string]any{"status": "declined", "reason": "Out of area"}); res.Status != 200 {
		t.Fatalf("housing declines: %d %s", res.Status, res.Body)
	}
	if res := h.Do("POST", "/api/v1/referrals/"+r.ID+"/shares/housing/withdraw", "officer", map[string]any{"reason": "x"}); res.Status != http.StatusConflict {
		t.Errorf("withdrawing a declined share: %d %s", res.Status, res.Body)
	}
	if res := h.Do("POST", "/api/v1/referrals/"+r.ID+"/shares/idva/withdraw", "officer", map[string]any{"reason": "x"}); res.Status != http.StatusNotFound {
		t.Errorf("withdrawing from an agency without a share: %d %s", res.Status, res.Body)
	}
}

// Preview decides with Release on the unsaved referral, and saves nothing:
// no referral, share, notification, event or audit entry.
func TestPreviewSavesNothing(t *testing.T) {
	h := apptest.Start(t, nil)
	db := hubDB(t, h)
	counts := func() map[string]int {
		out := map[string]int{}
		for _, table := range []string{"referrals", "shares", "consents", "referral_sections", "referral_events", "audit_entries", "outbox", "partner_events"} {
			var n int
			if err := db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			out[table] = n
		}
		return out
	}
	createReferral(t, h, exampleReferral()) // so that there is something to count
	body := exampleReferral()
	body["agencies"] = []any{map[string]any{"agency": "housing"}, map[string]any{"agency": "victim-support"}, map[string]any{"agency": "health"}}
	before := counts()
	res := h.Do("POST", "/api/v1/referrals/preview", "officer", body)
	if res.Status != http.StatusOK {
		t.Fatalf("preview: %d %s", res.Status, res.Body)
	}
	after := counts()
	for table, n := range before {
		if after[table] != n {
			t.Errorf("preview changed %s: %d rows, then %d", table, n, after[table])
		}
	}
	var p struct {
		Agencies []struct {
			Agency   string
			Shown    []string
			Withheld []struct{ Category, Reason string }
		}
		Warnings []struct{ Agency, Code, Message string }
	}
	res.JSON(t, &p)
	if len(p.Agencies) != 3 {
		t.Fatalf("agencies %+v", p.Agencies)
	}
	// The same Release: what housing would see is what it sees once sent.
	var sent released
	h.Do("GET", "/api/v1/referrals/"+createReferral(t, h, body).ID, "housing", nil).JSON(t, &sent)
	got := p.Agencies[0].Shown
	slices.Sort(got)
	want := sent.shown()
	slices.Sort(want)
	if p.Agencies[0].Agency != "housing" || !slices.Equal(got, want) {
		t.Errorf("preview shows housing %v; sent, housing sees %v", got, want)
	}
	for _, a := range p.Agencies {
		for _, w := range a.Withheld {
			if w.Reason == "" {
				t.Errorf("%s: %s withheld without a reason", a.Agency, w.Category)
			}
		}
	}
	// Health is not in the consent, its agreement needs consent and the
	// risk is medium: a warning naming it and the way out.
	if len(p.Warnings) != 1 || p.Warnings[0].Agency != "health" || !strings.Contains(p.Warnings[0].Message, "consent") ||
		!strings.Contains(p.Warnings[0].Message, "without consent") {
		t.Errorf("warnings %+v (health sees %v)", p.Warnings, p.Agencies[2].Shown)
	}
	// Bad input is refused as at create.
	bad := exampleReferral()
	delete(bad, "summary")
	if res := h.Do("POST", "/api/v1/referrals/preview", "officer", bad); res.Status != 422 {
		t.Errorf("preview without a summary: %d", res.Status)
	}
	if res := h.Do("POST", "/api/v1/referrals/preview", "housing", body); res.Status != http.StatusForbidden {
		t.Errorf("agency staff preview: %d", res.Status)
	}
}

type threads struct {
	Threads []struct {
		Agency   string
		Messages []struct {
			From     string
			Body     *string
			Withheld string
			Mine     bool `json:"from_my_side"`
		}
	}
}

func attention(t *testing.T, h *apptest.Hub, id string) bool {
	t.Helper()
	var list struct {
		Referrals []struct {
			ID        string
			Attention bool
		}
	}
	h.Do("GET", "/api/v1/referrals", "officer", nil).JSON(t, &list)
	flagged, found := false, false
	for _, r := range list.Referrals {
		if r.ID == id {
			flagged, found = r.Attention, true
		}
	}
	if !found {
		t.Fatalf("%s is not in the officer's list", id)
	}
	// The needs-attention filter agrees with the flag.
	var filtered struct{ Referrals []struct{ ID string } }
	h.Do("GET", "/api/v1/referrals?attention=true", "officer", nil).JSON(t, &filtered)
	listed := false
	for _, r := range filtered.Referrals {
		listed = listed || r.ID == id
	}
	if listed != flagged {
		t.Errorf("attention flag %v but listed by attention=true %v", flagged, listed)
	}
	return flagged
}

func TestMessagesAPI(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	base := "/api/v1/referrals/" + r.ID + "/messages"
	if res := h.Do("POST", base, "officer", map[string]any{"agency": "housing", "body": "Can you assess this week?"}); res.Status != http.StatusCreated {
		t.Fatalf("police post: %d %s", res.Status, res.Body)
	}
	for name, c := range map[string]struct {
		persona string
		body    map[string]any
		field   string
	}{
		"police without agency": {"officer", map[string]any{"body": "x"}, "agency"},
		"empty body":            {"housing", map[string]any{"body": " "}, "body"},
		"another agency's":      {"housing", map[string]any{"agency": "victim-support", "body": "x"}, "agency"},
		"unknown category":      {"housing", map[string]any{"body": "x", "category": "shoe_size"}, "category"},
	} {
		res := h.Do("POST", base, c.persona, c.body)
		if res.Status != 422 || !strings.Contains(string(res.Body), `"`+c.field+`"`) {
			t.Errorf("%s: %d %s", name, res.Status, res.Body)
		}
	}
	if attention(t, h, r.ID) {
		t.Fatal("attention before any agency wrote")
	}
	res := h.Do("POST", base, "housing", map[string]any{"body": "Yes, on Thursday."})
	if res.Status != http.StatusCreated {
		t.Fatalf("housing post: %d %s", res.Status, res.Body)
	}
	var mine threads
	res.JSON(t, &mine)
	if len(mine.Threads) != 1 || mine.Threads[0].Agency != "housing" || len(mine.Threads[0].Messages) != 2 {
		t.Fatalf("housing's threads: %s", res.Body)
	}
	if m := mine.Threads[0].Messages[1]; m.Body == nil || *m.Body != "Yes, on Thursday." || !m.Mine {
		t.Errorf("housing's own message: %+v", m)
	}
	if !attention(t, h, r.ID) {
		t.Error("an agency's message does not mark the referral for the officer's attention")
	}
	// Victim support sees its own (empty) thread, not housing's.
	var vs threads
	h.Do("GET", base, "victim-support", nil).JSON(t, &vs)
	if len(vs.Threads) != 1 || vs.Threads[0].Agency != "victim-support" || len(vs.Threads[0].Messages) != 0 {
		t.Errorf("victim support's threads: %+v", vs)
	}
	if res := h.Do("GET", base, "idva", nil); res.Status != http.StatusNotFound {
		t.Errorf("an agency without a share: %d", res.Status)
	}
	// The officer reads every thread; that clears the attention.
	var all threads
	got := h.Do("GET", base, "officer", nil)
	got.JSON(t, &all)
	if got.Status != 200 || len(all.Threads) != 2 {
		t.Fatalf("officer's threads: %d %s", got.Status, got.Body)
	}
	if attention(t, h, r.ID) {
		t.Error("the referral still needs attention after the officer read the messages")
	}
	// The read was audited as a release.
	var audit struct {
		Entries []struct{ Action, Actor string }
	}
	h.Do("GET", "/api/v1/referrals/"+r.ID+"/audit", "officer", nil).JSON(t, &audit)
	releases := 0
	for _, e := range audit.Entries {
		if e.Action == "release" {
			releases++
		}
	}
	if releases < 4 {
		t.Errorf("%d releases audited for create, two posts and the reads", releases)
	}
}
