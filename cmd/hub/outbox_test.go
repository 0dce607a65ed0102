package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// mailSink is a real SMTP server on loopback that counts each mail it
// accepts by recipient and subject. Every MAIL command waits a while, so
// that a queue builds and a hub killed mid-send never finishes the send.
type mailSink struct {
	mu    sync.Mutex
	got   map[string]int
	delay time.Duration
}

func (m *mailSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: m}, nil }

func (m *mailSink) counts() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]int{}
	for k, v := range m.got {
		out[k] = v
	}
	return out
}

type sinkSession struct {
	sink *mailSink
	to   []string
}

func (s *sinkSession) Mail(string, *smtp.MailOptions) error {
	time.Sleep(s.sink.delay)
	return nil
}
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }
func (s *sinkSession) Reset()                                    { s.to = nil }
func (s *sinkSession) Logout() error                             { return nil }
func (s *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	h, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(b))).ReadMIMEHeader()
	if err != nil {
		return err
	}
	s.sink.mu.Lock()
	defer s.sink.mu.Unlock()
	s.sink.got[strings.Join(s.to, ",")+" "+h.Get("Subject")]++
	return nil
}

// startMailSink listens on a free loopback port until the test ends.
func startMailSink(t *testing.T, delay time.Duration) (*mailSink, int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &mailSink{got: map[string]int{}, delay: delay}
	srv := smtp.NewServer(m)
	srv.Domain = "mail.example.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	// A killed hub resets its connection; that is the test, not an error.
	srv.ErrorLog = log.New(io.Discard, "", 0)
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return m, l.Addr().(*net.TCPAddr).Port
}

// After SIGKILL and after SIGTERM in the middle of sending, every
// notification is delivered exactly once within a minute of the restart.
func TestOutboxAfterKillAndTerm(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the hub binary")
	}
	sink, port := startMailSink(t, 100*time.Millisecond)
	env := newEnv(t).with("HUB_MAIL_HOST", "127.0.0.1").with("HUB_MAIL_PORT", strconv.Itoa(port)).
		with("HUB_MAIL_TLS", "none").with("HUB_MAIL_SEND_TIMEOUT", "10s").with("HUB_MAIL_FROM", "hub-noreply@example.gov.uk")
	token, err := runBinary(t, env, "dev", "token", "officer")
	if err != nil {
		t.Fatal(token, err)
	}
	token = strings.TrimSpace(token)

	sent := 0
	for round, stop := range []func(*process){
		func(p *process) { p.kill(t) },
		func(p *process) {
			if code := p.terminate(t); code != 0 {
				t.Errorf("serve exited %d after SIGTERM", code)
			}
		},
	} {
		p := startProcess(t, env)
		for i := range 20 {
			if status := call(t, "POST", p.url+"/api/v1/referrals", token, referralBody(fmt.Sprintf("Notice %d-%d", round, i)), nil); status != http.StatusCreated {
				t.Fatalf("create: %d", status)
			}
		}
		sent += 20
		// Stop while the hub is still sending: some delivered, most not.
		for total(sink.counts()) < sent-18 {
			time.Sleep(10 * time.Millisecond)
		}
		stop(p)
		if total(sink.counts()) >= sent {
			t.Fatalf("round %d: everything was delivered before the stop; nothing tested", round)
		}

		restarted := time.Now()
		p = startProcess(t, env)
		for total(sink.counts()) < sent && time.Since(restarted) < 90*time.Second {
			time.Sleep(50 * time.Millisecond)
		}
		if took := time.Since(restarted); took > time.Minute {
			t.Errorf("round %d: %d of %d notifications delivered %v after the restart", round, total(sink.counts()), sent, took)
		}
		for key, n := range sink.counts() {
			if n != 1 {
				t.Errorf("round %d: %q delivered %d times", round, key, n)
			}
		}
		if code := p.terminate(t); code != 0 {
			t.Errorf("serve exited %d after SIGTERM", code)
		}
	}
	if len(sink.counts()) != sent {
		t.Errorf("%d distinct notifications delivered, want %d", len(sink.counts()), sent)
	}
}

// total is how many mails arrived.
func total(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}
