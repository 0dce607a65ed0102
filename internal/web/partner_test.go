package web_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/app/apptest"
)

// delivery is one request a receiver got.
type delivery struct {
	Header http.Header
	Body   []byte
	At     time.Time
}

// receiver is a partner's webhook endpoint: a real HTTP server.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []delivery
	answer func(w http.ResponseWriter, r *http.Request)
}

func newReceiver(t testing.TB, answer func(http.ResponseWriter, *http.Request)) *receiver {
	rc := &receiver{answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.got = append(rc.got, delivery{Header: r.Header.Clone(), Body: b, At: time.Now()})
	rc.mu.Unlock()
	if rc.answer != nil {
		rc.answer(w, r)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) deliveries() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivery(nil), rc.got...)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// verifySignature is the partner's check, written from the Standard Webhooks
// specification alone (README, "Verifying a delivery").
func verifySignature(secret string, h http.Header, body []byte) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(h.Get("webhook-id") + "." + h.Get("webhook-timestamp") + "." + string(body)))
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return true
		}
	}
	return false
}

type registered struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
}

func registerWebhook(t *testing.T, h *apptest.Hub, agencyID, url string, events ...string) registered {
	t.Helper()
	res := h.Do("POST", "/api/v1/webhooks", "admin", map[string]any{"agency": agencyID, "url": url, "events": events})
	if res.Status != http.StatusCreated {
		t.Fatalf("register: %d %s", res.Status, res.Body)
	}
	var r registered
	res.JSON(t, &r)
	if !strings.HasPrefix(r.Secret, "whsec_") || r.ID == "" {
		t.Fatalf("registered %s", res.Body)
	}
	return r
}

// housingOnly is the example referral sent to housing alone.
func housingOnly() map[string]any {
	b := exampleReferral()
	b["agencies"] = []any{map[string]any{"agency": "housing", "request": "assess for sanctuary scheme"}}
	b["consent"].(map[string]any)["agencies"] = []any{"housing"}
	return b
}

// personalStrings are every piece of personal data in exampleReferral.
var personalStrings = []string{"Rowena", "Testperson", "1990-04-02", "14 Example Row", "07700900123", "rowena@example.com",
	"voicemail", "weekdays 10-12", "anxiety", "wants help to move", "suspect told", "Sid", "Suspectson", "1985-09-30", "2 Other Road",
	"no contact", "Kit", "2018-06-01", "Hill Primary", "MP/26/001234", "Repeated unwanted contact", "sanctuary scheme"}

type webhookList struct {
	Webhooks []struct {
		ID         string `json:"id"`
		Paused     bool   `json:"paused"`
		LastError  string `json:"last_error"`
		Deliveries struct{ Pending, Delivered, Failed int }
	} `json:"webhooks"`
}

func webhookState(t *testing.T, h *apptest.Hub, id string) (pending, delivered, failed int, lastError string) {
	t.Helper()
	var l webhookList
	h.Do("GET", "/api/v1/webhooks", "admin", nil).JSON(t, &l)
	for _, w := range l.Webhooks {
		if w.ID == id {
			return w.Deliveries.Pending, w.Deliveries.Delivered, w.Deliveries.Failed, w.LastError
		}
	}
	t.Fatalf("webhook %s not listed", id)
	return
}

// A referral sent to housing reaches housing's system as one signed delivery
// within seconds, with no personal data; victim support's system gets nothing.
func TestWebhookDeliversSignedEventToTheAgencyOnly(t *testing.T) {
	h := apptest.Start(t, nil)
	housing := newReceiver(t, nil)
	victimSupport := newReceiver(t, nil)
	hw := registerWebhook(t, h, "housing", housing.URL+"/hub-events", "share.created")
	vw := registerWebhook(t, h, "victim-support", victimSupport.URL, "share.created", "share.status_changed", "message.created", "consent.withdrawn", "marac.action_changed")

	sent := time.Now()
	r := createReferral(t, h, housingOnly())
	waitFor(t, 20*time.Second, "housing's delivery", func() bool { return len(housing.deliveries()) > 0 })
	d := housing.deliveries()[0]
	t.Logf("officer's send -> webhook delivery: %s", d.At.Sub(sent).Round(time.Millisecond))

	if !verifySignature(hw.Secret, d.Header, d.Body) {
		t.Fatalf("the signature does not verify: %v", d.Header)
	}
	if d.Header.Get("Content-Type") != "application/json" || d.Header.Get("webhook-id") == "" {
		t.Fatalf("headers %v", d.Header)
	}
	var body struct {
		Type, ID, Agency, Referral, Reference, Status string
		At                                            time.Time
	}
	if err := json.Unmarshal(d.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Type != "share.created" || body.Agency != "housing" || body.Referral != r.ID || body.Reference != r.Reference ||
		body.Status != "sent" || body.ID != d.Header.Get("webhook-id") || body.At.IsZero() {
		t.Fatalf("body %s", d.Body)
	}
	var all strings.Builder
	for k, vs := range d.Header {
		all.WriteString(k + ": " + strings.Join(vs, ",") + "\n")
	}
	all.Write(d.Body)
	for _, s := range personalStrings {
		if strings.Contains(strings.ToLower(all.String()), strings.ToLower(s)) {
			t.Errorf("the delivery carries %q", s)
		}
	}
	waitFor(t, 10*time.Second, "the delivery recorded", func() bool { _, n, _, _ := webhookState(t, h, hw.ID); return n == 1 })
	if p, n, f, _ := webhookState(t, h, vw.ID); p+n+f != 0 || len(victimSupport.deliveries()) != 0 {
		t.Fatalf("victim support's webhook had deliveries: %d pending, %d delivered, %d failed; %d received", p, n, f, len(victimSupport.deliveries()))
	}
	if got := len(housing.deliveries()); got != 1 {
		t.Fatalf("housing received %d deliveries, want 1", got)
	}
}

// A receiver that is down when the referral is sent gets the delivery once
// it is back, with the same webhook-id as the event in the feed.
func TestWebhookRetriedUntilTheReceiverIsBack(t *testing.T) {
	h := apptest.Start(t, nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // down: nothing listens there yet
	hw := registerWebhook(t, h, "housing", "http://"+addr+"/hub-events", "share.created")
	r := createReferral(t, h, housingOnly())
	waitFor(t, 20*time.Second, "a failed attempt", func() bool { _, _, _, e := webhookState(t, h, hw.ID); return e != "" })

	back := newReceiver(t, nil)
	back.Close()
	l, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("the port was taken meanwhile: %v", err)
	}
	back.Server = httptest.NewUnstartedServer(http.HandlerFunc(back.serve))
	back.Listener.Close()
	back.Listener = l
	back.Start()
	waitFor(t, 40*time.Second, "the delivery after the receiver came back", func() bool { return len(back.deliveries()) > 0 })
	d := back.deliveries()[0]
	if !verifySignature(hw.Secret, d.Header, d.Body) {
		t.Fatal("the retried delivery's signature does not verify")
	}
	var feed struct {
		Events []struct{ ID, Type, Referral string }
	}
	h.Do("GET", "/api/v1/events", "housing", nil).JSON(t, &feed)
	if len(feed.Events) == 0 || feed.Events[0].Referral != r.ID || feed.Events[0].ID != d.Header.Get("webhook-id") {
		t.Fatalf("webhook-id %q, feed %+v", d.Header.Get("webhook-id"), feed.Events)
	}
}

// A receiver that answers with a redirect is not followed: the delivery
// counts as failed and the place it points to gets nothing.
func TestWebhookRedirectNotFollowed(t *testing.T) {
	h := apptest.Start(t, nil)
	target := newReceiver(t, nil)
	moved := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/elsewhere", http.StatusPermanentRedirect)
	})
	hw := registerWebhook(t, h, "housing", moved.URL, "share.created")
	createReferral(t, h, housingOnly())
	waitFor(t, 20*time.Second, "the failed attempt recorded", func() bool { _, _, _, e := webhookState(t, h, hw.ID); return e != "" })
	if _, n, _, e := webhookState(t, h, hw.ID); n != 0 || !strings.Contains(e, "redirect") {
		t.Fatalf("delivered %d, last error %q", n, e)
	}
	if len(target.deliveries()) != 0 || len(moved.deliveries()) != 1 {
		t.Fatalf("the redirect was followed: %d at the target, %d at the receiver", len(target.deliveries()), len(moved.deliveries()))
	}
}

// Registration: admins only; https (or loopback http in development);
// known agencies and events; the secret shown once and never listed.
func TestWebhookRegistration(t *testing.T) {
	h := apptest.Start(t, nil)
	for _, c := range []struct {
		name, persona string
		body          map[string]any
		status        int
		field         string
	}{
		{"not an admin", "officer", map[string]any{"agency": "housing", "url": "https://h.example/x", "events": []string{"share.created"}}, 403, ""},
		{"http to a public host", "admin", map[string]any{"agency": "housing", "url": "http://h.example/x", "events": []string{"share.created"}}, 422, "url"},
		{"unknown agency", "admin", map[string]any{"agency": "nowhere", "url": "https://h.example/x", "events": []string{"share.created"}}, 422, "agency"},
		{"unknown event", "admin", map[string]any{"agency": "housing", "url": "https://h.example/x", "events": []string{"share.eaten"}}, 422, "events[0]"},
		{"no events", "admin", map[string]any{"agency": "housing", "url": "https://h.example/x", "events": []string{}}, 422, "events"},
		{"unknown field", "admin", map[string]any{"agency": "housing", "url": "https://h.example/x", "events": []string{"share.created"}, "secret": "mine"}, 422, "secret"},
	} {
		res := h.Do("POST", "/api/v1/webhooks", c.persona, c.body)
		if res.Status != c.status || (c.field != "" && !strings.Contains(string(res.Body), `"`+c.field+`"`)) {
			t.Errorf("%s: %d %s", c.name, res.Status, res.Body)
		}
	}
	w := registerWebhook(t, h, "housing", "https://cases.example.gov.uk/hub", "share.created")
	list := h.Do("GET", "/api/v1/webhooks", "admin", nil)
	if list.Status != 200 || strings.Contains(string(list.Body), "whsec_") || strings.Contains(string(list.Body), w.Secret[6:20]) || !strings.Contains(string(list.Body), w.ID) {
		t.Fatalf("list: %d %s", list.Status, list.Body)
	}
	if res := h.Do("DELETE", "/api/v1/webhooks/"+w.ID, "admin", nil); res.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", res.Status, res.Body)
	}
	if res := h.Do("DELETE", "/api/v1/webhooks/"+w.ID, "admin", nil); res.Status != http.StatusNotFound {
		t.Fatalf("delete again: %d", res.Status)
	}
}

// The feed gives the caller's agency its events, oldest first, paged by the
// cursor; another agency sees none of them.
func TestEventFeedPages(t *testing.T) {
	h := apptest.Start(t, nil)
	a := createReferral(t, h, housingOnly())
	b := createReferral(t, h, housingOnly())
	if res := h.Do("GET", "/api/v1/referrals/"+a.ID, "housing", nil); res.Status != 200 {
		t.Fatalf("housing reads: %d", res.Status)
	}
	type page struct {
		Events []struct {
			Type, ID, Referral, Status, Agency string
		}
		NextCursor string `json:"next_cursor"`
	}
	var all page
	h.Do("GET", "/api/v1/events", "housing", nil).JSON(t, &all)
	var got []string
	for _, e := range all.Events {
		got = append(got, e.Type+":"+e.Referral+":"+e.Status)
	}
	want := []string{"share.created:" + a.ID + ":sent", "share.created:" + b.ID + ":sent", "share.status_changed:" + a.ID + ":viewed"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("feed %v, want %v", got, want)
	}
	var p1, p2, p3 page
	h.Do("GET", "/api/v1/events?limit=2", "housing", nil).JSON(t, &p1)
	h.Do("GET", "/api/v1/events?limit=2&after="+p1.NextCursor, "housing", nil).JSON(t, &p2)
	h.Do("GET", "/api/v1/events?after="+p2.NextCursor, "housing", nil).JSON(t, &p3)
	if len(p1.Events) != 2 || p1.Events[0].ID != all.Events[0].ID || len(p2.Events) != 1 || p2.Events[0].ID != all.Events[2].ID ||
		len(p3.Events) != 0 || p3.NextCursor != p2.NextCursor {
		t.Fatalf("pages %+v / %+v / %+v", p1, p2, p3)
	}
	var other page
	h.Do("GET", "/api/v1/events", "victim-support", nil).JSON(t, &other)
	if len(other.Events) != 0 || other.NextCursor == "" {
		t.Fatalf("victim support's feed: %+v", other)
	}
	if res := h.Do("GET", "/api/v1/events?after=abc", "housing", nil); res.Status != 422 || !strings.Contains(string(res.Body), `"after"`) {
		t.Fatalf("bad cursor: %d %s", res.Status, res.Body)
	}
	if res := h.Do("GET", "/api/v1/events", "officer", nil); res.Status != 403 {
		t.Fatalf("officer reads the feed: %d", res.Status)
	}
}
