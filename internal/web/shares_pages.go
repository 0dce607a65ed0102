package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
)

// sharesDone are the banners after a change of who has a referral.
var sharesDone = map[string]string{
	"share_added":     "The referral has been sent to the agency. It has been told it is waiting.",
	"share_withdrawn": "The referral has been withdrawn from the agency. It has been told, and now sees none of it.",
}

// addShareQuestions ask which agency to send a sent referral to, and what to ask of it.
func (s *Server) addShareQuestions(pg referralPage) []question {
	has := map[string]bool{}
	for _, sh := range pg.Shares {
		has[sh.Agency] = true
	}
	var choices []choice
	for _, a := range s.Agencies.Recipients() {
		if !has[a.ID] {
			choices = append(choices, choice{Value: a.ID, Label: a.Name})
		}
	}
	if len(choices) == 0 {
		return nil
	}
	return []question{
		{Name: "share_agency", Label: "Agency", Kind: selectKind, Choices: choices},
		{Name: "share_request", Label: "What you ask of the agency", Kind: textareaKind, Hint: "For example, assess for the sanctuary scheme"},
	}
}

// withdrawQuestions ask which agency to take the referral back from, and why.
func withdrawQuestions(pg referralPage) []question {
	var choices []choice
	for _, sh := range pg.Shares {
		switch referral.ShareStatus(sh.Status) {
		case referral.Sent, referral.Viewed, referral.Accepted, referral.InProgress:
			choices = append(choices, choice{Value: sh.Agency, Label: sh.Name})
		}
	}
	if len(choices) == 0 {
		return nil
	}
	return []question{
		{Name: "withdraw_agency", Label: "Agency to withdraw the referral from", Kind: selectKind, Choices: choices},
		{Name: "withdraw_reason", Label: "Why you are withdrawing it", Kind: textareaKind,
			Hint: "Only the police read this. The agency is told the referral was withdrawn, not why"},
	}
}

// sharesFormsOf puts the forms that change who has the referral on its
// page: for officers of the force reading it whole.
func (s *Server) sharesFormsOf(c echo.Context, pg *referralPage, o pageOptions) {
	if pg.Done == "" {
		pg.Done = sharesDone[c.QueryParam("done")]
	}
	if pg.Own != nil && pg.Own.Status == string(referral.Withdrawn) {
		// The thread of a withdrawn share is closed (DB.AddMessage refuses).
		pg.MessageFields = nil
	}
	if !pg.Police || pg.BrokeGlass || !principal(c).Has(identity.Officer) {
		return
	}
	pg.AddShareFields = fieldsOf(s.addShareQuestions(*pg), o.form, o.errs)
	pg.WithdrawFields = fieldsOf(withdrawQuestions(*pg), o.form, o.errs)
}

// addSharePage sends the referral to one more agency from its page.
func (s *Server) addSharePage(c echo.Context) error {
	id := c.Param("id")
	b := addShareBody{Agency: c.FormValue("share_agency"), Request: c.FormValue("share_request")}
	form := map[string][]string{"share_agency": {b.Agency}, "share_request": {b.Request}}
	qs := []question{{Name: "share_agency", Label: "Agency"}, {Name: "share_request", Label: "What you ask of the agency"}}
	errs := map[string]string{}
	for k, v := range s.checkAddShare(b) {
		errs["share_"+k] = v
	}
	if len(errs) > 0 {
		return s.renderReferral(c, id, pageOptions{status: http.StatusUnprocessableEntity, errs: errs, summary: errorSummary(qs, errs), form: form})
	}
	if _, err := s.addShare(c, id, b); err != nil {
		if pe, ok := problem.As(err); ok && pe.Code == problem.Conflict {
			errs["share_agency"] = sentence(pe.Message)
			return s.renderReferral(c, id, pageOptions{status: http.StatusConflict, errs: errs, summary: errorSummary(qs, errs), form: form})
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/referrals/"+id+"?done=share_added#agencies")
}

// withdrawSharePage takes the referral back from one agency from its page.
func (s *Server) withdrawSharePage(c echo.Context) error {
	id, target := c.Param("id"), c.FormValue("withdraw_agency")
	reason := c.FormValue("withdraw_reason")
	form := map[string][]string{"withdraw_agency": {target}, "withdraw_reason": {reason}}
	qs := []question{{Name: "withdraw_agency", Label: "Agency"}, {Name: "withdraw_reason", Label: "Why"}}
	errs := map[string]string{}
	if target == "" {
		errs["withdraw_agency"] = "Choose the agency to withdraw the referral from"
	}
	for k, v := range checkWithdraw(withdrawBody{Reason: reason}) {
		errs["withdraw_"+k] = v
	}
	if len(errs) > 0 {
		return s.renderReferral(c, id, pageOptions{status: http.StatusUnprocessableEntity, errs: errs, summary: errorSummary(qs, errs), form: form})
	}
	if _, err := s.DB.WithdrawShare(c.Request().Context(), id, target, strings.TrimSpace(reason), principal(c)); err != nil {
		if pe, ok := problem.As(err); ok && pe.Code == problem.Conflict {
			errs["withdraw_agency"] = sentence(pe.Message)
			return s.renderReferral(c, id, pageOptions{status: http.StatusConflict, errs: errs, summary: errorSummary(qs, errs), form: form})
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/referrals/"+id+"?done=share_withdrawn#agencies")
}

// agencyPreviewView is one agency on the check-answers page: what it will
// see of the referral and what it will not, and why.
type agencyPreviewView struct {
	Agency, Name string
	Shown        []string
	Withheld     []withheldView
}

type withheldView struct{ Title, Reason string }

// previewView is POST /api/v1/referrals/preview for the check-answers page:
// the same sharing.Release on the unsaved draft, for the agencies chosen
// that the hub knows. Nothing is saved or audited.
func (s *Server) previewView(sub referral.Submission, p identity.Principal) ([]agencyPreviewView, []string) {
	now := s.Now()
	var known []referral.Request
	for _, a := range sub.Agencies {
		if s.isRecipient(a.Agency) {
			known = append(known, a)
		}
	}
	sub.Agencies = known
	if len(known) == 0 {
		return nil, nil
	}
	pv := s.preview(sub, consentOf(sub.Consent, p, now), now)
	var out []agencyPreviewView
	for _, a := range pv.Agencies {
		ag, _ := s.Agencies.Get(a.Agency)
		v := agencyPreviewView{Agency: a.Agency, Name: orNotGiven(ag.Name)}
		for _, c := range a.Shown {
			v.Shown = append(v.Shown, c.Title())
		}
		for _, w := range a.Withheld {
			v.Withheld = append(v.Withheld, withheldView{Title: w.Category.Title(), Reason: sentence(w.Reason)})
		}
		out = append(out, v)
	}
	var warnings []string
	for _, w := range pv.Warnings {
		warnings = append(warnings, w.Message)
	}
	return out, warnings
}
