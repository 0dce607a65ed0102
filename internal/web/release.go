package web

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/sharing"
)

// release is the one path of a record to a reader, for pages, the API and
// papers alike: load the referral, decide with sharing.Release, and write the
// decision to the audit log before anything is shown. A reader with no basis
// gets the same not-found as a referral that does not exist, and that refusal
// is audited too. If the audit entry cannot be written, nothing is released.
func (s *Server) release(c echo.Context, id string, purpose agency.Purpose) (sharing.View, error) {
	return s.releaseWith(c, id, purpose, "")
}

// releaseWith is release with the reason an officer gives to read a
// restricted referral (sharing.BreakGlass); a blank reason is release. A
// break-glass read is audited as such, the reason sealed beside the entry,
// before anything is shown.
func (s *Server) releaseWith(c echo.Context, id string, purpose agency.Purpose, breakGlass string) (sharing.View, error) {
	ctx := c.Request().Context()
	p := principal(c)
	r, err := s.DB.Referral(ctx, id)
	if err != nil && problem.CodeOf(err) != problem.NotFound {
		return sharing.View{}, err
	}
	if r != nil && purpose == agency.Referral && p.Has(identity.AgencyStaff) && firstOpen(r, p.Agency) {
		// The first open by the agency moves its share to viewed; the view
		// then shows the share as it now stands.
		if err := s.DB.MarkViewed(ctx, id, p.Agency, p); err != nil {
			return sharing.View{}, err
		}
		if r, err = s.DB.Referral(ctx, id); err != nil {
			return sharing.View{}, err
		}
	}
	v, err := sharing.BreakGlass(p, r, purpose, s.Agencies, s.Now(), breakGlass)
	if err != nil {
		entry := s.entry(c, audit.ReleaseRefused)
		entry.Record, entry.Purpose, entry.Detail = id, string(purpose), "not_found_or_not_visible"
		if aerr := s.DB.Audit(ctx, entry); aerr != nil {
			return sharing.View{}, aerr
		}
		return sharing.View{}, err
	}
	entry := s.releaseEntry(c, v)
	if v.BrokeGlass() {
		if err := s.DB.BreakGlass(ctx, entry, strings.TrimSpace(breakGlass), p); err != nil {
			return sharing.View{}, err
		}
		return v, nil
	}
	if err := s.DB.Audit(ctx, entry); err != nil {
		return sharing.View{}, err
	}
	return v, nil
}

// releaseEntry is the audit entry of the release v to the caller.
func (s *Server) releaseEntry(c echo.Context, v sharing.View) audit.Entry {
	sum := v.Summary()
	entry := s.entry(c, audit.Release)
	entry.Record, entry.Agency, entry.Purpose = sum.Referral, sum.Agency, string(sum.Purpose)
	for _, cat := range sum.Shown {
		entry.Shown = append(entry.Shown, cat.String())
	}
	for _, cat := range sum.Withheld {
		entry.Withheld = append(entry.Withheld, cat.String())
	}
	entry.Rules, entry.Basis = sum.Rules, strings.Join(sum.Bases, ",")
	return entry
}

// firstOpen reports whether the agency has a share of r not yet opened.
func firstOpen(r *referral.Referral, agencyID string) bool {
	for _, sh := range r.Shares {
		if sh.Agency == agencyID {
			return sh.Status == referral.Sent
		}
	}
	return false
}

// entry starts an audit entry for the request: who, when, which request.
func (s *Server) entry(c echo.Context, action audit.Action) audit.Entry {
	p := principal(c)
	return audit.Entry{Time: s.Now().UTC(), Actor: p.Subject, ActorAgency: p.Agency, Action: action, RequestID: requestID(c)}
}
