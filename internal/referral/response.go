package referral

// Response times: whether an agency answered a share within the time its
// agreement gives for the referral's risk level. The outcomes report counts
// them in SQL, held to these rules by the store's tests.

// AnsweredInTime reports whether the agency first answered the share
// (accepted or declined it) within its response time: no later than its
// due time.
func (s Share) AnsweredInTime() bool {
	return !s.AnsweredAt.IsZero() && !s.AnsweredAt.After(s.DueAt)
}

// AcceptedInTime reports whether the agency accepted the share no later
// than its due time.
func (s Share) AcceptedInTime() bool {
	return !s.AcceptedAt.IsZero() && !s.AcceptedAt.After(s.DueAt)
}
