package report

import "github.com/stalking-hub/hub/internal/vocab"

// Tables lays the figures out as the tables of the outcomes page, in the
// page's order. agencyName gives an agency's name for its id.
func Tables(f Figures, agencyName func(string) string) []Table {
	return []Table{
		monthTable("referrals-by-risk", "Referrals raised each month, by risk level", vocab.RiskLevels, f.Referrals.ByRisk,
			f.Referrals, func(m Month) map[string]int { return m.ByRisk }, true, StackedBars),
		monthTable("referrals-by-offence", "Referrals raised each month, by offence", vocab.Offences, f.Referrals.ByOffence,
			f.Referrals, func(m Month) map[string]int { return m.ByOffence }, true, StackedBars),
		monthTable("referrals-by-factor", "Referrals raised each month, by aggravating factor", vocab.AggravatingFactors, f.Referrals.ByFactor,
			f.Referrals, func(m Month) map[string]int { return m.ByFactor }, false, Lines),
		strandTable(f.Referrals),
		responsesTable(f.Agencies, agencyName),
		responseTimesTable(f.Agencies, agencyName),
		acceptanceTimesTable(f.Agencies, agencyName),
		codeTable("decline-reasons", "Declines, by agency and reason", "Agency and reason", "Declined", f.DeclineReasons, vocab.DeclineReasons, agencyName),
		codeTable("closing-outcomes", "Closed shares, by agency and outcome", "Agency and outcome", "Closed", f.Outcomes, vocab.ClosingOutcomes, agencyName),
		statusTable(f.Agencies, agencyName),
		consentTable(f.Consent),
		overridesTable(f.Overrides),
		patternsTable(f.Patterns),
		maracTable(f.MARAC),
		maracActionsTable(f.MARAC, agencyName),
		justiceOutcomesTable(f.CriminalJustice),
		justiceByOffenceTable(f.CriminalJustice),
		timeToOutcomeTable(f.CriminalJustice),
		victimsCodeTable(f.CriminalJustice, f.Referrals.Total),
		equalityTable(f),
	}
}

// TableByID finds one of the page's tables by its id.
func TableByID(f Figures, agencyName func(string) string, id string) (Table, bool) {
	for _, t := range Tables(f, agencyName) {
		if t.ID == id {
			return t, true
		}
	}
	return Table{}, false
}

// monthTable is one row a month and a column per code of the vocabulary,
// with a total column when the codes split the referrals and a total row at
// the foot.
func monthTable(id, caption string, known vocab.List, totals map[string]int, r Referrals, of func(Month) map[string]int, split bool, kind ChartKind) Table {
	codes := ordered(known.Values(), totals)
	t := Table{ID: id, Caption: caption, RowHeader: "Month", Chart: Chart{Kind: kind}}
	for i, c := range codes {
		t.Columns = append(t.Columns, Column{Name: known.Words(c)})
		t.Chart.Series = append(t.Chart.Series, i)
	}
	if split {
		t.Columns = append(t.Columns, Column{Name: "All referrals"})
	}
	row := func(label string, m map[string]int, total int, isTotal bool) Row {
		out := Row{Label: label, Total: isTotal}
		for _, c := range codes {
			out.Cells = append(out.Cells, count(m[c]))
		}
		if split {
			out.Cells = append(out.Cells, count(total))
		}
		return out
	}
	for _, m := range r.Months {
		t.Rows = append(t.Rows, row(m.Month, of(m), m.Total, false))
	}
	t.Rows = append(t.Rows, row("Total", totals, r.Total, true))
	return t
}

func strandTable(r Referrals) Table {
	t := Table{ID: "hate-crime-strands", Caption: "Hate crime referrals, by strand", RowHeader: "Strand",
		Columns: []Column{{Name: "Referrals"}}, Chart: Chart{Kind: Bars, Series: []int{0}}}
	for _, s := range ordered(Strands, r.ByStrand) {
		t.Rows = append(t.Rows, Row{Label: vocab.HateCrimeStrands.Words(s), Cells: []Cell{count(r.ByStrand[s])}})
	}
	return t
}

func responsesTable(as []AgencyFigures, name func(string) string) Table {
	t := Table{ID: "agency-responses", Caption: "Referrals shared with each agency, and its answers", RowHeader: "Agency",
		Columns: []Column{{Name: "Received"}, {Name: "Accepted"}, {Name: "Acceptance rate", Unit: Percent}, {Name: "Declined"},
			{Name: "Decline rate", Unit: Percent}, {Name: "Awaiting an answer"}, {Name: "Closed"}},
		Chart: Chart{Kind: StackedBars, Series: []int{1, 3, 5}}}
	for _, a := range as {
		t.Rows = append(t.Rows, Row{Label: name(a.Agency), Cells: []Cell{count(a.Received), count(a.Accepted), rate(a.Accepted, a.Received),
			count(a.Declined), rate(a.Declined, a.Received), count(a.Awaiting), count(a.Closed)}})
	}
	return t
}

func responseTimesTable(as []AgencyFigures, name func(string) string) Table {
	t := Table{ID: "agency-response-times", Caption: "How fast each agency answered", RowHeader: "Agency",
		Columns: []Column{{Name: "Answered"}, {Name: "Median", Unit: Hours}, {Name: "90th percentile", Unit: Hours},
			{Name: "Answered within the response time"}, {Name: "Overdue, no answer"}, {Name: "Within the response time", Unit: Percent}},
		Chart: Chart{Kind: Bars, Series: []int{1, 2}}}
	for _, a := range as {
		within, ok := a.ResponseRate()
		t.Rows = append(t.Rows, Row{Label: name(a.Agency), Cells: []Cell{count(a.Answered), hours(a.FirstResponse.MedianHours), hours(a.FirstResponse.P90Hours),
			count(a.WithinResponseTime), count(a.Overdue), {Value: within, OK: ok}}})
	}
	return t
}

func acceptanceTimesTable(as []AgencyFigures, name func(string) string) Table {
	t := Table{ID: "agency-acceptance-times", Caption: "How fast each agency accepted", RowHeader: "Agency",
		Columns: []Column{{Name: "Accepted"}, {Name: "Median", Unit: Hours}, {Name: "90th percentile", Unit: Hours},
			{Name: "Accepted within the response time", Unit: Percent}},
		Chart: Chart{Kind: Bars, Series: []int{1, 2}}}
	for _, a := range as {
		t.Rows = append(t.Rows, Row{Label: name(a.Agency), Cells: []Cell{count(a.Accepted), hours(a.Acceptance.MedianHours), hours(a.Acceptance.P90Hours),
			rate(a.AcceptedWithinResponseTime, a.Accepted)}})
	}
	return t
}

// codeTable is one row for each agency and code of list, and one column of counts.
func codeTable(id, caption, rowHeader, column string, cs []CodeCount, list vocab.List, name func(string) string) Table {
	t := Table{ID: id, Caption: caption, RowHeader: rowHeader, Columns: []Column{{Name: column}}, Chart: Chart{Kind: Bars, Series: []int{0}}}
	for _, c := range cs {
		t.Rows = append(t.Rows, Row{Label: name(c.Agency) + ": " + codeWords(list, c.Code), Cells: []Cell{count(c.Count)}})
	}
	return t
}

func statusTable(as []AgencyFigures, name func(string) string) Table {
	all := map[string]int{}
	for _, a := range as {
		for s, n := range a.Statuses {
			all[s] += n
		}
	}
	codes := ordered(ShareStatuses, all)
	t := Table{ID: "agency-outcomes", Caption: "Where each agency's shares stand now", RowHeader: "Agency", Chart: Chart{Kind: StackedBars}}
	for i, s := range codes {
		t.Columns = append(t.Columns, Column{Name: vocab.ShareStatuses.Words(s)})
		t.Chart.Series = append(t.Chart.Series, i)
	}
	for _, a := range as {
		r := Row{Label: name(a.Agency)}
		for _, s := range codes {
			r.Cells = append(r.Cells, count(a.Statuses[s]))
		}
		t.Rows = append(t.Rows, r)
	}
	return t
}

func consentTable(c Consent) Table {
	t := Table{ID: "consent", Caption: "Consent: the latest decision on each referral", RowHeader: "Decision",
		Columns: []Column{{Name: "Referrals"}, {Name: "Share of referrals", Unit: Percent}}, Chart: Chart{Kind: Bars, Series: []int{0}}}
	for _, d := range ordered(ConsentDecisions, c.ByDecision) {
		t.Rows = append(t.Rows, Row{Label: consentWords.Words(d), Cells: []Cell{count(c.ByDecision[d]), rate(c.ByDecision[d], c.Referrals)}})
	}
	return t
}

func overridesTable(os []OverrideBasis) Table {
	t := Table{ID: "overrides", Caption: "Requests to share without consent, by lawful basis", RowHeader: "Lawful basis",
		Columns: []Column{{Name: "Asked for"}, {Name: "Approved"}, {Name: "Refused"}, {Name: "Waiting for a decision"}, {Name: "Approval rate", Unit: Percent}},
		Chart:   Chart{Kind: StackedBars, Series: []int{1, 2, 3}}}
	var total OverrideBasis
	for _, o := range os {
		t.Rows = append(t.Rows, overrideRow(vocab.LawfulBases.Words(o.Basis), o, false))
		total.Requested += o.Requested
		total.Approved += o.Approved
		total.Refused += o.Refused
		total.Pending += o.Pending
	}
	t.Rows = append(t.Rows, overrideRow("Total", total, true))
	return t
}

// overrideRow's approval rate is of the requests decided.
func overrideRow(label string, o OverrideBasis, total bool) Row {
	return Row{Label: label, Total: total, Cells: []Cell{count(o.Requested), count(o.Approved), count(o.Refused), count(o.Pending),
		rate(o.Approved, o.Approved+o.Refused)}}
}

func patternsTable(p Patterns) Table {
	t := Table{ID: "patterns", Caption: "Repeat victims and linked referrals", RowHeader: "Pattern",
		Columns: []Column{{Name: "Referrals"}, {Name: "Share of referrals", Unit: Percent}}, Chart: Chart{Kind: Bars, Series: []int{0}}}
	for _, x := range []struct {
		label string
		n     int
	}{
		{"Repeat victim", p.RepeatVictim},
		{"Repeat suspect", p.RepeatSuspect},
		{"Linked to another referral", p.Linked},
		{"Linked through the victim", p.LinkedViaVictim},
		{"Linked through the suspect", p.LinkedViaSuspect},
	} {
		t.Rows = append(t.Rows, Row{Label: x.label, Cells: []Cell{count(x.n), rate(x.n, p.Referrals)}})
	}
	return t
}

func maracTable(m MARAC) Table {
	t := Table{ID: "marac", Caption: "MARAC cases heard and actions agreed", RowHeader: "Figure",
		Columns: []Column{{Name: "Number"}, {Name: "Share", Unit: Percent}}}
	a := m.ActionCounts
	for _, x := range []struct {
		label string
		n, of int
	}{
		{"Cases heard", m.Cases, m.Cases},
		{"Repeat cases", m.RepeatCases, m.Cases},
		{"Actions agreed", a.Actions, a.Actions},
		{"Actions completed on time", a.DoneOnTime, a.Actions},
		{"Actions completed late", a.DoneLate, a.Actions},
		{"Actions open", a.Open, a.Actions},
		{"Actions overdue", a.Overdue, a.Actions},
		{"Actions not possible", a.NotPossible, a.Actions},
		{"Actions not done", a.NotDone, a.Actions},
	} {
		t.Rows = append(t.Rows, Row{Label: x.label, Cells: []Cell{count(x.n), rate(x.n, x.of)}})
	}
	return t
}

func maracActionsTable(m MARAC, name func(string) string) Table {
	t := Table{ID: "marac-actions", Caption: "MARAC actions, by owning agency", RowHeader: "Agency",
		Columns: []Column{{Name: "Actions"}, {Name: "Completed on time"}, {Name: "Completed late"}, {Name: "Open, not yet due"},
			{Name: "Overdue"}, {Name: "Not possible"}, {Name: "Not done"}},
		Chart: Chart{Kind: StackedBars, Series: []int{1, 2, 3, 4, 5, 6}}}
	row := func(label string, a ActionCounts, total bool) Row {
		return Row{Label: label, Total: total, Cells: []Cell{count(a.Actions), count(a.DoneOnTime), count(a.DoneLate), count(a.Open - a.Overdue),
			count(a.Overdue), count(a.NotPossible), count(a.NotDone)}}
	}
	for _, a := range m.ByAgency {
		t.Rows = append(t.Rows, row(name(a.Agency), a.ActionCounts, false))
	}
	t.Rows = append(t.Rows, row("Total", m.ActionCounts, true))
	return t
}
