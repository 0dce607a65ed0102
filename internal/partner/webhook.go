package partner

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/stalking-hub/hub/internal/problem"
)

// Webhook is an endpoint of a partner agency's system that events are pushed to.
type Webhook struct {
	ID        string
	Agency    string
	URL       string
	Events    []Type
	CreatedBy string
	CreatedAt time.Time
	// PausedAt is set when deliveries kept failing; nothing is sent until an
	// administrator resumes the webhook. PauseReason says why, without the
	// receiver's own words.
	PausedAt    time.Time
	PauseReason string
	// Counts of its deliveries by state, and the last failure, for the admin's page.
	Pending, Delivered, Failed int
	LastError                  string
}

// Paused reports whether deliveries to the webhook are held.
func (w Webhook) Paused() bool { return !w.PausedAt.IsZero() }

// Wants reports whether the webhook subscribed to events of type t.
func (w Webhook) Wants(t Type) bool {
	for _, e := range w.Events {
		if e == t {
			return true
		}
	}
	return false
}

// secretPrefix marks a Standard Webhooks symmetric secret.
const secretPrefix = "whsec_"

// NewSecret makes a signing secret in Standard Webhooks form: whsec_ and the
// base64 of 32 random bytes.
func NewSecret() (string, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return "", err
	}
	return secretPrefix + base64.StdEncoding.EncodeToString(key), nil
}

// SecretKey is the HMAC key of a whsec_ secret: its decoded bytes.
func SecretKey(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, secretPrefix))
	if err != nil || len(key) < 24 || len(key) > 64 {
		return nil, errors.New("webhook secret: not a whsec_ secret of 24 to 64 bytes")
	}
	return key, nil
}

// Sign is the webhook-signature header of a delivery: v1, and the base64 of
// HMAC-SHA256 over "id.timestamp.body" keyed with the secret's bytes.
func Sign(secret, id string, at time.Time, body []byte) (string, error) {
	key, err := SecretKey(secret)
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(at.Unix(), 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// Registration is what an administrator asks for: an agency's endpoint and
// the events it wants.
type Registration struct {
	Agency string
	URL    string
	Events []string
}

// URLRules says which webhook URLs the hub accepts.
type URLRules struct {
	// LoopbackHTTP allows http:// to a loopback address: only while the
	// development identity provider is on.
	LoopbackHTTP bool
}

// Validate checks a registration whole against the agencies the hub knows
// (known) and returns the event types, or a 422 naming each bad field. Its
// messages never repeat the URL, which may carry a token of the partner's.
func (r Registration) Validate(known func(string) bool, rules URLRules) ([]Type, *problem.Error) {
	fields := map[string]string{}
	if r.Agency == "" {
		fields["agency"] = "name the agency whose system the webhook belongs to"
	} else if !known(r.Agency) {
		fields["agency"] = "not an agency the hub knows"
	}
	if msg := CheckURL(r.URL, rules); msg != "" {
		fields["url"] = msg
	}
	var types []Type
	if len(r.Events) == 0 {
		fields["events"] = "choose at least one event"
	}
	for i, name := range r.Events {
		t, ok := ParseType(name)
		if !ok {
			fields["events["+strconv.Itoa(i)+"]"] = "not an event type of the hub"
			continue
		}
		for _, seen := range types {
			if seen == t {
				fields["events["+strconv.Itoa(i)+"]"] = "named twice"
			}
		}
		types = append(types, t)
	}
	if len(fields) > 0 {
		return nil, problem.Fields(fields)
	}
	return types, nil
}

// CheckURL says what is wrong with a webhook URL, or "" when it may be used:
// an absolute https URL without user information or fragment, or http to a
// loopback address when rules allow it.
func CheckURL(raw string, rules URLRules) string {
	if len(raw) > 2000 {
		return "the URL is too long"
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return "give an absolute https:// URL"
	}
	if u.User != nil {
		return "the URL must not carry a user name or password"
	}
	if u.Fragment != "" {
		return "the URL must not have a #fragment"
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		if rules.LoopbackHTTP && isLoopbackHost(u.Hostname()) {
			return ""
		}
		return "the URL must be https:// (http:// only to a loopback address while development sign-in is on)"
	}
	return "give an absolute https:// URL"
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
