package partner

import "net/netip"

// AllowedForTest exposes the address rule to the tests.
func AllowedForTest(r ClientRules, addr netip.Addr) bool { return r.allowed(addr) }
