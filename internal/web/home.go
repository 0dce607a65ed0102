package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/marac"
)

// task is one thing a role can do next, shown on its home page; Status says
// how much is waiting there.
type task struct {
	Title, Href, Hint, Status string
}

type homeData struct {
	Sections []homeSection
	Agency   string
}

type homeSection struct {
	Role  identity.Role
	Title string
	Tasks []task
}

var roleTitles = map[identity.Role]string{
	identity.Officer:          "Police officer",
	identity.Supervisor:       "Police supervisor",
	identity.AgencyStaff:      "Partner agency",
	identity.MARACCoordinator: "MARAC coordinator",
	identity.Auditor:          "Audit and information governance",
	identity.Admin:            "Administration",
}

// home shows each role what it can do next and how much is waiting; with no
// role, whom to ask.
func (s *Server) home(c echo.Context) error {
	p := principal(c)
	if len(p.Roles) == 0 {
		// The reference on the page leads here, and the actor to the
		// sign-in's line that says why there is no role.
		s.log.Info("no-role page shown", logAttrs(c)...)
		return s.render(c, http.StatusOK, "no-role", noData{})
	}
	d := homeData{}
	if a, ok := s.Agencies.Get(p.Agency); ok {
		d.Agency = a.Name
	}
	for _, r := range p.Roles {
		tasks, err := s.tasks(c.Request().Context(), p, r)
		if err != nil {
			return err
		}
		d.Sections = append(d.Sections, homeSection{Role: r, Title: roleTitles[r], Tasks: tasks})
	}
	return s.render(c, http.StatusOK, "home", d)
}

// tasks lists what role r can do next. A link appears only for a page that
// exists or is being built beside these: the MARAC dashboard, requests to
// share without consent and the audit log.
func (s *Server) tasks(ctx context.Context, p identity.Principal, r identity.Role) ([]task, error) {
	now := s.Now()
	switch r {
	case identity.Officer:
		attention, err := s.DB.CountAttention(ctx, p.Subject, now)
		if err != nil {
			return nil, err
		}
		drafts, err := s.DB.Drafts(ctx, p.Subject)
		if err != nil {
			return nil, err
		}
		out := []task{
			{Title: "Raise a referral", Href: "/referrals/new", Hint: "Safe contact first, then the offence, risk, agencies and consent"},
			{Title: "My referrals", Href: "/referrals", Hint: "Every agency's answer on the referrals you raised", Status: needAttention(attention)},
		}
		if attention > 0 {
			out = append(out, task{Title: "Referrals that need your attention", Href: "/referrals?attention=true", Hint: "An agency declined, or its answer is overdue", Status: needAttention(attention)})
		}
		if len(drafts) > 0 {
			out = append(out, task{Title: "My drafts", Href: "/referrals#drafts", Hint: "Referrals you started and have not sent", Status: plural(len(drafts), "draft", "drafts")})
		}
		justice, err := s.justiceTasks(ctx, p.Subject, false)
		return append(out, justice...), err
	case identity.Supervisor:
		attention, err := s.DB.CountAttention(ctx, "", now)
		if err != nil {
			return nil, err
		}
		pending, err := s.DB.PendingOverrides(ctx)
		if err != nil {
			return nil, err
		}
		justice, err := s.justiceTasks(ctx, "", true)
		out := append([]task{
			{Title: "Team referrals", Href: "/referrals", Hint: "Every referral and every agency's answer", Status: needAttention(attention)},
			{Title: "Requests to share without consent", Href: "/overrides", Hint: "Approve or refuse officers' requests", Status: plural(len(pending), "waiting", "waiting")},
			{Title: "Reads of restricted referrals", Href: "/break-glass", Hint: "Officers who read a restricted referral on a reason, and why"},
		}, justice...)
		if attention > 0 {
			out = append(out, task{Title: "Team referrals that need attention", Href: "/referrals?attention=true", Hint: "An agency declined, or its answer is overdue", Status: needAttention(attention)})
		}
		return out, err
	case identity.AgencyStaff:
		n, err := s.DB.CountInbox(ctx, p.Agency, now)
		if err != nil {
			return nil, err
		}
		out := []task{{Title: "Inbox", Href: "/inbox", Hint: "Referrals sent to your agency, high risk first",
			Status: fmt.Sprintf("%d new, %d open, %d overdue", n.New, n.Open, n.Overdue)}}
		if n.New > 0 {
			out = append(out, task{Title: "New referrals", Href: "/inbox?status=new", Hint: "Waiting for your agency's answer", Status: fmt.Sprintf("%d new", n.New)})
		}
		if n.Overdue > 0 {
			out = append(out, task{Title: "Overdue referrals", Href: "/inbox?overdue=true", Hint: "Past the time your agency has to answer", Status: fmt.Sprintf("%d overdue", n.Overdue)})
		}
		if slices.Contains(marac.Members(s.Agencies), p.Agency) {
			a, err := s.DB.CountActions(ctx, p.Agency, now)
			if err != nil {
				return nil, err
			}
			out = append(out,
				task{Title: "MARAC cases", Href: "/marac/cases", Hint: "Cases on the agenda your agency researches before the meeting"},
				task{Title: "MARAC actions", Href: "/marac/actions", Hint: "Actions your agency owns, by due date",
					Status: fmt.Sprintf("%d open, %d overdue", a.Open, a.Overdue)})
		}
		return out, nil
	case identity.MARACCoordinator:
		return []task{{Title: "MARAC", Href: "/marac", Hint: "Meetings, cases, research and actions"}}, nil
	case identity.Auditor:
		out := []task{{Title: "Audit log", Href: "/audit", Hint: "Who saw what, when, and on what basis"}}
		v, err := s.DB.LastVerification(ctx)
		if err != nil {
			return nil, err
		}
		status := "Not yet verified from the hub"
		switch {
		case v != nil && v.Running(now):
			status = "Under way"
		case v != nil && !v.FinishedAt.IsZero() && v.OK:
			status = "Intact, " + whenText(v.FinishedAt)
		case v != nil && !v.FinishedAt.IsZero():
			status = "Damaged, " + whenText(v.FinishedAt)
		}
		return append(out, task{Title: "Verify the audit log", Href: "/audit/verify", Hint: "Check that no entry was changed, removed or added", Status: status}), nil
	case identity.Admin:
		stats, err := s.DB.OutboxStats(ctx, now)
		if err != nil {
			return nil, err
		}
		failed := "None failed"
		if stats.Failed > 0 {
			failed = plural(stats.Failed, "failed", "failed")
		}
		return []task{
			{Title: "Memberships", Href: "/admin/memberships", Hint: "Who belongs to which agency and role"},
			{Title: "Notifications", Href: "/admin/outbox", Hint: "The e-mails the hub sends, and any that failed", Status: failed},
		}, nil
	}
	return nil, nil
}

func needAttention(n int) string {
	if n == 0 {
		return "None need attention"
	}
	return plural(n, "needs attention", "need attention")
}

// plural is a count with the right word: "1 draft", "2 drafts".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
