package web

import (
	"slices"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/vocab"
)

// The MARAC queue as the coordinator works it: the riskiest first, then the
// cases meeting the most criteria, then the oldest; each value in words;
// each referral one click from being put on the next meeting under a
// criterion it meets.

// criterionLabel is a MARAC criterion in words.
func criterionLabel(c marac.Criterion) string { return vocab.MARACCriteria.Words(string(c)) }

// queueRow is a referral waiting for a meeting, in words.
type queueRow struct {
	marac.QueueEntry
	RiskLabel, RiskTag string
	OffenceLabel       string
	Sent               string
	CriteriaLabels     []string
	Add                string // the next meeting's page with the referral chosen, or ""
}

// sortQueue puts the riskiest first, then those meeting the most criteria,
// then the oldest.
func sortQueue(q []marac.QueueEntry) {
	sort.SliceStable(q, func(i, j int) bool {
		a, b := q[i], q[j]
		if a.Risk.Rank() != b.Risk.Rank() {
			return a.Risk.Rank() > b.Risk.Rank()
		}
		if len(a.Criteria) != len(b.Criteria) {
			return len(a.Criteria) > len(b.Criteria)
		}
		return a.SentAt.Before(b.SentAt)
	})
}

// queueRows lays out the queue, each row leading to the meeting next.
func queueRows(q []marac.QueueEntry, next string) []queueRow {
	sortQueue(q)
	out := make([]queueRow, 0, len(q))
	for _, e := range q {
		r := queueRow{QueueEntry: e, RiskLabel: labelOf(riskLevelChoices, string(e.Risk)), RiskTag: riskTag(string(e.Risk)),
			OffenceLabel: labelOf(offenceChoices, e.Offence), Sent: dayText(e.SentAt)}
		for _, c := range e.Criteria {
			r.CriteriaLabels = append(r.CriteriaLabels, criterionLabel(c))
		}
		if next != "" {
			r.Add = "/marac/meetings/" + next + "?referral=" + e.ReferralID + "#add-case"
		}
		out = append(out, r)
	}
	return out
}

// searchQueue keeps the entries a search finds by reference; the
// coordinator sees no referral's content, so a name or crime reference
// finds nothing (deny by default).
func (s *Server) searchQueue(c echo.Context, q []marac.QueueEntry, term string) ([]marac.QueueEntry, error) {
	ids, err := s.searchIDs(c, term, agency.MARAC)
	if err != nil {
		return nil, err
	}
	var out []marac.QueueEntry
	for _, e := range q {
		if slices.Contains(ids, e.ReferralID) {
			out = append(out, e)
		}
	}
	return out, nil
}

// criteriaFor are the criteria a referral may be heard under: those it
// meets, and professional judgement (with its note) always.
func criteriaFor(q []marac.QueueEntry, referralID string) []marac.Criterion {
	for _, e := range q {
		if e.ReferralID == referralID {
			out := slices.Clone(e.Criteria)
			if !slices.Contains(out, marac.ProfessionalJudgement) {
				out = append(out, marac.ProfessionalJudgement)
			}
			return out
		}
	}
	return marac.Criteria
}

// checkCriterion refuses a criterion the referral does not meet, unless it
// is professional judgement, which the note explains.
func (s *Server) checkCriterion(c echo.Context, m marac.Meeting, cs marac.Case) error {
	if cs.Criterion == marac.ProfessionalJudgement {
		return nil
	}
	pn, ok := s.panel(m.Panel)
	if !ok {
		return nil
	}
	q, err := s.DB.Queue(c.Request().Context(), pn.EscalationIncidents)
	if err != nil {
		return err
	}
	for _, e := range q {
		if e.ReferralID == cs.ReferralID {
			if slices.Contains(e.Criteria, cs.Criterion) {
				return nil
			}
			return criterionRefused(cs.Criterion)
		}
	}
	// Not waiting: unknown, a draft, or on an agenda already; the store
	// says which. A referral that is none of these meets no criterion.
	ctx := c.Request().Context()
	refs, err := s.DB.References(ctx, []string{cs.ReferralID})
	if err != nil || refs[cs.ReferralID] == "" {
		return err
	}
	listed, err := s.DB.CaseOnMARAC(ctx, cs.ReferralID)
	if err != nil || listed {
		return err
	}
	r, err := s.DB.Referral(ctx, cs.ReferralID)
	if err != nil || r.Meta.State != referral.Open {
		return err
	}
	return criterionRefused(cs.Criterion)
}

// criterionRefused says the referral does not meet the criterion.
func criterionRefused(c marac.Criterion) error {
	return problem.Invalidf("criterion", "The referral does not meet the criterion %s: choose one it meets, or professional judgement and say why in the note", strings.ToLower(criterionLabel(c)))
}

// queueSearch is the term the queue was searched by, opened from its
// sealed form in the address, and that form.
func (s *Server) queueSearch(c echo.Context) (string, string) {
	tok := c.QueryParam("search")
	if tok == "" {
		return "", ""
	}
	term, ok := s.openSearch(principal(c).Subject, tok)
	if !ok {
		return "", ""
	}
	return term, tok
}

// actionStatusLabel is the state of an action in words.
func actionStatusLabel(s marac.ActionStatus) string {
	return vocab.MARACActionStatuses.Words(string(s))
}

// wordedRows lays out a released category in words, as the referral's own
// page does (dates and codes spelt out); a section that page cannot read is
// flattened field by field instead.
func wordedRows(c category.Category, b []byte) []releasedRow {
	rows, err := sectionRows(c, b)
	if err != nil || len(rows) == 0 {
		return contentRows(b, itemNoun(c))
	}
	out := make([]releasedRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, releasedRow{Label: r.Key, Value: strings.Join(r.Values, "; ")})
	}
	return out
}
