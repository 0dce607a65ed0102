package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/risk"
	"github.com/stalking-hub/hub/internal/sharing"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
	"github.com/stalking-hub/hub/internal/store"
)

// sharesRoutes are the routes of a referral after it is sent that part 12b
// of issue 12 adds: more agencies, withdrawal, preview and messages.
func (s *Server) sharesRoutes() []Route {
	api := func(method, path string, roles []identity.Role, h echo.HandlerFunc) Route {
		return Route{Method: method, Path: "/api/v1" + path, Access: Roles, Roles: roles, Handler: h}
	}
	page := func(path string, h echo.HandlerFunc) Route {
		return Route{Method: http.MethodPost, Path: path, Access: Roles, Roles: officer, CSRF: true, Handler: h}
	}
	threads := []identity.Role{identity.Officer, identity.Supervisor, identity.AgencyStaff}
	return []Route{
		api(http.MethodPost, "/referrals/preview", officer, s.apiPreview),
		api(http.MethodPost, "/referrals/:id/shares", officer, s.apiAddShare),
		api(http.MethodPost, "/referrals/:id/shares/:agency/withdraw", officer, s.apiWithdrawShare),
		api(http.MethodGet, "/referrals/:id/messages", threads, s.apiMessages),
		api(http.MethodPost, "/referrals/:id/messages", threads, s.apiPostMessage),
		page("/referrals/:id/shares", s.addSharePage),
		page("/referrals/:id/withdraw", s.withdrawSharePage),
	}
}

// maxShareText bounds the request to an agency and the reason for a withdrawal.
const maxShareText = 2000

type addShareBody struct {
	Agency  string `json:"agency"`
	Request string `json:"request"`
}

// checkAddShare names what is wrong with a new share: the agency must be a
// recipient in agencies/.
func (s *Server) checkAddShare(b addShareBody) map[string]string {
	errs := map[string]string{}
	switch {
	case strings.TrimSpace(b.Agency) == "":
		errs["agency"] = "Choose the agency to send the referral to"
	case !s.isRecipient(b.Agency):
		errs["agency"] = "agency must be one of the agencies the hub knows (GET /api/v1/agencies), not the police"
	}
	if len([]rune(b.Request)) > maxShareText {
		errs["request"] = fmt.Sprintf("What you ask of the agency must be %d characters or fewer", maxShareText)
	}
	return errs
}

// addShare sends the referral to one more agency, its answer time from the
// referral's risk as it stands now.
func (s *Server) addShare(c echo.Context, id string, b addShareBody) (referral.Share, error) {
	now := s.Now()
	a, _ := s.Agencies.Get(b.Agency)
	return s.DB.AddShare(c.Request().Context(), referral.AddedShare{ReferralID: id, Agency: b.Agency, Request: strings.TrimSpace(b.Request),
		Due: func(l risk.Level) time.Time { return now.Add(a.ResponseTime(l)) }, Actor: principal(c)})
}

// apiAddShare sends a sent referral to one more agency: 201 with the share,
// 409 if the agency already has it.
func (s *Server) apiAddShare(c echo.Context) error {
	var b addShareBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	if errs := s.checkAddShare(b); len(errs) > 0 {
		return problem.Fields(errs)
	}
	sh, err := s.addShare(c, c.Param("id"), b)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", store.ETag(sh.Version))
	return answer(c, http.StatusCreated, shareJSONOf(sh, true, s.Now()))
}

type withdrawBody struct {
	Reason string `json:"reason"`
}

func checkWithdraw(b withdrawBody) map[string]string {
	switch r := strings.TrimSpace(b.Reason); {
	case r == "":
		return map[string]string{"reason": "Say why the referral is withdrawn from this agency"}
	case len([]rune(r)) > maxShareText:
		return map[string]string{"reason": fmt.Sprintf("The reason must be %d characters or fewer", maxShareText)}
	}
	return nil
}

// apiWithdrawShare takes the referral back from one agency, with a reason
// the force alone reads.
func (s *Server) apiWithdrawShare(c echo.Context) error {
	var b withdrawBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	if errs := checkWithdraw(b); len(errs) > 0 {
		return problem.Fields(errs)
	}
	sh, err := s.DB.WithdrawShare(c.Request().Context(), c.Param("id"), c.Param("agency"), strings.TrimSpace(b.Reason), principal(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", store.ETag(sh.Version))
	return answer(c, http.StatusOK, shareJSONOf(sh, true, s.Now()))
}

// previewJSON is what each named agency would see of a referral sent now.
type previewJSON struct {
	Agencies []agencyPreviewJSON `json:"agencies"`
	Warnings []previewWarning    `json:"warnings"`
}

type agencyPreviewJSON struct {
	Agency   string              `json:"agency"`
	Shown    []category.Category `json:"shown"`
	Withheld []withheldJSON      `json:"withheld"`
}

type previewWarning struct {
	Agency  string `json:"agency"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// preview decides, with sharing.Release itself, what each agency named in
// the submission would see of it if it were sent now. Nothing is saved and
// nothing is released, so nothing is audited: the officer is shown only
// categories and reasons, never content. A category the referral holds
// nothing for is neither shown nor withheld.
func (s *Server) preview(sub referral.Submission, cons consent.Consent, now time.Time) previewJSON {
	r := &referral.Referral{ID: "preview", Risk: risk.Level(sub.Risk.Level)}
	if cons.Decision != "" {
		r.Consents = []consent.Consent{cons}
	}
	for i, b := range sub.Sections() {
		if b != nil {
			r.Sections[i] = sealed.NewSection(b)
		}
	}
	for _, a := range sub.Agencies {
		r.Shares = append(r.Shares, referral.Share{Agency: a.Agency, Status: referral.Sent, Risk: r.Risk, SentAt: now})
	}
	out := previewJSON{Agencies: []agencyPreviewJSON{}, Warnings: []previewWarning{}}
	for _, a := range sub.Agencies {
		ap := agencyPreviewJSON{Agency: a.Agency, Shown: []category.Category{}, Withheld: []withheldJSON{}}
		reader := identity.Principal{Subject: "preview", Roles: []identity.Role{identity.AgencyStaff}, Agency: a.Agency}
		v, err := sharing.Release(reader, r, agency.Referral, s.Agencies, now)
		for _, d := range v.Decisions() {
			if r.Sections[d.Category].Empty() {
				continue
			}
			if err == nil && d.Shown {
				ap.Shown = append(ap.Shown, d.Category)
			} else {
				ap.Withheld = append(ap.Withheld, withheldJSON{Category: d.Category, Reason: d.Reason()})
			}
		}
		if len(ap.Shown) == 0 {
			name := a.Agency
			if ag, ok := s.Agencies.Get(a.Agency); ok && ag.Name != "" {
				name = ag.Name
			}
			out.Warnings = append(out.Warnings, previewWarning{Agency: a.Agency, Code: "sees_nothing",
				Message: name + " would see nothing of this referral. Record the victim's consent to share with " + name +
					", or ask a supervisor to share without consent."})
		}
		out.Agencies = append(out.Agencies, ap)
	}
	return out
}

// apiPreview answers what each named agency would see of a referral if it
// were sent now: the same body as POST /api/v1/referrals, nothing saved.
func (s *Server) apiPreview(c echo.Context) error {
	_, sub, in, err := s.readReferral(c)
	if err != nil {
		return err
	}
	return answer(c, http.StatusOK, s.preview(sub, in.Consent, s.Now()))
}

type threadJSON struct {
	Agency   string        `json:"agency"`
	Messages []messageJSON `json:"messages"`
}

type messageJSON struct {
	From      string    `json:"from"`
	CreatedAt time.Time `json:"created_at"`
	// Body is the message as released to the reader; absent when withheld.
	Body     *string `json:"body,omitempty"`
	Withheld string  `json:"withheld,omitempty"` // why the body is withheld
	Mine     bool    `json:"from_my_side"`       // written by the reader's side
}

// apiMessages answers the message threads the reader may read, as the
// referral page shows them: every agency's for the force, its own for an
// agency. The referral is released (and audited) first; each message is
// opened through that View. The police reading them clears the referral's
// attention for the agencies' messages.
func (s *Server) apiMessages(c echo.Context) error {
	return s.answerThreads(c, http.StatusOK)
}

type threadsJSON struct {
	Threads []threadJSON `json:"threads"`
}

// answerThreads releases the referral to the caller and answers its threads.
func (s *Server) answerThreads(c echo.Context, status int) error {
	id := c.Param("id")
	v, err := s.release(c, id, agency.Referral)
	if err != nil {
		return err
	}
	p := principal(c)
	pg := referralPage{Police: v.Agency() == agency.Police && !v.Restricted()}
	for _, sh := range v.Shares() {
		a, _ := s.Agencies.Get(sh.Agency)
		sv := shareView{Agency: sh.Agency, Name: orNotGiven(a.Name)}
		if sh.Agency == p.Agency && p.Has(identity.AgencyStaff) {
			own := sv
			pg.Own = &own
		}
		pg.Shares = append(pg.Shares, sv)
	}
	if !pg.Police && pg.Own == nil {
		// A reader with no thread (an auditor) learns nothing more.
		return referral.NotFound()
	}
	if err := s.threadsOf(c, v, &pg); err != nil {
		return err
	}
	out := threadsJSON{Threads: []threadJSON{}}
	for _, t := range pg.Threads {
		tj := threadJSON{Agency: t.Agency, Messages: []messageJSON{}}
		for _, m := range t.Messages {
			at, _ := time.Parse(time.RFC3339, m.ISO)
			mj := messageJSON{From: m.From, CreatedAt: at, Withheld: m.Withheld, Mine: m.Sent}
			if m.Withheld == "" {
				b := strings.Join(m.Lines, "\n")
				mj.Body = &b
			}
			tj.Messages = append(tj.Messages, mj)
		}
		out.Threads = append(out.Threads, tj)
	}
	if pg.Police && p.Has(identity.Officer) {
		if err := s.DB.MessagesRead(c.Request().Context(), id); err != nil {
			return err
		}
	}
	return answer(c, status, out)
}

type messageBody struct {
	Agency   string `json:"agency"`
	Body     string `json:"body"`
	Category string `json:"category"`
}

// apiPostMessage adds a message: the police to the thread of the agency
// they name, agency staff to their own agency's thread. 201 with the
// threads as GET answers them.
func (s *Server) apiPostMessage(c echo.Context) error {
	var b messageBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	id, p := c.Param("id"), principal(c)
	target, side := p.Agency, p.Agency
	errs := map[string]string{}
	if forceReader(p) {
		target, side = strings.TrimSpace(b.Agency), agency.Police
		if target == "" {
			errs["agency"] = "Name the agency whose thread the message goes to"
		}
	} else if b.Agency != "" && b.Agency != p.Agency {
		errs["agency"] = "Agency staff write only on their own agency's thread: leave agency out"
	}
	body := strings.TrimSpace(b.Body)
	switch {
	case body == "":
		errs["body"] = "Enter a message"
	case len([]rune(body)) > maxMessage:
		errs["body"] = fmt.Sprintf("Message must be %d characters or fewer", maxMessage)
	}
	if len(errs) > 0 {
		return problem.Fields(errs)
	}
	cat, ok := s.messageCategory(b.Category, side, target)
	if !ok {
		return problem.Invalidf("category", "category must be a kind of information your agency writes about (see GET /api/v1/agencies), or left out")
	}
	if err := s.DB.AddMessage(c.Request().Context(), id, target, referral.Message{AuthorSide: side, Body: sealed.NewText("", cat, side, body)}, p); err != nil {
		return err
	}
	return s.answerThreads(c, http.StatusCreated)
}
