package identity

// LateSession is a session that has timed out but is still on record: whose
// it was and the form token it gave, so that a form it posted can be kept
// for that person only.
type LateSession struct {
	Subject, CSRF string
}

// MembershipRequest is a privileged membership asked for in the hub's pages,
// waiting for a second administrator.
type MembershipRequest struct {
	ID          string
	Membership  Membership
	RequestedBy string // the requesting admin's subject
	Requester   string // the requesting admin's e-mail address
}
