package justice

import (
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

// OrderStatus is where an order stands on a given day.
type OrderStatus string

// The statuses of an order.
const (
	Active     OrderStatus = "active"
	Expired    OrderStatus = "expired"
	Discharged OrderStatus = "discharged"
)

// Order is one order or set of bail conditions that protects the victim.
type Order struct {
	ID         string
	ReferralID string
	Kind       string
	Conditions sealed.Text // what the suspect must or must not do: personal data, opened only by a View
	StartsOn   time.Time
	EndsOn     time.Time // zero: until further order
	Court      string
	Reference  string
	// DischargedOn is the day a court discharged the order; zero while it stands.
	DischargedOn time.Time
	Breaches     int
	Version      int
}

// Conditions seals what an order says the suspect must or must not do, as
// the force wrote it about referral referralID: information of the orders
// category, released where the orders section is. referralID may be empty
// for a text the store files under the order's referral.
func Conditions(referralID, body string) sealed.Text {
	return sealed.NewText(referralID, category.Orders, agency.Police, body)
}

// ChangeReason seals why an order was varied, extended or discharged: it
// speaks of the order, so it is of the orders category, as the conditions.
func ChangeReason(referralID, body string) sealed.Text {
	return sealed.NewText(referralID, category.Orders, agency.Police, body)
}

// BreachSummary seals what happened in a breach of an order: of the orders
// category, as the conditions it breached.
func BreachSummary(referralID, body string) sealed.Text {
	return sealed.NewText(referralID, category.Orders, agency.Police, body)
}

// StatusOn is the order's status on day: discharged from the day it was
// discharged, expired after its last day (it is in force on the day it
// ends), active otherwise.
func StatusOn(o Order, day time.Time) OrderStatus {
	day = dateOf(day)
	switch {
	case !o.DischargedOn.IsZero() && !day.Before(dateOf(o.DischargedOn)):
		return Discharged
	case !o.EndsOn.IsZero() && day.After(dateOf(o.EndsOn)):
		return Expired
	}
	return Active
}

// DaysLeft is how many days of the order remain after day, and false for an
// order with no end date or no longer active.
func DaysLeft(o Order, day time.Time) (int, bool) {
	if o.EndsOn.IsZero() || StatusOn(o, day) != Active {
		return 0, false
	}
	return int(dateOf(o.EndsOn).Sub(dateOf(day)).Hours() / 24), true
}

// EndingWithin reports whether an active order ends within days of day.
func EndingWithin(o Order, day time.Time, days int) bool {
	left, ok := DaysLeft(o, day)
	return ok && left <= days
}

// Notice thresholds: the officer is told 28 and 7 days before an order or
// bail ends.
const (
	FirstNotice = 28
	LastNotice  = 7
)

// NoticeDue is the notice owed on day for an order whose notices up to
// sent (0, FirstNotice or LastNotice) have gone: LastNotice within seven
// days of the end, FirstNotice within 28, or 0 when none is owed. An order
// found late owes only the nearer notice, never both.
func NoticeDue(o Order, day time.Time, sent int) int {
	left, ok := DaysLeft(o, day)
	switch {
	case !ok:
		return 0
	case left <= LastNotice && sent != LastNotice:
		return LastNotice
	case left <= FirstNotice && sent == 0:
		return FirstNotice
	}
	return 0
}

// ProtectionLapses reports whether the victim is protected by an order on
// day but will not be on the day of the next meeting: every active order
// ends before it. An order with no end date protects until further order.
func ProtectionLapses(orders []Order, day, nextMeeting time.Time) bool {
	if nextMeeting.IsZero() {
		return false
	}
	protected := false
	for _, o := range orders {
		if StatusOn(o, day) != Active {
			continue
		}
		protected = true
		if StatusOn(o, nextMeeting) == Active {
			return false
		}
	}
	return protected
}

// Incidents is the count and span of a referral's incidents, dates as
// YYYY-MM-DD ("" when unknown).
type Incidents struct {
	Count       int
	First, Last string
}

// BreachProblem says why a breach on occurred cannot be recorded against o
// on day (empty when it can): a breach happens while the order is in force,
// and not in the future.
func BreachProblem(o Order, occurred, day time.Time) string {
	occurred = dateOf(occurred)
	switch {
	case occurred.After(dateOf(day)):
		return "The breach date cannot be in the future"
	case occurred.Before(dateOf(o.StartsOn)):
		return "The breach date is before the order started"
	case StatusOn(o, occurred) != Active:
		return "The order was not in force on that date"
	}
	return ""
}

// WithBreach is the referral's incidents after a breach on occurred: a
// breach is an incident, so the count rises by one, the last date moves to
// the breach if later and the first moves to it if earlier.
func WithBreach(in Incidents, occurred time.Time) Incidents {
	d := dateOf(occurred).Format(time.DateOnly)
	in.Count++
	if in.Last == "" || d > in.Last {
		in.Last = d
	}
	if in.First == "" || d < in.First {
		in.First = d
	}
	return in
}

// dateOf is the calendar day of t, at midnight UTC.
func dateOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
