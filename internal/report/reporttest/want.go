package reporttest

import "github.com/stalking-hub/hub/internal/report"

// Want is every figure of the fixture for Period at Now, all agencies,
// worked out by hand:
//
// Referrals raised in the period are R1 to R8 (R0 is before it, R9 at the
// first instant after it, R10 a draft): 8.
//
//	month    risk (std/med/high)  offences                         factors
//	2026-01  R2 / R3 / R1         s4A R1, s2 harassment R2,        DA R1, hate R1, FoV R3, tech R3
//	                              stalking R3 (23:00 on the 31st)
//	2026-02  R5 / R4 / R6         s4 R4, malicious R5, stalking R6 DA R4, hate R5, HBA R6, FoV R6
//	2026-03  -  / R8 / R7         breach R7, other R8              DA R7, hate R8, tech R8
//
// Hate-crime strands: disability R1, race and transgender R5 (two strands of
// one referral: each counts, the referral once among factors), religion R8.
//
// Shares, with each agency's response time (housing and victim support
// 48 h, health 240 h) and the hours after sending of each answer:
//
//	housing   R1 accepted 10 (closed), R2 declined 30, R4 accepted 20,
//	          R6 viewed only (due 2 March: overdue), R7 accepted 8 (closed)
//	          received 5, accepted 3, declined 1, awaiting 1, closed 2
//	          first answers 8 10 20 30: median 15, 90th 20 + 0.7 x 10 = 27;
//	          all 4 within 48 h; judged 4 + 1 overdue
//	          acceptances 8 10 20: median 10, 90th 10 + 0.8 x 10 = 18; 3 in time
//	victim-   R1 accepted 60, R3 declined 50, R5 accepted 2 (closed), R6 accepted 47
//	support   received 4, accepted 3, declined 1, awaiting 0, closed 1
//	          first answers 2 47 50 60: median 48.5, 90th 50 + 0.7 x 10 = 57;
//	          within 48 h: 2 and 47
//	          acceptances 2 47 60: median 47, 90th 47 + 0.8 x 13 = 57.4; 2 in time
//	health    R3 accepted 4 (in progress), R4 no answer (due 13 February:
//	          overdue), R6 declined 12, R8 no answer (due 10 April 23:30:
//	          not yet judged)
//	          received 4, accepted 1, declined 1, awaiting 2, closed 0
//	          first answers 4 12: median 8, 90th 4 + 0.9 x 8 = 11.2; both in time
//	          acceptance 4: median and 90th 4; in time
//
// Declines by reason: housing R2 out of area, victim support R3 the victim
// declined, health R6 not coded (R9's, coded no capacity, is after the
// period). Closes by outcome: housing R1 safety measures and R7 rehoused or
// moved, victim support R5 not coded; health closed none.
// Latest consent: given R1 R3 R6 R7, refused R2 R8, not sought R4,
// withdrawn R5 (given, then withdrawn).
//
// Requests to share without consent made in the period: R2
// safeguarding approved, R4 s115 approved (names housing and health), R5
// safeguarding refused, R8 vital interests pending (23:45 on the last day).
// R0's, in June 2025, is outside.
//
// Repeat victims: R1 (R0 in June 2025), R4 (R2), R7 (R1); R6 is not one,
// its earlier referral is a draft. Repeat suspects: R1 (R0), R5 (R3), R7
// (R1); R4's suspect comes back in R9, which is later. Confirmed links touch
// R1 R2 R3 R4 R5 R7: through the victim R1 R2 R4 R7, through the suspect R1
// R3 R5 R7; R8's link to R9 was rejected.
//
// MARAC meetings held in the period: 10 February (R1, repeat of R0's case
// in December; R3) and 20 March (R7, repeat of R1's; R6): 4 cases, 2
// repeats. Actions on them (due; state on 10 April):
//
//	R1 housing         20 Feb  done 18 Feb: on time
//	R1 victim-support  20 Feb  done 25 Feb: late
//	R3 health          1 Mar   not possible
//	R3 housing         1 Mar   open: overdue
//	R7 housing         30 Apr  open, not yet due
//	R7 idva            25 Mar  not done
//	R6 victim-support  30 Mar  done 30 Mar: on time (the due day counts)
//
// R0's open action (December's meeting) and R8's (April's) are outside.
func Want() report.Figures {
	equality, given := wantEquality(false)
	return report.Figures{
		Equality: equality, EqualityGiven: given,
		Period: Period,
		AsOf:   Now,
		Referrals: report.Referrals{
			Total:     8,
			ByRisk:    map[string]int{"standard": 2, "medium": 3, "high": 3},
			ByOffence: offences(1, 1, 2, 1, 1, 1, 1),
			ByFactor:  factors(3, 3, 1, 2, 2),
			ByStrand:  map[string]int{"race": 1, "religion": 1, "sexual_orientation": 0, "disability": 1, "transgender": 1, "other": 0},
			Months: []report.Month{
				{Month: "2026-01", Total: 3, ByRisk: risks(1, 1, 1), ByOffence: offences(1, 0, 1, 1, 0, 0, 0), ByFactor: factors(1, 1, 0, 1, 1)},
				{Month: "2026-02", Total: 3, ByRisk: risks(1, 1, 1), ByOffence: offences(0, 1, 1, 0, 1, 0, 0), ByFactor: factors(1, 1, 1, 1, 0)},
				{Month: "2026-03", Total: 2, ByRisk: risks(0, 1, 1), ByOffence: offences(0, 0, 0, 0, 0, 1, 1), ByFactor: factors(1, 1, 0, 0, 1)},
			},
		},
		Agencies: []report.AgencyFigures{
			{Agency: "health", Received: 4, Accepted: 1, Declined: 1, Awaiting: 2, Closed: 0, Statuses: statuses(2, 0, 0, 1, 1, 0),
				Answered: 2, WithinResponseTime: 2, Overdue: 1, AcceptedWithinResponseTime: 1,
				FirstResponse: durations(2, 8, 11.2), Acceptance: durations(1, 4, 4)},
			{Agency: "housing", Received: 5, Accepted: 3, Declined: 1, Awaiting: 1, Closed: 2, Statuses: statuses(0, 1, 1, 0, 1, 2),
				Answered: 4, WithinResponseTime: 4, Overdue: 1, AcceptedWithinResponseTime: 3,
				FirstResponse: durations(4, 15, 27), Acceptance: durations(3, 10, 18)},
			{Agency: "victim-support", Received: 4, Accepted: 3, Declined: 1, Awaiting: 0, Closed: 1, Statuses: statuses(0, 0, 2, 0, 1, 1),
				Answered: 4, WithinResponseTime: 2, Overdue: 0, AcceptedWithinResponseTime: 2,
				FirstResponse: durations(4, 48.5, 57), Acceptance: durations(3, 47, 57.4)},
		},
		DeclineReasons: []report.CodeCount{{Agency: "health", Count: 1}, {Agency: "housing", Code: "out_of_area", Count: 1}, {Agency: "victim-support", Code: "victim_declined", Count: 1}},
		Outcomes:       []report.CodeCount{{Agency: "housing", Code: "rehoused_or_moved", Count: 1}, {Agency: "housing", Code: "safety_measures", Count: 1}, {Agency: "victim-support", Count: 1}},
		Consent:        report.Consent{Referrals: 8, ByDecision: map[string]int{"given": 4, "refused": 2, "not_sought": 1, "withdrawn": 1, "none": 0}},
		Overrides: []report.OverrideBasis{
			{Basis: "crime_and_disorder_act_s115", Requested: 1, Approved: 1},
			{Basis: "dpa2018_sch8_safeguarding", Requested: 2, Approved: 1, Refused: 1},
			{Basis: "vital_interests", Requested: 1, Pending: 1},
		},
		Patterns: report.Patterns{Referrals: 8, RepeatVictim: 3, RepeatSuspect: 3, Linked: 6, LinkedViaVictim: 4, LinkedViaSuspect: 4},
		MARAC: report.MARAC{Cases: 4, RepeatCases: 2,
			ActionCounts: report.ActionCounts{Actions: 7, DoneOnTime: 2, DoneLate: 1, Open: 2, Overdue: 1, NotPossible: 1, NotDone: 1},
			ByAgency: []report.AgencyActions{
				{Agency: "health", ActionCounts: report.ActionCounts{Actions: 1, NotPossible: 1}},
				{Agency: "housing", ActionCounts: report.ActionCounts{Actions: 3, DoneOnTime: 1, Open: 2, Overdue: 1}},
				{Agency: "idva", ActionCounts: report.ActionCounts{Actions: 1, NotDone: 1}},
				{Agency: "victim-support", ActionCounts: report.ActionCounts{Actions: 2, DoneOnTime: 1, DoneLate: 1}},
			}},
		CriminalJustice: wantCriminalJustice(),
	}
}

// WantHealth is the fixture's figures narrowed to health, by hand: the
// referrals shared with it are R3 (medium), R4 (medium), R6 (high) and R8
// (medium), by month one, two and one; consent given R3 R6, not sought R4,
// refused R8; the requests that name health are R4's (approved) and R8's
// (pending); R4 is a repeat victim and no suspect repeats; R3 (through the
// suspect) and R4 (through the victim) are linked; the MARAC cases of
// referrals shared with health are R3 and R6, neither a repeat, and health
// owns one action, not possible.
func WantHealth() report.Figures {
	all := Want()
	equality, given := wantEquality(true)
	return report.Figures{
		Equality: equality, EqualityGiven: given,
		Period: Period,
		AsOf:   Now,
		Agency: "health",
		Referrals: report.Referrals{
			Total:     4,
			ByRisk:    risks(0, 3, 1),
			ByOffence: offences(0, 1, 2, 0, 0, 0, 1),
			ByFactor:  factors(1, 1, 1, 2, 2),
			ByStrand:  map[string]int{"race": 0, "religion": 1, "sexual_orientation": 0, "disability": 0, "transgender": 0, "other": 0},
			Months: []report.Month{
				{Month: "2026-01", Total: 1, ByRisk: risks(0, 1, 0), ByOffence: offences(0, 0, 1, 0, 0, 0, 0), ByFactor: factors(0, 0, 0, 1, 1)},
				{Month: "2026-02", Total: 2, ByRisk: risks(0, 1, 1), ByOffence: offences(0, 1, 1, 0, 0, 0, 0), ByFactor: factors(1, 0, 1, 1, 0)},
				{Month: "2026-03", Total: 1, ByRisk: risks(0, 1, 0), ByOffence: offences(0, 0, 0, 0, 0, 0, 1), ByFactor: factors(0, 1, 0, 0, 1)},
			},
		},
		Agencies:       all.Agencies[:1],
		DeclineReasons: all.DeclineReasons[:1],
		Outcomes:       []report.CodeCount{},
		Consent:        report.Consent{Referrals: 4, ByDecision: map[string]int{"given": 2, "refused": 1, "not_sought": 1, "withdrawn": 0, "none": 0}},
		Overrides: []report.OverrideBasis{
			{Basis: "crime_and_disorder_act_s115", Requested: 1, Approved: 1},
			{Basis: "vital_interests", Requested: 1, Pending: 1},
		},
		Patterns: report.Patterns{Referrals: 4, RepeatVictim: 1, Linked: 2, LinkedViaVictim: 1, LinkedViaSuspect: 1},
		MARAC: report.MARAC{Cases: 2, ActionCounts: report.ActionCounts{Actions: 1, NotPossible: 1},
			ByAgency: []report.AgencyActions{{Agency: "health", ActionCounts: report.ActionCounts{Actions: 1, NotPossible: 1}}}},
		CriminalJustice: wantCriminalJusticeHealth(),
	}
}

func risks(standard, medium, high int) map[string]int {
	return map[string]int{"standard": standard, "medium": medium, "high": high}
}

// offences in the order of report.Offences: s2, s4, s2A, s4A, malicious
// communications, breach of an order, other.
func offences(s2, s4, s2A, s4A, malicious, breach, other int) map[string]int {
	return map[string]int{"harassment": s2, "harassment_fear_of_violence": s4, "stalking": s2A, "stalking_fear_alarm_distress": s4A,
		"malicious_communications": malicious, "breach_of_order": breach, "other": other}
}

func factors(da, hate, hba, fov, tech int) map[string]int {
	return map[string]int{"domestic_abuse": da, "hate_crime": hate, "honour_based_abuse": hba, "fear_of_violence": fov, "technology_enabled": tech}
}

// statuses counts every share status; the fixture withdraws no share.
func statuses(sent, viewed, accepted, inProgress, declined, closed int) map[string]int {
	return map[string]int{"sent": sent, "viewed": viewed, "accepted": accepted, "in_progress": inProgress, "declined": declined, "closed": closed, "withdrawn": 0}
}

func durations(n int, median, p90 float64) report.Durations {
	return report.Durations{Count: n, MedianHours: &median, P90Hours: &p90}
}
