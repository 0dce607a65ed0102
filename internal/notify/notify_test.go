package notify

import (
	"strings"
	"testing"
	"time"
)

const (
	ref  = "SH-2026-000123"
	link = "https://hub.example.gov.uk/referrals/01JD7Q3K9Z"
)

func trailer(link string) string {
	return "\n\nOpen it in the hub (you will be asked to sign in):\n" + link +
		"\n\nThis e-mail holds no personal details by design. Replies to it are not read.\n"
}

func TestCompose(t *testing.T) {
	cases := []struct {
		name        string
		m           Message
		subject     string
		lead        string
		link        string
		mustNotHold []string
	}{
		{"new share", Message{NewShare, "housing.referrals@example.gov.uk", ref, link},
			"New referral SH-2026-000123", "A new referral, SH-2026-000123, has been sent to your agency.", link, []string{"housing.referrals"}},
		{"status changed", Message{StatusChanged, "pc.smith@police.example.gov.uk", ref, link},
			"Referral SH-2026-000123: status changed", "An agency has changed its status on referral SH-2026-000123.", link, []string{"smith"}},
		{"message", Message{NewMessage, "idva@example.gov.uk", ref, link},
			"Referral SH-2026-000123: new message", "There is a new message on referral SH-2026-000123.", link, nil},
		{"overdue share", Message{OverdueShare, "health@example.gov.uk", ref, link},
			"Referral SH-2026-000123: response overdue", "Referral SH-2026-000123 is waiting for your agency's response, and the response is now overdue.", link, nil},
		{"marac action", Message{MARACAction, "probation@example.gov.uk", ref, link},
			"Referral SH-2026-000123: MARAC action for your agency", "A MARAC action on referral SH-2026-000123 has been given to your agency.", link, nil},
		{"overdue action", Message{OverdueAction, "probation@example.gov.uk", ref, link},
			"Referral SH-2026-000123: MARAC action overdue", "A MARAC action on referral SH-2026-000123 is past its due date.", link, nil},
		{"unknown kind", Message{"victim_moved_to_12_acacia_avenue", "a@example.gov.uk", ref, link},
			"Referral SH-2026-000123: update", "There is an update on referral SH-2026-000123.", link, []string{"acacia", "victim"}},
		{"a name in the reference", Message{NewShare, "a@example.gov.uk", "Jane Doe", link},
			"New referral (reference not valid)", "A new referral, (reference not valid), has been sent to your agency.", link, []string{"Jane", "Doe"}},
		{"a reference with more after it", Message{NewShare, "a@example.gov.uk", ref + "\r\nBcc: x@evil.example", link},
			"New referral (reference not valid)", "A new referral, (reference not valid), has been sent to your agency.", link, []string{"Bcc", "evil"}},
		{"a search in the link", Message{NewShare, "a@example.gov.uk", ref, link + "?victim=Jane+Doe"},
			"New referral SH-2026-000123", "A new referral, SH-2026-000123, has been sent to your agency.", badLink, []string{"Jane", "victim"}},
		{"a name in the link path", Message{NewShare, "a@example.gov.uk", ref, "https://hub.example.gov.uk/referrals/Jane%20Doe"},
			"New referral SH-2026-000123", "A new referral, SH-2026-000123, has been sent to your agency.", badLink, []string{"Jane", "Doe"}},
		{"a fragment in the link", Message{NewShare, "a@example.gov.uk", ref, link + "#12-acacia-avenue"},
			"New referral SH-2026-000123", "A new referral, SH-2026-000123, has been sent to your agency.", badLink, []string{"acacia"}},
		{"credentials in the link", Message{NewShare, "a@example.gov.uk", ref, "https://jane:doe@hub.example.gov.uk/referrals/1"},
			"New referral SH-2026-000123", "A new referral, SH-2026-000123, has been sent to your agency.", badLink, []string{"jane", "doe"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			subject, body := Compose(c.m)
			if subject != c.subject {
				t.Errorf("subject %q, want %q", subject, c.subject)
			}
			if want := c.lead + trailer(c.link); body != want {
				t.Errorf("body\n%s\nwant\n%s", body, want)
			}
			for _, s := range append(c.mustNotHold, c.m.To) {
				if strings.Contains(strings.ToLower(subject+body), strings.ToLower(s)) {
					t.Errorf("holds %q", s)
				}
			}
			if strings.ContainsAny(subject, "\r\n") {
				t.Errorf("subject spans lines: %q", subject)
			}
		})
	}
}

// TestComposeVariesOnlyByReferenceAndLink shows that the reference and the link
// are the only inputs that reach the text: two messages of one kind that differ
// in everything else read the same once those two are masked.
func TestComposeVariesOnlyByReferenceAndLink(t *testing.T) {
	for _, k := range Kinds {
		a := Message{k, "housing.referrals@example.gov.uk", "SH-2026-000123", "https://hub.example.gov.uk/referrals/aaa"}
		b := Message{k, "pc.jones@police.example.gov.uk", "SH-2031-987654321", "http://127.0.0.1:8080/referrals/b-2"}
		mask := func(m Message) string {
			s, body := Compose(m)
			return strings.NewReplacer(m.Reference, "REF", m.Link, "LINK").Replace(s + "\n" + body)
		}
		if mask(a) != mask(b) {
			t.Errorf("%s: the text depends on more than the reference and the link:\n%s\n---\n%s", k, mask(a), mask(b))
		}
		if !strings.Contains(mask(a), "REF") || !strings.Contains(mask(a), "LINK") {
			t.Errorf("%s: the reference or the link is missing:\n%s", k, mask(a))
		}
	}
}

func TestValidate(t *testing.T) {
	good := Message{NewShare, "housing.referrals@example.gov.uk", ref, link}
	cases := []struct {
		name string
		edit func(*Message)
		ok   bool
	}{
		{"good", func(*Message) {}, true},
		{"loopback link", func(m *Message) { m.Link = "http://127.0.0.1:8080/referrals/x" }, true},
		{"long reference number", func(m *Message) { m.Reference = "SH-2026-1234567" }, true},
		{"unknown kind", func(m *Message) { m.Kind = "gossip" }, false},
		{"no recipient", func(m *Message) { m.To = "" }, false},
		{"recipient with a display name", func(m *Message) { m.To = "Jane Doe <jane@example.com>" }, false},
		{"two recipients", func(m *Message) { m.To = "a@example.com, b@example.com" }, false},
		{"no reference", func(m *Message) { m.Reference = "" }, false},
		{"short reference", func(m *Message) { m.Reference = "SH-2026-123" }, false},
		{"crime reference", func(m *Message) { m.Reference = "MP/26/001234" }, false},
		{"reference then text", func(m *Message) { m.Reference = ref + " Jane" }, false},
		{"relative link", func(m *Message) { m.Link = "/referrals/x" }, false},
		{"mailto link", func(m *Message) { m.Link = "mailto:jane@example.com" }, false},
		{"query", func(m *Message) { m.Link = link + "?q=1" }, false},
		{"empty query", func(m *Message) { m.Link = link + "?" }, false},
		{"escaped path", func(m *Message) { m.Link = "https://hub.example.gov.uk/referrals/a%2Fb" }, false},
		{"upper-case scheme", func(m *Message) { m.Link = "HTTPS://hub.example.gov.uk/referrals/x" }, false},
	}
	for _, c := range cases {
		m := good
		c.edit(&m)
		if err := m.Validate(); (err == nil) != c.ok {
			t.Errorf("%s: Validate() = %v, want ok %v", c.name, err, c.ok)
		}
	}
}

func TestReferralLinkPassesValidate(t *testing.T) {
	for _, base := range []string{"https://hub.example.gov.uk", "https://hub.example.gov.uk/", "http://127.0.0.1:8080"} {
		m := Message{NewShare, "a@example.gov.uk", ref, ReferralLink(base, "01JD7Q3K9Z")}
		if err := m.Validate(); err != nil || !strings.HasSuffix(m.Link, ".uk/referrals/01JD7Q3K9Z") && !strings.HasSuffix(m.Link, ":8080/referrals/01JD7Q3K9Z") {
			t.Errorf("%s: %q: %v", base, m.Link, err)
		}
	}
}

func TestBackoff(t *testing.T) {
	cases := []struct {
		base    time.Duration
		attempt int
		want    time.Duration
	}{
		{30 * time.Second, 1, 30 * time.Second},
		{30 * time.Second, 2, time.Minute},
		{30 * time.Second, 3, 2 * time.Minute},
		{30 * time.Second, 7, 32 * time.Minute},
		{30 * time.Second, 8, time.Hour},
		{30 * time.Second, 9, time.Hour},
		{30 * time.Second, 1000, time.Hour},
		{2 * time.Hour, 1, time.Hour},
		{time.Second, 0, time.Second},
	}
	for _, c := range cases {
		if got := Backoff(c.base, c.attempt); got != c.want {
			t.Errorf("Backoff(%v, %d) = %v, want %v", c.base, c.attempt, got, c.want)
		}
	}
}

func TestState(t *testing.T) {
	cases := []struct {
		n    Notification
		want State
	}{
		{Notification{}, Pending},
		{Notification{Attempts: 3, LastError: "421"}, Pending},
		{Notification{DeliveredAt: time.Now()}, Delivered},
		{Notification{FailedAt: time.Now()}, Failed},
	}
	for _, c := range cases {
		if got := c.n.State(); got != c.want {
			t.Errorf("%+v: %s, want %s", c.n, got, c.want)
		}
	}
}

func TestNewSMTPChecksItsConfiguration(t *testing.T) {
	good := SMTPConfig{Host: "smtp.example.gov.uk", Port: 587, From: "hub-noreply@example.gov.uk"}
	cases := []struct {
		name string
		edit func(*SMTPConfig)
		ok   bool
	}{
		{"good, opportunistic by default", func(*SMTPConfig) {}, true},
		{"mandatory with login", func(c *SMTPConfig) { c.TLS, c.Username, c.Password = TLSMandatory, "hub", "pw" }, true},
		{"no host", func(c *SMTPConfig) { c.Host = "" }, false},
		{"no sender", func(c *SMTPConfig) { c.From = "" }, false},
		{"sender with a name", func(c *SMTPConfig) { c.From = "The Hub <hub@example.gov.uk>" }, false},
		{"unknown TLS policy", func(c *SMTPConfig) { c.TLS = "sometimes" }, false},
		{"port zero", func(c *SMTPConfig) { c.Port = 0 }, false},
		{"port too high", func(c *SMTPConfig) { c.Port = 65536 }, false},
	}
	for _, c := range cases {
		cfg := good
		c.edit(&cfg)
		if _, err := NewSMTP(cfg); (err == nil) != c.ok {
			t.Errorf("%s: NewSMTP() = %v, want ok %v", c.name, err, c.ok)
		}
	}
}
