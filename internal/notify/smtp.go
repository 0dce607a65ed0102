package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	mail "github.com/wneessen/go-mail"
)

// Sender hands one e-mail to a mail server.
type Sender interface {
	Send(ctx context.Context, to, subject, body string) error
}

// TLSPolicy says whether the connection to the mail server must be encrypted.
type TLSPolicy string

// The TLS policies of mail.tls.
const (
	// TLSOpportunistic upgrades with STARTTLS when the server offers it.
	TLSOpportunistic TLSPolicy = "opportunistic"
	// TLSMandatory refuses to send unless STARTTLS succeeds.
	TLSMandatory TLSPolicy = "mandatory"
	// TLSNone never encrypts; for a relay on the same machine.
	TLSNone TLSPolicy = "none"
)

var tlsPolicies = map[TLSPolicy]mail.TLSPolicy{
	TLSOpportunistic: mail.TLSOpportunistic,
	TLSMandatory:     mail.TLSMandatory,
	TLSNone:          mail.NoTLS,
}

// ParseTLSPolicy reads a mail.tls value; empty means opportunistic.
func ParseTLSPolicy(s string) (TLSPolicy, error) {
	if s == "" {
		return TLSOpportunistic, nil
	}
	if _, ok := tlsPolicies[TLSPolicy(s)]; !ok {
		return "", fmt.Errorf("want opportunistic, mandatory or none, got %q", s)
	}
	return TLSPolicy(s), nil
}

// SMTPConfig is how to reach the mail server.
type SMTPConfig struct {
	Host string
	Port int
	// Username and Password log in to the server when Username is set. The
	// mechanism is discovered; over an unencrypted connection only mechanisms
	// that never send the password itself are used.
	Username, Password string
	// From is the sender address, such as hub-noreply@example.gov.uk.
	From string
	TLS  TLSPolicy // opportunistic when empty
	// Timeout bounds the connection and each exchange with the server; 30s when zero.
	Timeout time.Duration
}

// SMTP sends mail through a mail server with go-mail, one connection per message.
type SMTP struct {
	client *mail.Client
	from   string
}

// NewSMTP checks the configuration and prepares a sender. It does not connect.
func NewSMTP(c SMTPConfig) (*SMTP, error) {
	if c.Host == "" {
		return nil, errors.New("smtp: no host")
	}
	if !isAddress(c.From) {
		return nil, errors.New("smtp: the sender is not a bare e-mail address")
	}
	tp, err := ParseTLSPolicy(string(c.TLS))
	if err != nil {
		return nil, fmt.Errorf("smtp: TLS policy: %w", err)
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	// WithTLSPolicy, not WithTLSPortPolicy: the latter would move a configured
	// port 25 to 587.
	opts := []mail.Option{mail.WithPort(c.Port), mail.WithTLSPolicy(tlsPolicies[tp]), mail.WithTimeout(c.Timeout)}
	if c.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(c.Username), mail.WithPassword(c.Password))
	}
	client, err := mail.NewClient(c.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	return &SMTP{client: client, from: c.From}, nil
}

// Send delivers one plain-text message.
func (s *SMTP) Send(ctx context.Context, to, subject, body string) error {
	m := mail.NewMsg()
	if err := m.From(s.from); err != nil {
		return err
	}
	if err := m.To(to); err != nil {
		return errors.New("smtp: the recipient is not an e-mail address")
	}
	m.Subject(subject)
	m.SetDate()
	m.SetMessageID()
	// RFC 3834: out-of-office replies should not answer a machine.
	m.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	m.SetBodyString(mail.TypeTextPlain, body)
	return s.client.DialAndSendWithContext(ctx, m)
}
