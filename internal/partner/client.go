package partner

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ClientRules guard the one outbound call the hub makes to addresses that
// people type in.
type ClientRules struct {
	// AllowLoopback lets deliveries reach loopback addresses: only while the
	// development identity provider is on.
	AllowLoopback bool
	// AllowPrivate lets deliveries reach private, link-local and other
	// non-public addresses (a partner's system on the same private network);
	// off unless configured.
	AllowPrivate bool
	// Timeout bounds one delivery, from dialling to the end of the answer.
	Timeout time.Duration
}

// ErrAddressRefused is the error of a delivery to an address the rules forbid.
var ErrAddressRefused = errors.New("the webhook's address is private or loopback, which this hub does not call")

// NewClient returns the HTTP client deliveries go through. It follows no
// redirect (a 3xx answer is a failure: the partner should update the URL),
// uses no proxy from the environment, and checks every address it connects
// to after the name is resolved, so a name that resolves to an internal
// address is refused as the address itself would be.
func NewClient(r ClientRules) *http.Client {
	if r.Timeout <= 0 {
		r.Timeout = 15 * time.Second
	}
	dialer := &net.Dialer{
		Timeout: 5 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("webhook address %q: %w", address, err)
			}
			if !r.allowed(ap.Addr()) {
				return ErrAddressRefused
			}
			return nil
		},
	}
	transport := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		TLSHandshakeTimeout:    5 * time.Second,
		ResponseHeaderTimeout:  r.Timeout,
		MaxIdleConns:           10,
		IdleConnTimeout:        30 * time.Second,
		MaxResponseHeaderBytes: 16 << 10,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   r.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// allowed says whether the rules let a delivery connect to addr.
func (r ClientRules) allowed(addr netip.Addr) bool {
	addr = addr.Unmap()
	switch {
	case addr.IsLoopback():
		return r.AllowLoopback || r.AllowPrivate
	case publicAddr(addr):
		return true
	}
	return r.AllowPrivate
}

// sharedAddressSpace is 100.64.0.0/10 (RFC 6598), which carriers and cloud
// platforms use inside their own networks.
var sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")

// publicAddr reports whether addr is an ordinary address on the internet.
func publicAddr(addr netip.Addr) bool {
	return addr.IsGlobalUnicast() && !addr.IsPrivate() && !sharedAddressSpace.Contains(addr) &&
		!addr.IsLinkLocalUnicast() && !addr.IsLoopback() && !addr.IsUnspecified() && !addr.IsMulticast()
}
