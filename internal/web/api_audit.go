package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/store"
)

type auditJSON struct {
	Index       int64     `json:"index"`
	Time        time.Time `json:"time"`
	Actor       string    `json:"actor"`
	ActorAgency string    `json:"actor_agency,omitempty"`
	Action      string    `json:"action"`
	Record      string    `json:"record,omitempty"`
	Agency      string    `json:"agency,omitempty"`
	Purpose     string    `json:"purpose,omitempty"`
	Shown       []string  `json:"shown"`
	Withheld    []string  `json:"withheld"`
	Rules       []string  `json:"rules"`
	Basis       string    `json:"basis,omitempty"`
	Detail      string    `json:"detail,omitempty"`
}

func auditJSONOf(e audit.Entry) auditJSON {
	return auditJSON{Index: e.Index, Time: e.Time.UTC(), Actor: e.Actor, ActorAgency: e.ActorAgency, Action: string(e.Action), Record: e.Record,
		Agency: e.Agency, Purpose: e.Purpose, Shown: nonNil(e.Shown), Withheld: nonNil(e.Withheld), Rules: nonNil(e.Rules), Basis: e.Basis, Detail: e.Detail}
}

// auditFilter reads the filters of an audit query (referral, actor, from,
// to, cursor, limit); the record may then be fixed by the path. The API and
// the audit pages read the same names.
func auditFilter(q url.Values) (store.AuditFilter, error) {
	f := store.AuditFilter{Record: q.Get("referral"), Actor: q.Get("actor")}
	for _, b := range []struct {
		name string
		into *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		v := q.Get(b.name)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			d, derr := time.Parse(time.DateOnly, v)
			if derr != nil {
				return f, problem.Invalidf(b.name, "%s must be a date (YYYY-MM-DD) or an RFC 3339 time", b.name)
			}
			t = d
		}
		*b.into = t
	}
	if v := q.Get("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return f, problem.Invalidf("cursor", "cursor must be an entry number")
		}
		f.Cursor = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return f, problem.Invalidf("limit", "limit must be a number from 1 to 1000")
		}
		f.Limit = n
	}
	return f, nil
}

// readAudit returns the entries f picks and the cursor of the next page
// ("" on the last), after recording that the log itself was read: the
// reading is logged before anything is shown, as a release is.
func (s *Server) readAudit(c echo.Context, f store.AuditFilter) ([]audit.Entry, string, error) {
	if f.Limit == 0 {
		f.Limit = 100
	}
	entries, err := s.DB.AuditEntries(c.Request().Context(), f)
	if err != nil {
		return nil, "", err
	}
	read := s.entry(c, audit.AuditRead)
	read.Record = f.Record
	if err := s.DB.Audit(c.Request().Context(), read); err != nil {
		return nil, "", err
	}
	next := ""
	if len(entries) == f.Limit {
		next = strconv.FormatInt(entries[len(entries)-1].Index+1, 10)
	}
	return entries, next, nil
}

// answerAudit writes the entries and records that the log itself was read.
func (s *Server) answerAudit(c echo.Context, f store.AuditFilter) error {
	entries, next, err := s.readAudit(c, f)
	if err != nil {
		return err
	}
	out := auditPageJSON{Entries: []auditJSON{}, Next: next}
	for _, e := range entries {
		out.Entries = append(out.Entries, auditJSONOf(e))
	}
	return answer(c, http.StatusOK, out)
}

// apiAudit is the audit log for auditors, filterable by referral, actor and time.
func (s *Server) apiAudit(c echo.Context) error {
	f, err := auditFilter(c.QueryParams())
	if err != nil {
		return err
	}
	return s.answerAudit(c, f)
}

// referralAuditReader checks that the caller may read a referral's audit
// trail, and returns its reference: its own officer, supervisors and
// auditors may; anyone else gets the same not-found as a referral that does
// not exist. It loads the referral's owner only, nothing personal.
func (s *Server) referralAuditReader(c echo.Context, id string) (string, error) {
	p := principal(c)
	reference, officer, err := s.DB.ReferralOwner(c.Request().Context(), id)
	if err != nil {
		return "", err
	}
	if !p.HasAny(identity.Supervisor, identity.Auditor) && officer != p.Subject {
		return "", referral.NotFound()
	}
	return reference, nil
}

// apiReferralAudit answers who saw what of one referral, when, and on what
// basis: for the referral's own officer, supervisors and auditors.
func (s *Server) apiReferralAudit(c echo.Context) error {
	id := c.Param("id")
	if _, err := s.referralAuditReader(c, id); err != nil {
		return err
	}
	f, err := auditFilter(c.QueryParams())
	if err != nil {
		return err
	}
	f.Record = id
	return s.answerAudit(c, f)
}
