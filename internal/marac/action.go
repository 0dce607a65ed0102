package marac

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
	"github.com/stalking-hub/hub/internal/vocab"
)

// MaxNote is the longest note, in characters, on a case or an action.
const MaxNote = 4000

// ActionOverdue reports whether an open action has passed its due date. The
// due date is the last day to do it: the action is overdue from the next day.
func ActionOverdue(a Action, now time.Time) bool {
	return a.Status == Open && day(now).After(a.Due)
}

// UpdateAction records a change of an action's status by p at now and
// returns the action as it becomes. The owning agency's staff and the
// coordinator move an open action to done, not_possible (the note says what
// circumstance changed) or not_done (the note says why); only the
// coordinator reopens a closed one. Anything else is a conflict. Staff of
// another agency are told the action does not exist. The note is sealed as
// w's, with w's default category, or the description's when w has none.
func UpdateAction(a Action, status, note string, w Writer, p identity.Principal, now time.Time) (Action, *problem.Error) {
	if !MaySeeAction(a, p) {
		return a, NotFound("Action")
	}
	coordinator := p.Has(identity.MARACCoordinator)
	to, err := ParseActionStatus(status)
	if err != nil {
		return a, problem.Invalidf("status", "Status must be one of %s", strings.Join(vocab.MARACActionStatuses.Values(), ", "))
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxNote {
		return a, problem.Invalidf("note", "Note is too long")
	}
	switch {
	case a.Status == Open && to == NotPossible && note == "":
		return a, problem.Invalidf("note", "Say what changed that made the action impossible")
	case a.Status == Open && to == NotDone && note == "":
		return a, problem.Invalidf("note", "Say why the action was not done")
	case a.Status == Open && to != Open:
	case a.Status != Open && to == Open && !coordinator:
		return a, problem.New(problem.Forbidden, "Only the MARAC coordinator can reopen an action")
	case a.Status != Open && to == Open:
	case a.Status == to:
		return a, problem.New(problem.Conflict, "The action is already %s", strings.ReplaceAll(string(to), "_", " "))
	default:
		return a, problem.New(problem.Conflict, "A closed action must be reopened before its status changes")
	}
	var text sealed.Text
	if note != "" {
		cat, ok := a.Description.Category()
		if w.HasDefault {
			cat, ok = w.Default, true
		}
		if !ok {
			return a, problem.Invalidf("note", "Your agency has no kind of information for its notes: ask the administrator to set free_text_category")
		}
		text = sealed.NewText(a.ReferralID, cat, w.Agency, note)
	}
	a.Status, a.Note, a.UpdatedBy, a.UpdatedAt = to, text, p.Subject, now
	return a, nil
}

// OnAgenda reports whether a case keeps its referral open to the MARAC
// member agencies (referral.Referral.OnMARAC): until its meeting is over, and
// after it while any action on the case is still open, because the owning
// agency works from the case. A case whose actions are all closed no longer shares.
func OnAgenda(m Meeting, openActions int, now time.Time) bool {
	return !m.Over(now) || openActions > 0
}

// Outstanding lists the member agencies, in members' order, that have not
// submitted research among submitted.
func Outstanding(members []string, submitted []Research) []string {
	var out []string
	for _, id := range members {
		if !slices.ContainsFunc(submitted, func(r Research) bool { return r.Agency == id }) {
			out = append(out, id)
		}
	}
	return out
}
