package marac

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
	"github.com/stalking-hub/hub/internal/vocab"
)

// MaxDescription is the longest action description, in characters.
const MaxDescription = 2000

// Writer is who writes a piece of free text on a case: the agency whose text
// it is (police for the force, the coordinator's agreement for the
// coordinator) and the category its text holds unless the writer chooses
// another (HasDefault false when its file names none).
type Writer struct {
	Agency     string
	Default    category.Category
	HasDefault bool
}

// WriterOf is whose free text p writes: agency staff write for their agency,
// the coordinator under the coordinator's agreement, officers and
// supervisors for the police. A writer with no file in d has no default.
func WriterOf(p identity.Principal, d *agency.Directory) Writer {
	var a agency.Agency
	var ok bool
	switch {
	case p.Has(identity.AgencyStaff) && p.Agency != "":
		a, ok = d.Get(p.Agency)
	case p.Has(identity.MARACCoordinator):
		a, ok = d.Coordinator()
	case p.Police():
		a, ok = d.Get(agency.Police)
	}
	if !ok {
		return Writer{Agency: attendsFor(p)}
	}
	return Writer{Agency: a.ID, Default: a.FreeText, HasDefault: a.HasFreeText}
}

// text seals body as the writer's, with the category chosen by name or the
// writer's default, noting in fields under field when neither will do.
func (w Writer) text(fields map[string]string, field, chosen, body string) sealed.Text {
	c, err := category.ForText(chosen, w.Default, w.HasDefault)
	if err != nil {
		fields[field] = strings.ToUpper(err.Error()[:1]) + err.Error()[1:]
		return sealed.Text{}
	}
	return sealed.NewText("", c, w.Agency, body)
}

// NewMeeting is a meeting as the coordinator plans it (POST /api/v1/marac/meetings).
type NewMeeting struct {
	Date  string `json:"date"`
	Panel string `json:"panel"`
}

// Validate checks a planned meeting: a date (YYYY-MM-DD) from today on, and
// one of the configured panels. It returns the meeting to store.
func (n NewMeeting) Validate(panels []string, now time.Time) (Meeting, *problem.Error) {
	fields := map[string]string{}
	date := dateField(fields, "date", n.Date, "the meeting")
	if !date.IsZero() && date.Before(day(now)) {
		fields["date"] = "The meeting date cannot be in the past"
	}
	switch {
	case strings.TrimSpace(n.Panel) == "":
		fields["panel"] = "Choose the MARAC panel"
	case !slices.Contains(panels, n.Panel):
		fields["panel"] = "Choose a MARAC panel from the list"
	}
	if len(fields) > 0 {
		return Meeting{}, problem.Fields(fields)
	}
	return Meeting{Panel: n.Panel, Date: date}, nil
}

// NewCase is a referral put on a meeting's agenda (POST /api/v1/marac/meetings/{id}/cases).
type NewCase struct {
	Referral  string `json:"referral"`
	Criterion string `json:"criterion"`
	Note      string `json:"note"`
	// NoteCategory is the kind of information the note holds; the
	// coordinator's default when empty.
	NoteCategory string `json:"note_category"`
}

// Validate checks a case: the referral's id, a criterion, and a note, which
// professional judgement needs because the concern must be said, sealed as
// w's with its category.
func (n NewCase) Validate(w Writer) (Case, *problem.Error) {
	fields := map[string]string{}
	if strings.TrimSpace(n.Referral) == "" {
		fields["referral"] = "Choose the referral"
	}
	c, err := ParseCriterion(n.Criterion)
	if err != nil {
		fields["criterion"] = "Criterion must be one of " + strings.Join(vocab.MARACCriteria.Values(), ", ")
	}
	note := strings.TrimSpace(n.Note)
	switch {
	case utf8.RuneCountInString(note) > MaxNote:
		fields["note"] = "Note is too long"
	case note == "" && c == ProfessionalJudgement:
		fields["note"] = "Say what the professional concern is"
	}
	var sealedNote sealed.Text
	if note != "" {
		sealedNote = w.text(fields, "note_category", n.NoteCategory, note)
	}
	if len(fields) > 0 {
		return Case{}, problem.Fields(fields)
	}
	return Case{ReferralID: strings.TrimSpace(n.Referral), Criterion: c, Note: sealedNote}, nil
}

// NewResearch is what a member agency holds on a case (POST /api/v1/marac/cases/{id}/research).
// The two answers are pointers so that a missing answer is not taken for "no".
type NewResearch struct {
	Summary        string `json:"summary"`
	KnownToService *bool  `json:"known_to_service"`
	OpenCase       *bool  `json:"open_case"`
	// Category is the kind of information the summary holds; the agency's
	// default when empty.
	Category string `json:"category"`
}

// Validate checks research: both answers given, a summary when the person is
// known to the service, and no open case for a person the service does not
// know. The summary is sealed as w's with its category.
func (n NewResearch) Validate(w Writer) (Research, *problem.Error) {
	fields := map[string]string{}
	if n.KnownToService == nil {
		fields["known_to_service"] = "Say whether the person is known to the service"
	}
	if n.OpenCase == nil {
		fields["open_case"] = "Say whether the service has an open case"
	}
	known := n.KnownToService != nil && *n.KnownToService
	open := n.OpenCase != nil && *n.OpenCase
	if open && n.KnownToService != nil && !known {
		fields["open_case"] = "An open case means the person is known to the service"
	}
	summary := strings.TrimSpace(n.Summary)
	switch {
	case utf8.RuneCountInString(summary) > MaxNote:
		fields["summary"] = "Summary is too long"
	case summary == "" && known:
		fields["summary"] = "Summarise what the service holds"
	}
	// The answers are released with the summary, so research carries its
	// category even when the summary is empty.
	text := w.text(fields, "category", n.Category, summary)
	if len(fields) > 0 {
		return Research{}, problem.Fields(fields)
	}
	return Research{Agency: w.Agency, Summary: text, KnownToService: known, OpenCase: open}, nil
}

// NewAction is an action agreed at the meeting (POST /api/v1/marac/cases/{id}/actions).
type NewAction struct {
	Agency      string `json:"agency"`
	Description string `json:"description"`
	Due         string `json:"due"`
	// Category is the kind of information the description holds; the
	// coordinator's default when empty.
	Category string `json:"category"`
}

// Validate checks an action: an owning agency among owners, a description,
// and a due date (YYYY-MM-DD) from today on. It returns the open action to
// store, its description sealed as w's with its category.
func (n NewAction) Validate(owners []string, w Writer, now time.Time) (Action, *problem.Error) {
	fields := map[string]string{}
	switch {
	case strings.TrimSpace(n.Agency) == "":
		fields["agency"] = "Choose the agency that owns the action"
	case !slices.Contains(owners, n.Agency):
		fields["agency"] = "Choose an agency from the list"
	}
	desc := strings.TrimSpace(n.Description)
	switch {
	case desc == "":
		fields["description"] = "Describe the action"
	case utf8.RuneCountInString(desc) > MaxDescription:
		fields["description"] = "Description is too long"
	}
	due := dateField(fields, "due", n.Due, "the due date")
	if !due.IsZero() && due.Before(day(now)) {
		fields["due"] = "The due date cannot be in the past"
	}
	var text sealed.Text
	if desc != "" {
		text = w.text(fields, "category", n.Category, desc)
	}
	if len(fields) > 0 {
		return Action{}, problem.Fields(fields)
	}
	return Action{Agency: n.Agency, Description: text, Due: due, Status: Open}, nil
}

// dateField parses a YYYY-MM-DD field, noting in fields when it is missing or
// malformed; it returns the zero time then.
func dateField(fields map[string]string, name, value, what string) time.Time {
	if strings.TrimSpace(value) == "" {
		fields[name] = "Enter " + what
		return time.Time{}
	}
	d, err := time.Parse(time.DateOnly, value)
	if err != nil {
		fields[name] = "Enter " + what + " as YYYY-MM-DD"
		return time.Time{}
	}
	return d
}

// CaseEdit is the coordinator's change to a case on an agenda (PATCH
// /api/v1/marac/cases/{id}): a new criterion, a new note, or both, and why.
// A field left out is left as it is.
type CaseEdit struct {
	Criterion *string `json:"criterion"`
	Note      *string `json:"note"`
	// NoteCategory is the kind of information the new note holds; the
	// coordinator's default when empty.
	NoteCategory string `json:"note_category"`
	Reason       string `json:"reason"`
}

// CaseChange is a validated edit of a case: its criterion after the edit,
// its new note when NoteChanged, and the reason.
type CaseChange struct {
	Criterion   Criterion
	Note        sealed.Text
	NoteChanged bool
	Reason      string
}

// Validate checks an edit of case c: a reason, a known criterion, something
// changed, and a note saying the concern when the case moves to professional
// judgement. The new note is sealed as w's with its category.
func (e CaseEdit) Validate(c Case, w Writer) (CaseChange, *problem.Error) {
	fields := map[string]string{}
	ch := CaseChange{Criterion: c.Criterion, Reason: strings.TrimSpace(e.Reason)}
	if e.Criterion != nil {
		crit, err := ParseCriterion(*e.Criterion)
		if err != nil {
			fields["criterion"] = "Criterion must be one of " + strings.Join(vocab.MARACCriteria.Values(), ", ")
		}
		ch.Criterion = crit
	}
	note := ""
	if e.Note != nil {
		note = strings.TrimSpace(*e.Note)
		ch.NoteChanged = true
	}
	switch {
	case utf8.RuneCountInString(note) > MaxNote:
		fields["note"] = "Note is too long"
	case ch.Criterion == ProfessionalJudgement && c.Criterion != ProfessionalJudgement && note == "":
		fields["note"] = "Say what the professional concern is"
	case ch.Criterion == ProfessionalJudgement && ch.NoteChanged && note == "":
		fields["note"] = "Say what the professional concern is"
	}
	if note != "" {
		ch.Note = w.text(fields, "note_category", e.NoteCategory, note)
	}
	switch {
	case ch.Reason == "":
		fields["reason"] = "Say why the case is changed"
	case utf8.RuneCountInString(ch.Reason) > MaxNote:
		fields["reason"] = "Reason is too long"
	}
	if _, bad := fields["criterion"]; !bad && ch.Criterion == c.Criterion && !ch.NoteChanged {
		fields["criterion"] = "Change the criterion or the note"
	}
	if len(fields) > 0 {
		return CaseChange{}, problem.Fields(fields)
	}
	return ch, nil
}

// CaseRemoval is why the coordinator takes a case off its meeting's agenda
// (POST /api/v1/marac/cases/{id}/remove).
type CaseRemoval struct {
	Reason string `json:"reason"`
}

// Validate checks a removal has its reason, and returns it trimmed.
func (r CaseRemoval) Validate() (string, *problem.Error) {
	reason := strings.TrimSpace(r.Reason)
	switch {
	case reason == "":
		return "", problem.Invalidf("reason", "Say why the case is removed")
	case utf8.RuneCountInString(reason) > MaxNote:
		return "", problem.Invalidf("reason", "Reason is too long")
	}
	return reason, nil
}

// Minutes are what the meeting minuted on a case: the risks discussed, the
// decisions, and the actions agreed, each sealed with the category the
// writer chose (the coordinator's default otherwise). Restricted like the
// case note: read only through the reader's view.
type Minutes struct {
	CaseID    string
	Risks     sealed.Text
	Decisions sealed.Text
	Actions   sealed.Text
	WrittenBy string
	WrittenAt time.Time
}

// NewMinutes are a case's minutes as written (PUT /api/v1/marac/cases/{id}/minutes).
type NewMinutes struct {
	Risks     string `json:"risks"`
	Decisions string `json:"decisions"`
	Actions   string `json:"actions"`
	// Category is the kind of information the minutes hold; the
	// coordinator's default when empty.
	Category string `json:"category"`
}

// Validate checks minutes: at least the risks or the decisions, none too
// long; each part is sealed as w's with the category chosen.
func (n NewMinutes) Validate(w Writer) (Minutes, *problem.Error) {
	fields := map[string]string{}
	parts := []struct {
		field, text string
		out         *sealed.Text
	}{{"risks", n.Risks, nil}, {"decisions", n.Decisions, nil}, {"actions", n.Actions, nil}}
	var m Minutes
	parts[0].out, parts[1].out, parts[2].out = &m.Risks, &m.Decisions, &m.Actions
	empty := true
	for _, p := range parts {
		t := strings.TrimSpace(p.text)
		if utf8.RuneCountInString(t) > MaxNote {
			fields[p.field] = "Too long: keep it to 4,000 characters"
		}
		if t != "" {
			empty = false
			*p.out = w.text(fields, "category", n.Category, t)
		}
	}
	if empty {
		fields["risks"] = "Write the risks discussed, the decisions or the actions agreed"
	}
	if len(fields) > 0 {
		return Minutes{}, problem.Fields(fields)
	}
	return m, nil
}
