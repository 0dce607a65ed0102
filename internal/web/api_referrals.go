package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/audit"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/risk"
	"github.com/stalking-hub/hub/internal/sharing"
	"github.com/stalking-hub/hub/internal/store"
	"github.com/stalking-hub/hub/internal/vocab"
)

// apiCreateReferral raises and sends a referral.
func (s *Server) apiCreateReferral(c echo.Context) error {
	body, _, in, err := s.readReferral(c)
	if err != nil {
		return err
	}
	if key := c.Request().Header.Get("Idempotency-Key"); key != "" {
		if len(key) > 200 {
			return problem.Invalidf("Idempotency-Key", "the Idempotency-Key header is too long")
		}
		sum := sha256.Sum256(body)
		in.IdempotencyKey, in.BodyHash = key, hex.EncodeToString(sum[:])
	}
	// The creator's release is decided and audited in the create's own
	// transaction: an error then means nothing was saved.
	var v sharing.View
	in.Release = func(r *referral.Referral) (audit.Entry, error) {
		var err error
		if v, err = sharing.Release(principal(c), r, agency.Referral, s.Agencies, s.Now()); err != nil {
			return audit.Entry{}, err
		}
		return s.releaseEntry(c, v), nil
	}
	id, created, err := s.DB.CreateReferral(c.Request().Context(), in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/v1/referrals/"+id)
	if !created {
		return s.apiRelease(c, id, http.StatusOK)
	}
	return s.answerView(c, v, http.StatusCreated)
}

// newReferral checks a submission whole and turns it into what the store writes.
// readReferral reads and checks a referral in the body as POST
// /api/v1/referrals takes it (create and preview alike).
func (s *Server) readReferral(c echo.Context) ([]byte, referral.Submission, referral.NewReferral, error) {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return nil, referral.Submission{}, referral.NewReferral{}, problem.New(problem.TooLarge, "the referral is too large")
	}
	sub, perr := referral.Decode(body)
	if perr != nil {
		return nil, sub, referral.NewReferral{}, perr
	}
	in, perr := s.newReferral(sub, principal(c))
	if perr != nil {
		return nil, sub, in, perr
	}
	return body, sub, in, nil
}

func (s *Server) newReferral(sub referral.Submission, p identity.Principal) (referral.NewReferral, *problem.Error) {
	now := s.Now()
	fields := map[string]string{}
	if perr := s.validator.Validate(sub, s.Agencies); perr != nil {
		if perr.Code != problem.Invalid {
			return referral.NewReferral{}, perr
		}
		for k, v := range perr.Fields {
			fields[k] = v
		}
	}
	cons := consentOf(sub.Consent, p, now)
	if perr := consent.ValidateConsent(cons, s.isRecipient, now); perr != nil {
		for k, v := range perr.Fields {
			if _, seen := fields["consent."+k]; !seen && !strings.HasPrefix(k, "categories") {
				fields["consent."+k] = v
			}
		}
	}
	if len(fields) > 0 {
		return referral.NewReferral{}, problem.Fields(fields)
	}
	due := map[string]time.Time{}
	level := risk.Level(sub.Risk.Level)
	for _, r := range sub.Agencies {
		a, _ := s.Agencies.Get(r.Agency)
		due[r.Agency] = now.Add(a.ResponseTime(level))
	}
	return referral.NewReferral{Submission: sub, Officer: p, Due: due, Consent: cons}, nil
}

func (s *Server) isRecipient(id string) bool {
	_, ok := s.Agencies.Get(id)
	return ok && id != agency.Police
}

// consentOf turns the consent of a submission into a consent record.
func consentOf(g referral.ConsentGiven, p identity.Principal, now time.Time) consent.Consent {
	c := consent.Consent{Decision: consent.Decision(g.Decision), Reason: g.Reason, Agencies: g.Agencies,
		Method: consent.Method(g.Method), RecordedBy: p.Subject, RecordedAt: now}
	for _, name := range g.Categories {
		if cat, err := category.Parse(name); err == nil {
			c.Categories = c.Categories.Add(cat)
		}
	}
	c.ObtainedOn, _ = time.Parse(time.DateOnly, g.ObtainedOn)
	c.ReviewOn, _ = time.Parse(time.DateOnly, g.ReviewOn)
	return c
}

// apiGetReferral answers the referral as released to the caller.
func (s *Server) apiGetReferral(c echo.Context) error {
	return s.apiRelease(c, c.Param("id"), http.StatusOK)
}

// apiRelease releases a referral to the caller through sharing.Release,
// records the release in the audit log, and only then answers.
func (s *Server) apiRelease(c echo.Context, id string, status int) error {
	v, err := s.release(c, id, agency.Referral)
	if err != nil {
		return err
	}
	return s.answerView(c, v, status)
}

// answerView writes a released referral, with its ETag.
func (s *Server) answerView(c echo.Context, v sharing.View, status int) error {
	etag := v.Meta().Version
	for _, sh := range v.Shares() {
		if sh.Agency == principal(c).Agency {
			etag = sh.Version
		}
	}
	c.Response().Header().Set("ETag", store.ETag(etag))
	out := viewJSON(v, s.Now())
	if v.Agency() == agency.Police {
		var err error
		if out.justiceJSON, err = s.referralJustice(c, v.ReferralID()); err != nil {
			return err
		}
	}
	return answer(c, status, out)
}

type shareStatusBody struct {
	Status      string `json:"status"`
	Reason      string `json:"reason"`
	ReasonCode  string `json:"reason_code"`
	Outcome     string `json:"outcome"`
	OutcomeCode string `json:"outcome_code"`
}

// apiShareStatus moves an agency's share along its lifecycle.
func (s *Server) apiShareStatus(c echo.Context) error {
	p := principal(c)
	id, agencyID := c.Param("id"), c.Param("agency")
	if p.Agency != agencyID {
		// Another agency's share is not one this caller may know of.
		return referral.NotFound()
	}
	var b shareStatusBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	ifMatch, err := parseIfMatch(c.Request().Header.Get("If-Match"))
	if err != nil {
		return err
	}
	sh, err := s.DB.ChangeShareStatus(c.Request().Context(), referral.StatusChange{ReferralID: id, Agency: agencyID,
		To: referral.ShareStatus(b.Status), Reason: b.Reason, ReasonCode: b.ReasonCode, Outcome: b.Outcome, OutcomeCode: b.OutcomeCode,
		IfMatch: ifMatch, Actor: p})
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", store.ETag(sh.Version))
	return answer(c, http.StatusOK, shareJSONOf(sh, true, s.Now()))
}

// parseIfMatch reads a strong ETag such as "3"; empty means none was sent.
func parseIfMatch(h string) (int, error) {
	if h == "" || h == "*" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(h, "W/"), `"`))
	if err != nil || n < 1 {
		return 0, problem.New(problem.Stale, "If-Match is not an ETag this API gave")
	}
	return n, nil
}

// decodeStrict reads a JSON body into v, refusing unknown fields.
func decodeStrict(c echo.Context, v any) error {
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name = strings.Trim(name, `"`)
			return problem.Invalidf(name, "%s is not a field here", name)
		}
		if te, ok := err.(*json.UnmarshalTypeError); ok {
			return problem.Invalidf(te.Field, "%s has the wrong type", te.Field)
		}
		return problem.New(problem.Malformed, "the body is not valid JSON")
	}
	return nil
}

// apiListReferrals lists the referrals visible to the caller: an agency's
// inbox, an officer's own referrals, or all for supervisors and auditors.
func (s *Server) apiListReferrals(c echo.Context) error {
	p := principal(c)
	f := store.ListFilter{Now: s.Now(), Cursor: c.QueryParam("cursor")}
	if st := c.QueryParam("status"); st != "" {
		if _, err := referral.ParseShareStatus(st); err != nil {
			return problem.Invalidf("status", "status must be one of %s", strings.Join(vocab.ShareStatuses.Values(), ", "))
		}
		f.Status = referral.ShareStatus(st)
	}
	if r := c.QueryParam("risk"); r != "" {
		l, err := risk.ParseLevel(r)
		if err != nil {
			return problem.Invalidf("risk", "risk must be standard, medium or high")
		}
		f.Risk = l
	}
	switch c.QueryParam("overdue") {
	case "", "false":
	case "true":
		f.Overdue = true
	default:
		return problem.Invalidf("overdue", "overdue must be true or false")
	}
	if err := s.apiListOptions(c, &f); err != nil {
		return err
	}
	if l := c.QueryParam("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 200 {
			return problem.Invalidf("limit", "limit must be a number from 1 to 200")
		}
		f.Limit = n
	}
	switch {
	case p.Police() && p.Has(identity.Supervisor), p.Has(identity.Auditor):
	case p.Has(identity.Officer):
		f.Officer = p.Subject
	case p.Has(identity.AgencyStaff) && p.Agency != "":
		f.Agency = p.Agency
	default:
		return answer(c, http.StatusOK, listJSON{Referrals: []summaryJSON{}})
	}
	if q := strings.TrimSpace(c.QueryParam("q")); q != "" {
		ids, err := s.searchIDs(c, q, agency.Referral)
		if err != nil {
			return err
		}
		f.Searching, f.IDs = true, ids
	}
	page, err := s.DB.Referrals(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := listJSON{Referrals: []summaryJSON{}, Next: page.Next}
	for _, r := range page.Referrals {
		out.Referrals = append(out.Referrals, summaryJSONOf(r, s.Now()))
	}
	return answer(c, http.StatusOK, out)
}
