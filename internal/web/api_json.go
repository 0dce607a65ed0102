package web

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/sharing"
)

// The JSON encoders of the API. A referral is only ever encoded from a
// sharing.View: there is no encoder of referral.Referral.

type withheldJSON struct {
	Category category.Category `json:"category"`
	Reason   string            `json:"reason"`
}

type decisionJSON struct {
	Category category.Category `json:"category"`
	Shown    bool              `json:"shown"`
	Rule     string            `json:"rule"`
	Basis    string            `json:"basis,omitempty"`
	Reason   string            `json:"reason"`
}

// shareJSON is one share. The free texts go only to readers entitled to
// them; the reason and outcome codes are metadata, like the status, and go
// to every reader who sees the share.
type shareJSON struct {
	Agency      string     `json:"agency"`
	Status      string     `json:"status"`
	Request     string     `json:"request,omitempty"`
	Reason      string     `json:"reason,omitempty"`
	ReasonCode  string     `json:"reason_code,omitempty"`
	Outcome     string     `json:"outcome,omitempty"`
	OutcomeCode string     `json:"outcome_code,omitempty"`
	SentAt      time.Time  `json:"sent_at"`
	DueAt       time.Time  `json:"due_at"`
	Overdue     bool       `json:"overdue"`
	ViewedAt    *time.Time `json:"viewed_at,omitempty"`
	AnsweredAt  *time.Time `json:"answered_at,omitempty"`
	ClosedAt    *time.Time `json:"closed_at,omitempty"`
	ETag        string     `json:"etag"`
}

type releasedJSON struct {
	ID        string                                `json:"id"`
	Reference string                                `json:"reference"`
	Purpose   agency.Purpose                        `json:"purpose"`
	Offence   string                                `json:"offence"`
	Risk      string                                `json:"risk_level"`
	State     string                                `json:"state"`
	CreatedAt time.Time                             `json:"created_at"`
	SentAt    *time.Time                            `json:"sent_at,omitempty"`
	Sections  map[category.Category]json.RawMessage `json:"sections"`
	Withheld  []withheldJSON                        `json:"withheld"`
	Decisions []decisionJSON                        `json:"decisions"`
	Shares    []shareJSON                           `json:"shares"`
	// RiskHistory is every assessment of the risk, oldest first, when the
	// risk category is released; the risk section is the latest.
	RiskHistory []referral.RiskEntry `json:"risk_history,omitempty"`

	// For the force's readers only: victim_code and the outcome.
	*justiceJSON
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// shareJSONOf encodes a share; texts only for a reader entitled to them.
func shareJSONOf(sh referral.Share, texts bool, now time.Time) shareJSON {
	j := shareJSON{Agency: sh.Agency, Status: string(sh.Status), ReasonCode: sh.ReasonCode, OutcomeCode: sh.OutcomeCode, SentAt: sh.SentAt.UTC(), DueAt: sh.DueAt.UTC(), Overdue: sh.Overdue(now),
		ViewedAt: optTime(sh.ViewedAt), AnsweredAt: optTime(sh.AnsweredAt), ClosedAt: optTime(sh.ClosedAt), ETag: `"` + itoa(sh.Version) + `"`}
	if texts {
		j.Request, j.Reason, j.Outcome = sh.Request, sh.Reason, sh.Outcome
	}
	return j
}

func itoa(n int) string { return strconv.Itoa(n) }

// viewJSON encodes a released referral: the content of shown categories, and
// for the rest only the category and why it was withheld.
func viewJSON(v sharing.View, now time.Time) releasedJSON {
	m := v.Meta()
	out := releasedJSON{ID: v.ReferralID(), Reference: v.Reference(), Purpose: v.Purpose(), Offence: m.Offence, Risk: string(m.Risk),
		State: string(m.State), CreatedAt: m.CreatedAt.UTC(), SentAt: optTime(m.SentAt),
		Sections: map[category.Category]json.RawMessage{}, Withheld: []withheldJSON{}}
	decisions, shares := v.Decisions(), v.Shares()
	// Sized once: this runs on every partner's read.
	out.Decisions, out.Shares = make([]decisionJSON, 0, len(decisions)), make([]shareJSON, 0, len(shares))
	for _, d := range decisions {
		reason := d.Reason()
		out.Decisions = append(out.Decisions, decisionJSON{Category: d.Category, Shown: d.Shown, Rule: d.Rule, Basis: d.Basis, Reason: reason})
		if !d.Shown {
			out.Withheld = append(out.Withheld, withheldJSON{Category: d.Category, Reason: reason})
			continue
		}
		if b, _ := v.Content(d.Category); b != nil {
			out.Sections[d.Category] = b
		}
		if d.Category == category.Risk {
			if sec, hist := riskOf(v); sec != nil {
				out.Sections[d.Category], out.RiskHistory = sec, hist
			}
		}
	}
	for _, sh := range shares {
		// Free text of a share goes to the force and to the agency it belongs to.
		texts := v.Agency() == agency.Police || v.Agency() == sh.Agency
		out.Shares = append(out.Shares, shareJSONOf(sh, texts, now))
	}
	return out
}

type summaryJSON struct {
	ID        string      `json:"id"`
	Reference string      `json:"reference"`
	Offence   string      `json:"offence"`
	Risk      string      `json:"risk_level"`
	State     string      `json:"state"`
	CreatedAt time.Time   `json:"created_at"`
	Attention bool        `json:"attention"`
	Shares    []shareJSON `json:"shares"`
}

type listJSON struct {
	Referrals []summaryJSON `json:"referrals"`
	Next      string        `json:"next_cursor,omitempty"`
}

// summaryJSONOf encodes one line of a list: metadata and statuses only.
func summaryJSONOf(r referral.Summary, now time.Time) summaryJSON {
	j := summaryJSON{ID: r.ID, Reference: r.Reference, Offence: r.Meta.Offence, Risk: string(r.Risk), State: string(r.Meta.State),
		CreatedAt: r.Meta.CreatedAt.UTC(), Attention: r.Attention(now), Shares: []shareJSON{}}
	for _, sh := range r.Shares {
		j.Shares = append(j.Shares, shareJSONOf(sh, false, now))
	}
	return j
}
