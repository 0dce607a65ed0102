package config

import (
	"fmt"
	"net/mail"
	"time"
)

// Partner (the [webhooks] section) guards the deliveries to partner agencies' systems: the one
// outbound call to addresses that people type in.
type Partner struct {
	// AllowPrivate lets deliveries reach private and link-local addresses (a
	// partner's system on the same private network). Loopback addresses are
	// reached only while the development identity provider is on, or with this.
	AllowPrivate bool `toml:"allow_private_networks"`
	// Timeout bounds one delivery, from connecting to the end of the answer.
	Timeout Duration `toml:"timeout"`
	// AlertTo are the e-mail addresses told when a webhook is paused after
	// repeated failures (besides the Partner systems page and the log).
	AlertTo []string `toml:"alert_to"`
}

func (w Partner) validate(bad func(key, format string, args ...any) error) error {
	if w.Timeout.Duration < time.Second || w.Timeout.Duration > time.Minute {
		return bad("webhooks.timeout", "must be from 1s to 1m, got %s", w.Timeout.Duration)
	}
	for i, a := range w.AlertTo {
		if m, err := mail.ParseAddress(a); err != nil || m.Address != a || m.Name != "" {
			return bad(fmt.Sprintf("webhooks.alert_to[%d]", i), "want a bare e-mail address like ops@example.gov.uk")
		}
	}
	return nil
}
