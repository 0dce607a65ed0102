package notify_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/stalking-hub/hub/internal/notify"
	"github.com/stalking-hub/hub/internal/store"
)

// A made-up referral: its personal data is held here so the test can look for
// it in what reaches the mail server.
var referral = struct {
	ID, Reference string
	Personal      []string
}{
	ID:        "01JD7Q3K9ZV4W8X2",
	Reference: "SH-2026-000123",
	Personal: []string{
		"Jane Holloway-Pryce", "Holloway", "Pryce", // victim
		"14 Larkspur Close", "Larkspur", "RG26 3XY", // address
		"07700 900123", "jane.hp@example.net", "1990-04-02", // contact, date of birth
		"Darren Keele", "Keele", // suspect
		"do not leave voicemail", // safe contact
	},
}

const base = "https://hub.example.gov.uk"

// mailServer is a real SMTP server on loopback that keeps what it receives.
type mailServer struct {
	srv  *smtp.Server
	mu   sync.Mutex
	mail []received
	// plainAuth offers AUTH PLAIN over the unencrypted connection and counts
	// the passwords it is sent.
	plainAuth bool
	passwords int
}

type received struct {
	from string
	to   []string
	data []byte
}

func (m *mailServer) NewSession(*smtp.Conn) (smtp.Session, error) {
	if m.plainAuth {
		return &authSession{session{server: m}}, nil
	}
	return &session{server: m}, nil
}

func (m *mailServer) received() []received {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]received(nil), m.mail...)
}

type session struct {
	server *mailServer
	from   string
	to     []string
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error   { s.to = append(s.to, to); return nil }
func (s *session) Reset()                                      { s.from, s.to = "", nil }
func (s *session) Logout() error                               { return nil }
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.server.mu.Lock()
	defer s.server.mu.Unlock()
	s.server.mail = append(s.server.mail, received{s.from, s.to, b})
	return nil
}

type authSession struct{ session }

func (s *authSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *authSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, _, _ string) error {
		s.server.mu.Lock()
		defer s.server.mu.Unlock()
		s.server.passwords++
		return nil
	}), nil
}

// startMailServer listens on addr ("127.0.0.1:0" for any port) until the test ends.
func startMailServer(t testing.TB, addr string) (*mailServer, int) {
	t.Helper()
	return startMailServerWith(t, addr, &mailServer{})
}

func startMailServerWith(t testing.TB, addr string, m *mailServer) (*mailServer, int) {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	m.srv = smtp.NewServer(m)
	m.srv.AllowInsecureAuth = m.plainAuth
	m.srv.Domain = "mail.example.test"
	m.srv.ReadTimeout, m.srv.WriteTimeout = 5*time.Second, 5*time.Second
	m.srv.ErrorLog = testLog{t}
	go m.srv.Serve(l)
	t.Cleanup(func() { m.srv.Close() })
	return m, l.Addr().(*net.TCPAddr).Port
}

type testLog struct{ t testing.TB }

func (l testLog) Printf(format string, v ...any) { l.t.Logf(format, v...) }
func (l testLog) Println(v ...any)               { l.t.Log(v...) }

// freePort is a loopback port with nothing listening on it.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// clock is the injected time: it moves only when the test says so.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)} }

func openStore(t *testing.T, path string, c *clock) *store.DB {
	t.Helper()
	db, err := store.Open(path, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Now = c.Now
	return db
}

func sender(t *testing.T, port int, tls notify.TLSPolicy) *notify.SMTP {
	t.Helper()
	s, err := notify.NewSMTP(notify.SMTPConfig{Host: "127.0.0.1", Port: port, From: "hub-noreply@example.gov.uk", TLS: tls, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func quietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// runWorker runs w until the test ends.
func runWorker(t *testing.T, w *notify.Worker) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// waitFor polls cond for up to five seconds of real time.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func outbox(t *testing.T, db *store.DB) []notify.Notification {
	t.Helper()
	ns, err := db.Outbox(context.Background(), store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

// decoded is the message's subject and its body with the transfer encoding undone.
func decoded(t *testing.T, raw []byte) (netmail.Header, string, string) {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not a mail message: %v\n%s", err, raw)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	var body io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(msg.Body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return msg.Header, subject, strings.ReplaceAll(string(b), "\r\n", "\n")
}

func TestNotificationArrivesWithReferenceAndLinkAndNoPersonalData(t *testing.T) {
	c := newClock()
	db := openStore(t, filepath.Join(t.TempDir(), "hub.db"), c)
	server, port := startMailServer(t, "127.0.0.1:0")
	msg := notify.Message{Kind: notify.NewShare, To: "housing.referrals@example.gov.uk", Reference: referral.Reference, Link: notify.ReferralLink(base, referral.ID)}
	if err := db.Enqueue(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	w := notify.NewWorker(db, sender(t, port, notify.TLSOpportunistic), notify.WorkerOptions{Now: c.Now, Log: quietLog(), Poll: 5 * time.Millisecond})
	runWorker(t, w)
	waitFor(t, "the notification to be marked delivered", func() bool { return outbox(t, db)[0].State() == notify.Delivered })

	got := server.received()
	if len(got) != 1 {
		t.Fatalf("the server received %d messages, want 1", len(got))
	}
	m := got[0]
	if m.from != "hub-noreply@example.gov.uk" || len(m.to) != 1 || m.to[0] != msg.To {
		t.Fatalf("envelope from %q to %q", m.from, m.to)
	}
	header, subject, body := decoded(t, m.data)
	if header.Get("To") != "<"+msg.To+">" {
		t.Errorf("To header %q", header.Get("To"))
	}
	if subject != "New referral SH-2026-000123" {
		t.Errorf("subject %q", subject)
	}
	if !strings.Contains(body, referral.Reference) {
		t.Errorf("the body lacks the reference:\n%s", body)
	}
	if !strings.Contains(body, "\n"+base+"/referrals/"+referral.ID+"\n") {
		t.Errorf("the body lacks the link on a line of its own:\n%s", body)
	}
	raw := strings.ToLower(string(m.data))
	for _, p := range referral.Personal {
		for where, text := range map[string]string{"raw message": raw, "subject": subject, "body": body} {
			if strings.Contains(strings.ToLower(text), strings.ToLower(p)) {
				t.Errorf("the %s holds personal data %q", where, p)
			}
		}
	}
	if n := outbox(t, db)[0]; n.Attempts != 1 || !n.DeliveredAt.Equal(c.Now()) || n.LastError != "" {
		t.Errorf("outbox row after delivery: %+v", n)
	}
}

func TestServerDownThenUpDeliversExactlyOnce(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	db := openStore(t, filepath.Join(t.TempDir(), "hub.db"), c)
	port := freePort(t)
	msg := notify.Message{Kind: notify.StatusChanged, To: "pc.officer@police.example.gov.uk", Reference: referral.Reference, Link: notify.ReferralLink(base, referral.ID)}
	if err := db.Enqueue(ctx, msg); err != nil {
		t.Fatal(err)
	}
	w := notify.NewWorker(db, sender(t, port, notify.TLSOpportunistic), notify.WorkerOptions{
		Now: c.Now, Log: quietLog(), Poll: 5 * time.Millisecond, RetryBase: time.Minute, MaxAttempts: 5,
	})

	// Down: each due attempt fails and is put off by the backoff.
	start := c.Now()
	for i, wait := range []time.Duration{time.Minute, 2 * time.Minute} {
		if n, err := w.DeliverDue(ctx); err != nil || n != 1 {
			t.Fatalf("pass %d claimed %d (%v), want 1", i+1, n, err)
		}
		row := outbox(t, db)[0]
		if row.State() != notify.Pending || row.Attempts != i+1 || !row.NextAttemptAt.Equal(c.Now().Add(wait)) || row.LastError == "" || !row.LeasedUntil.IsZero() {
			t.Fatalf("after failed attempt %d: %+v", i+1, row)
		}
		// Not due yet: a pass now claims nothing.
		if n, err := w.DeliverDue(ctx); err != nil || n != 0 {
			t.Fatalf("a pass before the retry is due claimed %d (%v)", n, err)
		}
		c.Advance(wait)
	}
	if c.Now().Sub(start) != 3*time.Minute {
		t.Fatalf("clock at %v", c.Now())
	}

	// Up: the next due attempt delivers, and nothing delivers it again.
	server, _ := startMailServer(t, "127.0.0.1:"+strconv.Itoa(port))
	runWorker(t, w)
	waitFor(t, "delivery once the server is up", func() bool { return len(server.received()) > 0 })
	waitFor(t, "the delivery to be recorded", func() bool { return outbox(t, db)[0].State() == notify.Delivered })
	for range 5 {
		c.Advance(time.Hour)
		w.Wake()
		if n, err := w.DeliverDue(ctx); err != nil || n != 0 {
			t.Fatalf("a delivered notification was claimed again: %d (%v)", n, err)
		}
	}
	time.Sleep(30 * time.Millisecond) // a few more polls of the running worker
	if got := server.received(); len(got) != 1 {
		t.Fatalf("the server received %d messages, want exactly 1", len(got))
	}
	if row := outbox(t, db)[0]; row.Attempts != 3 {
		t.Fatalf("attempts %d, want 3 (two failures, one delivery)", row.Attempts)
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	db := openStore(t, filepath.Join(t.TempDir(), "hub.db"), c)
	msg := notify.Message{Kind: notify.OverdueShare, To: "health@example.gov.uk", Reference: referral.Reference, Link: notify.ReferralLink(base, referral.ID)}
	if err := db.Enqueue(ctx, msg); err != nil {
		t.Fatal(err)
	}
	w := notify.NewWorker(db, sender(t, freePort(t), notify.TLSOpportunistic), notify.WorkerOptions{Now: c.Now, Log: quietLog(), RetryBase: time.Second, MaxAttempts: 3})
	for range 3 {
		if n, err := w.DeliverDue(ctx); err != nil || n != 1 {
			t.Fatalf("claimed %d (%v)", n, err)
		}
		c.Advance(time.Hour)
	}
	row := outbox(t, db)[0]
	if row.State() != notify.Failed || row.Attempts != 3 || row.LastError == "" {
		t.Fatalf("after the last attempt: %+v", row)
	}
	if n, err := w.DeliverDue(ctx); err != nil || n != 0 {
		t.Fatalf("a given-up notification was claimed: %d (%v)", n, err)
	}
}

func TestMandatoryTLSRefusesAPlainServer(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	db := openStore(t, filepath.Join(t.TempDir(), "hub.db"), c)
	server, port := startMailServer(t, "127.0.0.1:0")
	msg := notify.Message{Kind: notify.NewMessage, To: "idva@example.gov.uk", Reference: referral.Reference, Link: notify.ReferralLink(base, referral.ID)}
	if err := db.Enqueue(ctx, msg); err != nil {
		t.Fatal(err)
	}
	w := notify.NewWorker(db, sender(t, port, notify.TLSMandatory), notify.WorkerOptions{Now: c.Now, Log: quietLog()})
	if _, err := w.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	if got := server.received(); len(got) != 0 {
		t.Fatalf("sent in clear despite mandatory TLS: %d messages", len(got))
	}
	if row := outbox(t, db)[0]; row.State() != notify.Pending || !strings.Contains(row.LastError, "STARTTLS") {
		t.Fatalf("after the refused attempt: %+v", row)
	}
}

func TestTwoWorkersDeliverEachNotificationOnce(t *testing.T) {
	const total = 24
	c := newClock()
	path := filepath.Join(t.TempDir(), "hub.db")
	// Two handles on one file, as two hub processes would have.
	db1, db2 := openStore(t, path, c), openStore(t, path, c)
	server, port := startMailServer(t, "127.0.0.1:0")
	var msgs []notify.Message
	for i := range total {
		msgs = append(msgs, notify.Message{Kind: notify.NewShare, To: "housing.referrals@example.gov.uk",
			Reference: fmt.Sprintf("SH-2026-%06d", i+1), Link: notify.ReferralLink(base, fmt.Sprintf("r-%d", i+1))})
	}
	if err := db1.Enqueue(context.Background(), msgs...); err != nil {
		t.Fatal(err)
	}
	for _, db := range []*store.DB{db1, db2} {
		runWorker(t, notify.NewWorker(db, sender(t, port, notify.TLSOpportunistic), notify.WorkerOptions{Now: c.Now, Log: quietLog(), Poll: time.Millisecond, Batch: 3}))
	}
	waitFor(t, "every notification to be delivered", func() bool {
		ns, err := db1.Outbox(context.Background(), store.OutboxFilter{State: notify.Delivered})
		return err == nil && len(ns) == total
	})
	time.Sleep(30 * time.Millisecond) // more passes of both workers

	got := server.received()
	if len(got) != total {
		t.Errorf("the server received %d messages for %d notifications", len(got), total)
	}
	seen := map[string]int{}
	for _, m := range got {
		_, subject, _ := decoded(t, m.data)
		seen[strings.TrimPrefix(subject, "New referral ")]++
	}
	for _, m := range msgs {
		if seen[m.Reference] != 1 {
			t.Errorf("%s received %d times", m.Reference, seen[m.Reference])
		}
	}
	for _, n := range outbox(t, db1) {
		if n.Attempts != 1 {
			t.Errorf("%s: %d attempts, want 1", n.Reference, n.Attempts)
		}
	}
}

func TestPasswordNeverSentInClear(t *testing.T) {
	server, port := startMailServerWith(t, "127.0.0.1:0", &mailServer{plainAuth: true})
	s, err := notify.NewSMTP(notify.SMTPConfig{Host: "127.0.0.1", Port: port, From: "hub-noreply@example.gov.uk", TLS: notify.TLSOpportunistic,
		Username: "hub", Password: "hunter2", Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), "idva@example.gov.uk", "subject", "body"); err == nil {
		t.Fatal("sent with AUTH PLAIN over an unencrypted connection")
	}
	server.mu.Lock()
	defer server.mu.Unlock()
	if server.passwords != 0 || len(server.mail) != 0 {
		t.Fatalf("the server got %d passwords and %d messages", server.passwords, len(server.mail))
	}
}

// The notices of a referral changed after it was sent (amended, or its risk
// re-assessed) arrive through a real SMTP server with their fixed wording,
// the reference and the link, and no personal data.
func TestChangeNoticesArriveWithoutPersonalData(t *testing.T) {
	want := map[notify.Kind]string{
		notify.ReferralChanged: "Referral SH-2026-000123: updated by the police",
		notify.RiskChanged:     "Referral SH-2026-000123: risk re-assessed",
	}
	c := newClock()
	db := openStore(t, filepath.Join(t.TempDir(), "hub.db"), c)
	server, port := startMailServer(t, "127.0.0.1:0")
	for _, kind := range []notify.Kind{notify.ReferralChanged, notify.RiskChanged} {
		if err := db.Enqueue(context.Background(), notify.Message{Kind: kind, To: "housing.referrals@example.gov.uk", Reference: referral.Reference, Link: notify.ReferralLink(base, referral.ID)}); err != nil {
			t.Fatal(err)
		}
	}
	runWorker(t, notify.NewWorker(db, sender(t, port, notify.TLSOpportunistic), notify.WorkerOptions{Now: c.Now, Log: quietLog(), Poll: 5 * time.Millisecond}))
	waitFor(t, "both notices to be delivered", func() bool { return len(server.received()) == 2 })
	seen := map[string]bool{}
	for _, m := range server.received() {
		_, subject, body := decoded(t, m.data)
		seen[subject] = true
		if !strings.Contains(body, referral.Reference) || !strings.Contains(body, base+"/referrals/"+referral.ID) {
			t.Errorf("%q lacks the reference or the link:\n%s", subject, body)
		}
		for _, p := range referral.Personal {
			if strings.Contains(strings.ToLower(string(m.data)), strings.ToLower(p)) {
				t.Errorf("%q holds personal data %q", subject, p)
			}
		}
	}
	for _, subject := range want {
		if !seen[subject] {
			t.Errorf("no message with subject %q; got %v", subject, seen)
		}
	}
}
