package web

import (
	"context"
	"strings"
	"time"

	"github.com/stalking-hub/hub/internal/sharing"
)

// ruleLabels are the release rules in words, for the audit pages.
var ruleLabels = map[string]string{
	sharing.RuleOriginatingForce: "The force that raised it sees it all",
	sharing.RuleAuditor:          "Auditors see who saw what, not the content",
	sharing.RuleCoordinator:      "The MARAC coordinator sees the case, not its content",
	sharing.RuleMinimumNecessary: "Outside the sharing agreement: never shared",
	sharing.RuleAgreement:        "The sharing agreement allows it without consent",
	sharing.RuleConsent:          "The victim's consent covers it",
	sharing.RuleOverride:         "An approved request to share without consent",
	sharing.RuleConsentRequired:  "Needs consent, and there is none",
	sharing.RuleSafeContact:      "Safe contact travels with identity and contact details",
}

// ruleWords is a rule in words; a sharing agreement's own rule (without
// consent) is named by its id made readable.
func ruleWords(rules []string) []string {
	out := make([]string, 0, len(rules))
	for _, r := range rules {
		if l, ok := ruleLabels[r]; ok {
			out = append(out, l)
			continue
		}
		out = append(out, "Agreement rule: "+strings.ReplaceAll(r, "_", " "))
	}
	return out
}

// personName is the name of the person behind subject as known at the time
// (the name they last signed in under by then), or the last part of the
// subject for someone the hub has never seen sign in. An empty subject
// stays empty.
func (s *Server) personName(subject string, at time.Time) string {
	if subject == "" {
		return ""
	}
	name, err := s.DB.PersonName(context.Background(), subject, at)
	if err != nil || name == "" {
		return personOf(subject)
	}
	return name
}
