package marac

import (
	"time"

	"github.com/stalking-hub/hub/internal/risk"
)

// EligibilityInput is what the MARAC criteria weigh of one referral. It is
// metadata only: no personal data decides eligibility.
type EligibilityInput struct {
	RiskTool  risk.Tool
	RiskScore *int // nil when the officer gave no score
	// Incidents is the number of incidents so far; FirstIncident and
	// LastIncident their dates, zero when not given.
	Incidents                   int
	FirstIncident, LastIncident time.Time
	// Concern is true when the officer stated a professional-judgement
	// concern (the referral form's MARAC concern).
	Concern bool
	// LastCase is the date of the latest meeting, on or before the referral,
	// at which the same victim and suspect had a case; zero if none.
	LastCase time.Time
	// EscalationIncidents is the panel's threshold (config.Panel, 3 unless
	// the panel sets its own). Below 1 there is no threshold and the
	// criterion is never met.
	EscalationIncidents int
}

// Eligible returns the criteria a referral meets, in the order of Criteria;
// none means it does not go to MARAC. now is when the referral was made: the
// store passes the time it was sent, so that a referral's criteria do not
// change while it waits in the coordinator's queue.
//
//   - visible_high_risk: a DASH score of risk.VisibleHighRisk (14) or more.
//     Only a DASH score counts (S-DASH and SASH scores are other scales), and
//     the level plays no part: judgement may raise a level, never lower a
//     DASH score, and a high level by judgement reaches MARAC through the
//     officer's stated concern.
//   - professional_judgement: the officer stated a concern.
//   - potential_escalation: "N incidents in 12 months", read from the count,
//     first and last dates a referral records: at least N incidents and the
//     last no more than 12 calendar months after the first (a span of exactly
//     12 months counts). Without both dates the span is unknown and the
//     criterion is not met; the officer's concern remains the route.
//   - repeat: the same victim and suspect had a case at a meeting no more
//     than 12 months before now (exactly 12 months counts). After that it is
//     a new case, not a repeat.
func Eligible(in EligibilityInput, now time.Time) []Criterion {
	var out []Criterion
	if in.RiskTool == risk.DASH && in.RiskScore != nil && *in.RiskScore >= risk.VisibleHighRisk {
		out = append(out, VisibleHighRisk)
	}
	if in.Concern {
		out = append(out, ProfessionalJudgement)
	}
	if n := in.EscalationIncidents; n >= 1 && in.Incidents >= n && !in.FirstIncident.IsZero() && !in.LastIncident.IsZero() &&
		!in.LastIncident.Before(in.FirstIncident) && withinYear(in.FirstIncident, in.LastIncident) {
		out = append(out, PotentialEscalation)
	}
	if !in.LastCase.IsZero() && !day(now).Before(in.LastCase) && withinYear(in.LastCase, now) {
		out = append(out, Repeat)
	}
	return out
}

// RepeatCase reports whether a case at a meeting on date is a repeat: the
// same victim and suspect had a case at a meeting on last, no more than 12
// months before (exactly 12 months counts). last is zero when they had none.
func RepeatCase(last, date time.Time) bool {
	return !last.IsZero() && day(last).Before(day(date)) && withinYear(last, date)
}
