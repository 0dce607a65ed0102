package marac

import (
	"time"

	"github.com/stalking-hub/hub/internal/identity"
)

// ActionUpdate is a change of an action's status (PATCH /api/v1/marac/actions/{id}).
type ActionUpdate struct {
	ID      string
	Status  string
	Note    string
	IfMatch int // the version the caller saw; 0 when not given
	By      identity.Principal
	// Writer is whose the note is and the category it holds by default.
	Writer Writer
}

// ActionCounts are the numbers on an agency's home page.
type ActionCounts struct {
	Open, Overdue int
}

// ActionChange is a chase of an action's owner or a move of its due date.
type ActionChange struct {
	Kind                string // chased, extended
	DueBefore, DueAfter time.Time
	Reason              string
	By                  string
	At                  time.Time
}

// CaseChangeRecord is an edit or a removal of a MARAC case, with its reason.
type CaseChangeRecord struct {
	Kind                            string // edited, removed
	CriterionBefore, CriterionAfter Criterion
	NoteChanged                     bool
	Reason                          string
	By                              string
	At                              time.Time
}
