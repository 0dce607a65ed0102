package web

import (
	"maps"
	"net/http"
	"net/url"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/risk"
	"github.com/stalking-hub/hub/internal/store"
)

// The lists of referrals: an agency's inbox, and the police's own and team
// lists. They show metadata and statuses only, never personal data: a list
// is not a release, and a referral is opened (and audited) on its own page.

// listPage is a list of referrals with its filters and paging.
type listPage struct {
	Title    string
	Caption  string
	Action   string
	Filters  []formField
	Applied  []appliedFilter
	Rows     []listRow
	Next     string
	First    string
	Counts   *referral.InboxCounts
	Drafts   []draftRow
	Officer  bool // the reader raises referrals: drafts and the start button
	Team     bool // the list is every officer's
	Done     string
	Filtered bool

	// OverdueUpdates counts the Victims' Code updates overdue on the
	// referrals listed for the police: the officer's, or the team's.
	OverdueUpdates int
	// Search is the term the list was searched by, shown in the search box
	// only; SearchToken carries it sealed through the filters and pages.
	Search, SearchToken string
	SearchAction        string
	SearchHint          string
	Clear               string      // the list without the search
	Keep                []hiddenKey // the filters a search keeps
	CSRF                string
}

// hiddenKey is a hidden input of a form.
type hiddenKey struct{ Name, Value string }

// appliedFilter is a filter in use, with the address of the list without it.
type appliedFilter struct{ Label, Remove string }

// listRow is one referral in a list.
type listRow struct {
	ID, Reference string
	Offence       string
	Risk, RiskTag string
	Sent          string
	Officer       string
	Attention     bool
	Shares        []shareView
}

// draftRow is one of the officer's drafts.
type draftRow struct {
	ID, Victim, Saved, Continue string
}

// filterQuestions are the filters of a list; the same for inbox and police lists.
func filterQuestions() []question {
	var statuses []choice
	for _, st := range referral.ShareStatuses {
		statuses = append(statuses, choice{Value: string(st), Label: statusLabel(st)})
	}
	statuses = append([]choice{{Value: "new", Label: "New: not yet answered"}, {Value: "open", Label: "Open: accepted or in progress"}}, statuses...)
	return []question{
		{Name: "sort", Label: "Sort by", Kind: selectKind, Choices: sortChoices, Placeholder: "Open work first"},
		{Name: "status", Label: "Status", Kind: selectKind, Choices: statuses, Placeholder: "Any status"},
		{Name: "risk", Label: "Risk level", Kind: selectKind, Choices: riskLevelChoices, Placeholder: "Any risk level"},
		{Name: "overdue", Label: "Response time", Kind: checkboxesKind, Choices: []choice{{Value: "true", Label: "Only overdue"}}},
		{Name: "attention", Label: "Needs attention", Kind: checkboxesKind, Choices: []choice{{Value: "true", Label: "Only those that need attention"}}},
	}
}

// sortChoices are the orders of a list, in words.
var sortChoices = []choice{
	{Value: "risk", Label: "Risk, highest first"},
	{Value: "due", Label: "Answer due, soonest first"},
	{Value: "sent", Label: "Sent, oldest first"},
	{Value: "-sent", Label: "Sent, newest first"},
}

// statusGroups are the statuses a group filter stands for: the home page's
// counts link to them.
var statusGroups = map[string][]referral.ShareStatus{
	"new":  {referral.Sent, referral.Viewed},
	"open": {referral.Accepted, referral.InProgress},
}

// listFilterOf reads a list's filters from the query; a value the list does
// not know is left out rather than refused, since it can only come from an
// edited address.
func listFilterOf(q url.Values) (store.ListFilter, url.Values) {
	var f store.ListFilter
	kept := url.Values{}
	if st, err := referral.ParseShareStatus(q.Get("status")); err == nil {
		f.Status = st
		kept.Set("status", string(st))
	} else if g, ok := statusGroups[q.Get("status")]; ok {
		f.Statuses = g
		kept.Set("status", q.Get("status"))
	}
	if v := q.Get("sort"); slices.Contains(store.Sorts, v) {
		f.Sort = v
		kept.Set("sort", v)
	}
	if q.Get("attention") == "true" {
		f.Attention = true
		kept.Set("attention", "true")
	}
	if l, err := risk.ParseLevel(q.Get("risk")); err == nil {
		f.Risk = l
		kept.Set("risk", string(l))
	}
	if q.Get("overdue") == "true" {
		f.Overdue = true
		kept.Set("overdue", "true")
	}
	f.Cursor = q.Get("cursor")
	return f, kept
}

// appliedFilters lists the filters in use, each with the list's address
// without it.
func appliedFilters(path string, kept url.Values) []appliedFilter {
	var out []appliedFilter
	for _, q := range filterQuestions() {
		v := kept.Get(q.Name)
		if v == "" {
			continue
		}
		rest := url.Values{}
		for k, vs := range kept {
			if k != q.Name {
				rest[k] = vs
			}
		}
		label := q.Label + ": " + q.choiceLabel(v)
		switch q.Name {
		case "overdue":
			label = "Only overdue"
		case "attention":
			label = "Needs attention"
		}
		out = append(out, appliedFilter{Label: label, Remove: withQuery(path, rest)})
	}
	return out
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// listRowOf lays out one referral of a list.
func (s *Server) listRowOf(r referral.Summary) listRow {
	now := s.Now()
	row := listRow{ID: r.ID, Reference: r.Reference, Offence: labelOf(offenceChoices, r.Meta.Offence), Risk: labelOf(riskLevelChoices, string(r.Risk)),
		RiskTag: riskTag(string(r.Risk)), Sent: dayText(r.Meta.SentAt), Officer: r.Meta.OfficerName, Attention: r.Attention(now)}
	for _, sh := range r.Shares {
		a, _ := s.Agencies.Get(sh.Agency)
		row.Shares = append(row.Shares, shareView{Agency: sh.Agency, Name: orNotGiven(a.Name), Status: string(sh.Status), StatusLabel: statusLabel(sh.Status),
			Badge: statusBadge(sh.Status), DueAt: whenText(sh.DueAt), Overdue: sh.Overdue(now)})
	}
	return row
}

// list fills a listPage from one page of the store's list.
func (s *Server) list(c echo.Context, path string, f store.ListFilter, kept url.Values, pg *listPage) error {
	f.Now = s.Now()
	filters := url.Values{}
	for k, vs := range kept {
		filters[k] = vs
	}
	pg.SearchAction, pg.CSRF = path+"/search", csrfToken(c)
	pg.Clear = withQuery(path, filters)
	for _, k := range slices.Sorted(maps.Keys(filters)) {
		pg.Keep = append(pg.Keep, hiddenKey{k, filters.Get(k)})
	}
	if pg.SearchHint == "" {
		pg.SearchHint = "A reference, a crime reference, or a person's full name, with their date of birth if you know it"
	}
	if tok := c.QueryParam("search"); tok != "" {
		if term, ok := s.openSearch(principal(c).Subject, tok); ok {
			ids, err := s.searchIDs(c, term, agency.Referral)
			if err != nil {
				return err
			}
			f.Searching, f.IDs = true, ids
			pg.Search, pg.SearchToken = term, tok
			kept.Set("search", tok)
		}
	}
	page, err := s.DB.Referrals(c.Request().Context(), f)
	if err != nil {
		return err
	}
	for _, r := range page.Referrals {
		pg.Rows = append(pg.Rows, s.listRowOf(r))
	}
	pg.Action = path
	pg.Filters = fieldsOf(filterQuestions(), filters, nil)
	pg.Applied = appliedFilters(path, kept)
	pg.Filtered = len(kept) > 0
	if page.Next != "" {
		next := url.Values{}
		for k, vs := range kept {
			next[k] = vs
		}
		next.Set("cursor", page.Next)
		pg.Next = withQuery(path, next)
	}
	if f.Cursor != "" {
		pg.First = withQuery(path, kept)
	}
	return nil
}

// inbox is an agency's referrals: high risk first, then the oldest.
func (s *Server) inbox(c echo.Context) error {
	p := principal(c)
	f, kept := listFilterOf(c.QueryParams())
	f.Agency = p.Agency
	pg := listPage{Title: "Inbox"}
	if a, ok := s.Agencies.Get(p.Agency); ok {
		pg.Caption = a.Name
	}
	counts, err := s.DB.CountInbox(c.Request().Context(), p.Agency, s.Now())
	if err != nil {
		return err
	}
	pg.Counts = &counts
	if err := s.list(c, "/inbox", f, kept, &pg); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "inbox", pg)
}

// policeReferrals is an officer's own referrals with their drafts, or for a
// supervisor the team's: every agency's status at a glance.
func (s *Server) policeReferrals(c echo.Context) error {
	p := principal(c)
	f, kept := listFilterOf(c.QueryParams())
	pg := listPage{Title: "Team referrals", Caption: "Police"}
	pg.Team = p.Has(identity.Supervisor)
	if !pg.Team {
		f.Officer, pg.Title = p.Subject, "My referrals"
	}
	if p.Has(identity.Officer) {
		pg.Officer = true
		drafts, err := s.DB.Drafts(c.Request().Context(), p.Subject)
		if err != nil {
			return err
		}
		steps := s.referralSteps()
		for _, d := range drafts {
			pg.Drafts = append(pg.Drafts, draftRow{ID: d.ID, Victim: orNotGiven(d.Submission.Victim.Name), Saved: whenText(d.UpdatedAt),
				Continue: draftURL(d.ID, s.resumeStep(steps, d, p))})
		}
	}
	if c.QueryParam("done") == "deleted" {
		pg.Done = "Draft deleted."
	}
	overdue, err := s.DB.OverdueVictimUpdates(c.Request().Context(), s.ownOrTeam(c), s.today())
	if err != nil {
		return err
	}
	pg.OverdueUpdates = len(overdue)
	if err := s.list(c, "/referrals", f, kept, &pg); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "referrals", pg)
}

// resumeStep is where a draft picks up: the first step with an answer still
// missing or wrong, else the check page.
func (s *Server) resumeStep(steps []step, d referral.SavedDraft, p identity.Principal) string {
	fields, err := s.referralErrors(d.Submission, p)
	if err != nil || len(fields) == 0 {
		return checkStep
	}
	for _, st := range steps {
		if len(stepErrors(st, d.Submission, fields)) > 0 {
			return st.Slug
		}
	}
	return checkStep
}
