package report

import (
	"testing"

	"github.com/stalking-hub/hub/internal/referral"
)

// A decline's or an outcome's code reads in a table as the officer's form
// words it; "other" keeps the one word every table shares.
func TestCodeLabels(t *testing.T) {
	cases := []struct{ code, want string }{
		{"out_of_area", "Outside our area"},
		{"victim_declined", "The victim declined our service"},
		{"no_safe_contact", "We could not make safe contact"},
		{"safety_measures", "Safety measures put in place"},
		{"referred_on", "Referred on to another service"},
		{"other", "Other"},
		{"stalking", "Stalking (s2A)"},
		{"", "Not coded"},
		{"made_up_code", "made up code"},
	}
	for _, c := range cases {
		if got := Label(c.code); got != c.want {
			t.Errorf("Label(%q) = %q, want %q", c.code, got, c.want)
		}
	}
	for _, cs := range []referral.Codes{referral.DeclineReasons, referral.ClosingOutcomes} {
		for _, c := range cs {
			if c.Code != "other" && Label(c.Code) != c.Label {
				t.Errorf("Label(%q) = %q, want referral's %q", c.Code, Label(c.Code), c.Label)
			}
		}
	}
	if len(DeclineCodes) != len(referral.DeclineReasons) || DeclineCodes[0] != "out_of_area" || OutcomeCodes[0] != "support_provided" {
		t.Errorf("codes in order: %v %v", DeclineCodes, OutcomeCodes)
	}
}
