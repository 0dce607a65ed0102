package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/consent"
	"github.com/stalking-hub/hub/internal/problem"
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

// apiAddConsent records a new consent decision; a withdrawal applies to every
// read after it.
func (s *Server) apiAddConsent(c echo.Context) error {
	var b consentBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	cats, perr := parseCategories("categories", b.Categories)
	if perr != nil {
		return perr
	}
	obtained, perr := parseDay("obtained_on", b.ObtainedOn)
	if perr != nil {
		return perr
	}
	review, perr := parseDay("review_on", b.ReviewOn)
	if perr != nil {
		return perr
	}
	rec := consent.Consent{Decision: consent.Decision(b.Decision), Reason: b.Reason, Agencies: b.Agencies, Categories: cats,
		Method: consent.Method(b.Method), ObtainedOn: obtained, ReviewOn: review}
	if perr := consent.ValidateConsent(rec, s.isRecipient, s.Now()); perr != nil {
		return perr
	}
	saved, err := s.DB.AddConsent(c.Request().Context(), c.Param("id"), rec, principal(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, consentJSON(saved))
}

func consentJSON(c consent.Consent) map[string]any {
	return map[string]any{"id": c.ID, "decision": c.Decision, "agencies": nonNil(c.Agencies), "categories": c.Categories.List(),
		"method": c.Method, "obtained_on": dateOrEmpty(c.ObtainedOn), "review_on": dateOrEmpty(c.ReviewOn), "recorded_at": c.RecordedAt.UTC()}
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
	Basis      string   `json:"basis"`
	Rationale  string   `json:"rationale"`
	Agencies   []string `json:"agencies"`
	Categories []string `json:"categories"`
	Until      string   `json:"until"`
}

// apiRequestOverride records an officer's request to share without consent.
func (s *Server) apiRequestOverride(c echo.Context) error {
	var b overrideBody
	if err := decodeStrict(c, &b); err != nil {
		return err
	}
	cats, perr := parseCategories("categories", b.Categories)
	if perr != nil {
		return perr
	}
	until, perr := parseDay("until", b.Until)
	if perr != nil {
		return perr
	}
	o := consent.Override{Basis: b.Basis, Rationale: b.Rationale, Agencies: b.Agencies, Categories: cats, Until: until}
	if perr := consent.ValidateOverride(o, s.Config.Sharing.LawfulBases, s.isRecipient, s.Now()); perr != nil {
		return perr
	}
	saved, err := s.DB.RequestOverride(c.Request().Context(), c.Param("id"), o, principal(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, overrideJSON(saved))
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
	p := principal(c)
	o, err := s.DB.DecideOverride(c.Request().Context(), c.Param("id"), func(o consent.Override) (consent.Override, error) {
		return consent.Decide(o, p, *b.Approve, b.Note, s.Now(), s.Config.Session.Reauth.Duration)
	}, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, overrideJSON(o))
}

func overrideJSON(o consent.Override) map[string]any {
	out := map[string]any{"id": o.ID, "basis": o.Basis, "agencies": nonNil(o.Agencies), "categories": o.Categories.List(),
		"until": dateOrEmpty(o.Until), "status": o.Status, "requested_at": o.RequestedAt.UTC()}
	if !o.DecidedAt.IsZero() {
		out["decided_at"] = o.DecidedAt.UTC()
	}
	return out
}
