package web_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	netmail "net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/store"
)

// smtpSink is a real SMTP server on loopback that keeps what it receives.
type smtpSink struct {
	mu   sync.Mutex
	mail []sunkMail
}

type sunkMail struct {
	to      string
	subject string
	body    string
	raw     string
}

func (s *smtpSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }

type sinkSession struct {
	sink *smtpSink
	to   []string
}

func (s *sinkSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }
func (s *sinkSession) Reset()                                    { s.to = nil }
func (s *sinkSession) Logout() error                             { return nil }
func (s *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	var body io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(msg.Body)
	}
	b, _ := io.ReadAll(body)
	s.sink.mu.Lock()
	defer s.sink.mu.Unlock()
	for _, to := range s.to {
		s.sink.mail = append(s.sink.mail, sunkMail{to: to, subject: subject, body: strings.ReplaceAll(string(b), "\r\n", "\n"), raw: string(raw)})
	}
	return nil
}

func startSMTPSink(t *testing.T) (*smtpSink, int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sink := &smtpSink{}
	srv := smtp.NewServer(sink)
	srv.Domain = "mail.example.test"
	srv.ReadTimeout, srv.WriteTimeout = 5*time.Second, 5*time.Second
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return sink, l.Addr().(*net.TCPAddr).Port
}

// deliverAll sends every notification in the hub's outbox through the real
// SMTP server, with the hub's own worker and sender.
func deliverAll(t *testing.T, h *apptest.Hub, port int) {
	t.Helper()
	sender, err := notify.NewSMTP(notify.SMTPConfig{Host: "127.0.0.1", Port: port, From: "hub-noreply@example.gov.uk", TLS: notify.TLSOpportunistic, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	w := notify.NewWorker(h.App.DB, sender, notify.WorkerOptions{Now: time.Now, RetryBase: time.Millisecond})
	for range 20 {
		n, err := w.DeliverDue(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	pending, err := h.App.DB.Outbox(context.Background(), store.OutboxFilter{State: notify.Pending})
	if err != nil || len(pending) > 0 {
		t.Fatalf("%d notifications not delivered (%v)", len(pending), err)
	}
}

// Each kind of notice added with issue 12 reaches the right mailbox through
// a real SMTP server, with the reference and a link and no personal data:
// a request to share without consent and its decision (the force), consent
// withdrawn (the agencies that relied on it), a share added or withdrawn
// (that agency), a case listed for MARAC (member agencies), an agency's
// message (the force), and an agency overdue (the force, in police words).
func TestNewNoticesDeliveredWithoutPersonalData(t *testing.T) {
	sink, port := startSMTPSink(t)
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	do := func(method, path, persona string, body any, want int) apptest.Response {
		t.Helper()
		res := h.Do(method, path, persona, body)
		if res.Status != want {
			t.Fatalf("%s %s as %s: %d %s", method, path, persona, res.Status, res.Body)
		}
		return res
	}
	base := "/api/v1/referrals/" + r.ID
	var o struct{ ID string }
	do("POST", base+"/overrides", "officer", map[string]any{"basis": "vital_interests", "rationale": "Rowena is at risk of serious harm tonight",
		"agencies": []string{"housing"}, "categories": []string{"identity"}, "until": "2099-01-01"}, http.StatusCreated).JSON(t, &o)
	do("POST", "/api/v1/overrides/"+o.ID+"/decision", "supervisor", map[string]any{"approve": true}, http.StatusOK)
	do("POST", base+"/shares", "officer", map[string]any{"agency": "idva", "request": "Call Rowena on 07700900123"}, http.StatusCreated)
	do("POST", base+"/shares/victim-support/withdraw", "officer", map[string]any{"reason": "Rowena moved to 14 Example Row's sister"}, http.StatusOK)
	do("POST", base+"/messages", "housing", map[string]any{"body": "Rowena Testperson says Sid Suspectson was outside"}, http.StatusCreated)
	do("POST", base+"/consent", "officer", map[string]any{"decision": "withdrawn", "obtained_on": time.Now().UTC().Format(time.DateOnly)}, http.StatusCreated)
	var m struct{ ID string }
	do("POST", "/api/v1/marac/meetings", "coordinator", map[string]any{"date": maracDay(7), "panel": "north"}, http.StatusCreated).JSON(t, &m)
	do("POST", "/api/v1/marac/meetings/"+m.ID+"/cases", "coordinator", map[string]any{"referral": r.ID, "criterion": "professional_judgement", "note": "Escalating pattern"}, http.StatusCreated)
	// A month on, the agencies that have not answered are overdue: the
	// force's mailbox is told in its own words.
	if n, err := h.App.DB.NoteOverdue(context.Background(), time.Now().AddDate(0, 1, 0)); err != nil || n == 0 {
		t.Fatalf("noting overdue shares: %d %v", n, err)
	}
	deliverAll(t, h, port)

	police := "ppu.referrals@example.police.uk"
	want := []struct{ to, subject string }{
		{police, "Referral " + r.Reference + ": supervisor's decision needed"},
		{police, "Referral " + r.Reference + ": request to share without consent decided"},
		{"idva.referrals@example.org.uk", "New referral " + r.Reference},
		{"northshire.referrals@example.org.uk", "Referral " + r.Reference + " withdrawn from your agency"},
		{police, "Referral " + r.Reference + ": message from an agency"},
		{"housing.referrals@example.gov.uk", "Referral " + r.Reference + ": consent withdrawn"},
		{"housing.referrals@example.gov.uk", "Referral " + r.Reference + ": listed for MARAC, research needed"},
		{police, "Referral " + r.Reference + ": an agency's response is overdue"},
	}
	sink.mu.Lock()
	got := slices.Clone(sink.mail)
	sink.mu.Unlock()
	for _, w := range want {
		if !slices.ContainsFunc(got, func(m sunkMail) bool { return m.to == w.to && m.subject == w.subject }) {
			t.Errorf("no mail %q to %s", w.subject, w.to)
		}
	}
	// Victim support's share was withdrawn before consent was: it relied on
	// nothing any more, and is not told.
	for _, m := range got {
		if m.to == "northshire.referrals@example.org.uk" && strings.Contains(m.subject, "consent withdrawn") {
			t.Error("an agency whose share was withdrawn is told consent was withdrawn")
		}
		if m.to == police && strings.Contains(m.body, "your agency") {
			t.Errorf("police mailbox gets agency wording: %q", m.body)
		}
		if !strings.Contains(m.body, "/referrals/"+r.ID+"\n") {
			t.Errorf("%q lacks the link", m.subject)
		}
		for _, p := range []string{"Rowena", "Testperson", "Suspectson", "Example Row", "07700900123", "rowena@example.com", "1990-04-02", "moved", "outside", "serious harm"} {
			if strings.Contains(strings.ToLower(m.raw), strings.ToLower(p)) {
				t.Errorf("%q to %s holds personal data %q", m.subject, m.to, p)
			}
		}
	}
	// MARAC member agencies only: not the coordinator who listed it, not the force.
	for _, m := range got {
		if strings.Contains(m.subject, "listed for MARAC") && (m.to == police || m.to == "marac.coordinator@example.gov.uk") {
			t.Errorf("MARAC listing told to %s", m.to)
		}
	}
}

// Recording, changing or breaching an order sends order.changed to the
// agencies still in the referral.
func TestOrderChangedEvents(t *testing.T) {
	h := apptest.Start(t, nil)
	r := createReferral(t, h, exampleReferral())
	h.Do("POST", "/api/v1/referrals/"+r.ID+"/shares/victim-support/withdraw", "officer", map[string]any{"reason": "Not needed"})
	o := addOrder(t, h, r.ID, spo(60))
	if res := h.Do("POST", "/api/v1/orders/"+o.Order.ID+"/breaches", "officer", map[string]any{"occurred_on": day(-1), "summary": "Seen outside"}); res.Status != http.StatusCreated {
		t.Fatalf("breach: %d %s", res.Status, res.Body)
	}
	var feed struct {
		Events []struct{ Type, Status string }
	}
	h.Do("GET", "/api/v1/events", "housing", nil).JSON(t, &feed)
	var changes []string
	for _, e := range feed.Events {
		if e.Type == "order.changed" {
			changes = append(changes, e.Status)
		}
	}
	if !slices.Equal(changes, []string{"recorded", "breached"}) {
		t.Errorf("housing's order.changed events: %v", changes)
	}
	if ev := eventTypes(t, h, "victim-support"); slices.Contains(ev, "order.changed") {
		t.Errorf("a withdrawn agency hears of orders: %v", ev)
	}
}
