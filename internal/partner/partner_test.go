package partner_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/partner"
)

// verify is what a partner writes, from the Standard Webhooks specification
// alone: HMAC-SHA256 over "id.timestamp.body" with the decoded secret.
func verify(secret, id, ts string, body []byte, header string) bool {
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Fields(header) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return true
		}
	}
	return false
}

func TestSignVerifies(t *testing.T) {
	secret, err := partner.NewSecret()
	if err != nil || !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q (%v)", secret, err)
	}
	if key, err := partner.SecretKey(secret); err != nil || len(key) != 32 {
		t.Fatalf("key of %d bytes (%v)", len(key), err)
	}
	at := time.Unix(1674087231, 0)
	body := []byte(`{"type":"share.created"}`)
	sig, err := partner.Sign(secret, "msg_1", at, body)
	if err != nil {
		t.Fatal(err)
	}
	if !verify(secret, "msg_1", "1674087231", body, sig) {
		t.Fatalf("signature %s does not verify", sig)
	}
	if verify(secret, "msg_1", "1674087231", []byte(`{"type":"share.createdX"}`), sig) || verify(secret, "msg_2", "1674087231", body, sig) {
		t.Fatal("the signature does not cover the body and the id")
	}
	if _, err := partner.Sign("whsec_c2hvcnQ=", "msg_1", at, body); err == nil {
		t.Fatal("signed with a 5-byte key")
	}
}

func TestCheckURL(t *testing.T) {
	dev, prod := partner.URLRules{LoopbackHTTP: true}, partner.URLRules{}
	for _, c := range []struct {
		url       string
		rules     partner.URLRules
		wantError bool
	}{
		{"https://cases.example.gov.uk/hub", prod, false},
		{"http://cases.example.gov.uk/hub", prod, true},
		{"http://cases.example.gov.uk/hub", dev, true},
		{"http://127.0.0.1:9000/hub", prod, true},
		{"http://127.0.0.1:9000/hub", dev, false},
		{"http://localhost:9000/hub", dev, false},
		{"http://[::1]:9000/hub", dev, false},
		{"https://user:pw@cases.example.gov.uk/", prod, true},
		{"https://cases.example.gov.uk/#frag", prod, true},
		{"ftp://cases.example.gov.uk/", prod, true},
		{"/relative", prod, true},
		{"", prod, true},
	} {
		if got := partner.CheckURL(c.url, c.rules) != ""; got != c.wantError {
			t.Errorf("%s with %+v: error %v, want %v", c.url, c.rules, got, c.wantError)
		}
	}
}

// The guarded client refuses loopback and private addresses unless allowed,
// checking the address it connects to, and follows no redirect.
func TestClientGuard(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	post := func(c *http.Client, path string) (*http.Response, error) {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+path, strings.NewReader("{}"))
		return c.Do(req)
	}
	if _, err := post(partner.NewClient(partner.ClientRules{}), "/"); !errors.Is(err, partner.ErrAddressRefused) {
		t.Fatalf("production client reached loopback: %v", err)
	}
	if hits != 0 {
		t.Fatal("the refused request arrived")
	}
	dev := partner.NewClient(partner.ClientRules{AllowLoopback: true, Timeout: 5 * time.Second})
	res, err := post(dev, "/moved")
	if err != nil || res.StatusCode != http.StatusTemporaryRedirect || hits != 1 {
		t.Fatalf("redirect: %v %v after %d requests", res, err, hits)
	}
	res.Body.Close()
	for addr, want := range map[string]bool{"10.1.2.3": false, "192.168.0.1": false, "169.254.169.254": false, "100.64.0.1": false,
		"fd00::1": false, "127.0.0.1": false, "0.0.0.0": false, "81.2.69.160": true, "2a00:1450::1": true} {
		if got := partner.AllowedForTest(partner.ClientRules{}, netip.MustParseAddr(addr)); got != want {
			t.Errorf("%s allowed %v, want %v", addr, got, want)
		}
		if !partner.AllowedForTest(partner.ClientRules{AllowPrivate: true}, netip.MustParseAddr(addr)) {
			t.Errorf("%s refused with allow_private_networks", addr)
		}
	}
}

// The first three attempts fall within 60 seconds; later ones back off to
// an hour apart, and retries go on for at least 24 hours before giving up.
func TestRetrySchedule(t *testing.T) {
	var at time.Duration
	for attempt := 1; attempt <= 2; attempt++ {
		at += partner.RetryWait(attempt)
	}
	if at > time.Minute {
		t.Fatalf("the third attempt starts %s after the first", at)
	}
	for attempt := 1; attempt < 100; attempt++ {
		w := partner.RetryWait(attempt)
		if w > time.Hour || w < partner.RetryWait(max(attempt-1, 1)) {
			t.Fatalf("wait after attempt %d is %s", attempt, w)
		}
	}
}
