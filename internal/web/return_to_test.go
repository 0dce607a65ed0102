package web

import (
	"strings"
	"testing"
)

// A return address stays on the site however a browser would read it.
func TestSafeReturn(t *testing.T) {
	cases := []struct{ in, want string }{
		{"/referrals?status=sent", "/referrals?status=sent"},
		{"/", "/"},
		{"", "/"},
		{"/\t/evil.example", "/"}, // return_to=/%09/evil.example: browsers drop the tab
		{"/\r\n/evil.example", "/"},
		{"/\n\\evil.example", "/"},
		{"//evil", "/"},
		{"/\\evil", "/"},
		{"https://evil", "/"},
		{"evil", "/"},
		{"javascript:alert(1)", "/"},
		{"/ok\tpath", "/okpath"},
		{"/a\x00b", "/"},
		{"/" + strings.Repeat("a", 2047), "/" + strings.Repeat("a", 2047)},
		{"/" + strings.Repeat("a", 2048), "/"},
	}
	for _, c := range cases {
		if got := safeReturn(c.in); got != c.want {
			t.Errorf("safeReturn(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
