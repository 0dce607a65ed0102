package web

import (
	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/sharing"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

// reasonNotReleased is why free text about a referral not released to the
// reader is withheld; reasonUnfiled why text that names no referral is.
const (
	reasonNotReleased = "the case is not released to you"
	reasonUnfiled     = "it was written before the hub kept what kind of information it holds"
)

// texts releases the free text of one request. Free text is personal data
// about the people in a referral, so it is shown only from the View that
// sharing.Release gives the reader for that referral: each referral is
// released once per request, through s.release (audited before anything is
// shown), and each text only where its View releases it.
type texts struct {
	s       *Server
	c       echo.Context
	purpose agency.Purpose
	views   map[string]*sharing.View // nil: nothing of the referral is released to the reader
}

func (s *Server) texts(c echo.Context, purpose agency.Purpose) *texts {
	return &texts{s: s, c: c, purpose: purpose, views: map[string]*sharing.View{}}
}

// with records a View already released in this request, so that its
// referral is not released (and audited) twice.
func (t *texts) with(v sharing.View) {
	t.views[v.ReferralID()] = &v
}

// without records that nothing of the referral is released to the reader.
func (t *texts) without(referralID string) {
	t.views[referralID] = nil
}

// view releases the referral to the reader once.
func (t *texts) view(referralID string) (*sharing.View, error) {
	if v, ok := t.views[referralID]; ok {
		return v, nil
	}
	v, err := t.s.release(t.c, referralID, t.purpose)
	switch {
	case err == nil:
		t.views[referralID] = &v
	case problem.CodeOf(err) == problem.NotFound:
		t.views[referralID] = nil
	default:
		return nil, err
	}
	return t.views[referralID], nil
}

// open returns x as released to the reader: its text and true, or the reason
// it is withheld and false.
func (t *texts) open(x sealed.Text) (text, withheld string, ok bool, err error) {
	if x.Referral() == "" {
		// Text that names no referral (research answered before free text
		// kept its kind, with nothing written) has no View to release it.
		return "", reasonUnfiled, false, nil
	}
	v, err := t.view(x.Referral())
	if err != nil || v == nil {
		return "", reasonNotReleased, false, err
	}
	if s, ok := v.Text(x); ok {
		return s, "", true, nil
	}
	return "", v.TextReason(x), false, nil
}

// note opens x for a list (the overdue Victims' Code updates): no text, no
// release; otherwise the text where its referral's View releases it, or
// nothing.
func (t *texts) note(x sealed.Text) (string, error) {
	if x.Empty() {
		return "", nil
	}
	s, _, _, err := t.open(x)
	return s, err
}

// releasedText is a piece of free text as a page or the API shows it.
type releasedText struct {
	Text     string
	Withheld string // why it is withheld; empty when shown or when there is none
}

// release is open for a page: the text, or why it is withheld.
func (t *texts) release(x sealed.Text) (releasedText, error) {
	if _, classified := x.Category(); x.Empty() && !classified {
		// No text at all: nothing to show, nothing withheld.
		return releasedText{}, nil
	}
	s, why, _, err := t.open(x)
	return releasedText{Text: s, Withheld: why}, err
}

// writer is whose free text the caller writes, and its default category.
func (s *Server) writer(c echo.Context) marac.Writer {
	return marac.WriterOf(principal(c), s.Agencies)
}

// textCategoryField is the choice of the kind of information a piece of
// free text holds, as a form draws it (partials/text-category.html).
type textCategoryField struct {
	ID, Name, Label, Error string
	// Empty labels an option for no choice, when there is one: the writer's
	// default then applies on the server.
	Empty   string
	Options []textCategoryOption
}

type textCategoryOption struct {
	Value, Label string
	Selected     bool
}

// textCategory draws the choice for form field name (element id): chosen is
// what the writer picked (empty on a fresh form: the writer's default is
// selected; without one, the writer must choose).
func textCategory(id, name, label, chosen string, w marac.Writer, errs map[string]string) textCategoryField {
	f := textCategoryField{ID: id, Name: name, Label: label, Error: errs[name]}
	switch {
	case chosen == "" && w.HasDefault:
		chosen = w.Default.String()
	case !w.HasDefault:
		f.Empty = "Choose the kind of information"
	}
	for _, c := range category.All() {
		f.Options = append(f.Options, textCategoryOption{Value: c.String(), Label: c.Title(), Selected: c.String() == chosen})
	}
	return f
}
