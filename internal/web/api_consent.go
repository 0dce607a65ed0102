package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

type consentBody struct {
	Decision   string   `json:"decision"`
	Reason     string   `json:"reason"`
	Agencies   []string `json:"agencies"`
	Categories []string `json:"categories"`
	Method     string   `json:"method"`
	ObtainedOn string   `json:"obtained_on"`
	ReviewOn   string   `json:"review_on"`
}

// parseCategories reads category names, naming the first unknown one.
func parseCategories(field string, names []string) (category.Set, *problem.Error) {
	var set category.Set
	for i, n := range names {
		c, err := category.Parse(n)
		if err != nil {
			return 0, problem.Invalidf(field+"["+itoa(i)+"]", "%s is not a kind of information the hub knows", field)
		}
		set = set.Add(c)
	}
	return set, nil
}

// parseDay reads a YYYY-MM-DD date, empty as zero.
func parseDay(field, s string) (time.Time, *problem.Error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return t, problem.Invalidf(field, "%s must be a date as YYYY-MM-DD", field)
	}
	return t, nil
}

// newConsent reads a consent decision as an officer entered it, through the
// API or the consent page, and checks it. Every field in error is named; a
// field that could not be read keeps that message over any other.
func (s *Server) newConsent(b consentBody) (consent.Consent, *problem.Error) {
	errs := map[string]string{}
	cats, perr := parseCategories("categories", b.Categories)
	mergeFields(errs, perr)
	obtained, perr := parseDay("obtained_on", b.ObtainedOn)
	mergeFields(errs, perr)
	review, perr := parseDay("review_on", b.ReviewOn)
	mergeFields(errs, perr)
	rec := consent.Consent{Decision: consent.Decision(b.Decision), Reason: b.Reason, Agencies: b.Agencies, Categories: cats,
		Method: consent.Method(b.Method), ObtainedOn: obtained, ReviewOn: review}
	mergeFields(errs, consent.ValidateConsent(rec, s.isRecipient, s.Now()))
	if len(errs) > 0 {
		return rec, problem.Fields(errs)
	}
	return rec, nil
}

// mergeFields adds the fields of a validation problem to errs, keeping a
// message already there.
func mergeFields(errs map[string]string, perr *problem.Error) {
	if perr == nil {
		return
	}
	for k, v := range perr.Fields {
		if _, ok := errs[k]; !ok {
			errs[k] = v
		}
	}
}

// apiAddConsent records a new consent decision; a withdrawal applies to every
// read after it.
func (s *Server) apiAddConsent(c echo.Context) error {
	var b consentBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	rec, perr := s.newConsent(b)
	if perr != nil {
		return perr
	}
	saved, err := s.DB.AddConsent(c.Request().Context(), c.Param("id"), rec, principal(c))
	if err != nil {
		return err
	}
	return answer(c, http.StatusCreated, consentJSON(saved))
}

func consentJSON(c consent.Consent) jsonObject {
	return jsonObject{"id": c.ID, "decision": c.Decision, "agencies": nonNil(c.Agencies), "categories": categoryList(c.Categories),
		"method": c.Method, "obtained_on": dateOrEmpty(c.ObtainedOn), "review_on": dateOrEmpty(c.ReviewOn), "recorded_at": c.RecordedAt.UTC()}
}

// categoryList is a set as a JSON array: empty, never null.
func categoryList(set category.Set) []category.Category {
	if l := set.List(); l != nil {
		return l
	}
	return []category.Category{}
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func dateOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

type overrideBody struct {
	Basis     string `json:"basis"`
	Rationale string `json:"rationale"`
	// RationaleCategory is the kind of information the rationale holds; the
	// force's default (agencies/police.toml free_text_category) when empty.
	RationaleCategory string   `json:"rationale_category,omitempty"`
	Agencies          []string `json:"agencies"`
	Categories        []string `json:"categories"`
	Until             string   `json:"until"`
}

// newOverride reads a request to share without consent as an officer entered
// it, through the API or the request page, and checks it, naming every field
// in error.
func (s *Server) newOverride(b overrideBody) (consent.Override, *problem.Error) {
	errs := map[string]string{}
	cats, perr := parseCategories("categories", b.Categories)
	mergeFields(errs, perr)
	until, perr := parseDay("until", b.Until)
	mergeFields(errs, perr)
	o := consent.Override{Basis: b.Basis, Agencies: b.Agencies, Categories: cats, Until: until}
	if rationale := strings.TrimSpace(b.Rationale); rationale != "" {
		// The force writes the rationale: police.toml's category unless the
		// officer chose another.
		force, _ := s.Agencies.Get(agency.Police)
		cat, err := category.ForText(b.RationaleCategory, force.FreeText, force.HasFreeText)
		if err != nil {
			errs["rationale_category"] = sentence(err.Error())
		}
		o.Rationale = sealed.NewText("", cat, agency.Police, rationale)
	}
	mergeFields(errs, consent.ValidateOverride(o, s.Config.Sharing.LawfulBases, s.isRecipient, s.Now()))
	if len(errs) > 0 {
		return o, problem.Fields(errs)
	}
	return o, nil
}

// apiRequestOverride records an officer's request to share without consent.
func (s *Server) apiRequestOverride(c echo.Context) error {
	var b overrideBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	o, perr := s.newOverride(b)
	if perr != nil {
		return perr
	}
	saved, err := s.DB.RequestOverride(c.Request().Context(), c.Param("id"), o, principal(c))
	if err != nil {
		return err
	}
	return answer(c, http.StatusCreated, overrideJSON(saved))
}

type decisionBody struct {
	Approve *bool  `json:"approve"`
	Note    string `json:"note"`
}

// apiDecideOverride is a supervisor's decision on a request to share without
// consent: never their own, and only after a fresh sign-in.
func (s *Server) apiDecideOverride(c echo.Context) error {
	var b decisionBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	if b.Approve == nil {
		return problem.Invalidf("approve", "approve must be true or false")
	}
	o, err := s.decideOverride(c, c.Param("id"), *b.Approve, b.Note)
	if err != nil {
		return err
	}
	return answer(c, http.StatusOK, overrideJSON(o))
}

// decideOverride stores the caller's decision on a request to share without
// consent; consent.Decide, inside the store's transaction, says whether they
// may make it.
func (s *Server) decideOverride(c echo.Context, id string, approve bool, note string) (consent.Override, error) {
	p := principal(c)
	return s.DB.DecideOverride(c.Request().Context(), id, func(o consent.Override) (consent.Override, error) {
		return consent.Decide(o, p, approve, note, s.Now(), s.Config.Session.Reauth.Duration)
	}, p)
}

func overrideJSON(o consent.Override) jsonObject {
	out := jsonObject{"id": o.ID, "basis": o.Basis, "agencies": nonNil(o.Agencies), "categories": categoryList(o.Categories),
		"until": dateOrEmpty(o.Until), "status": o.Status, "requested_at": o.RequestedAt.UTC()}
	if !o.DecidedAt.IsZero() {
		out["decided_at"] = o.DecidedAt.UTC()
	}
	return out
}
