package consent

// OverrideRequest is a request to share without consent with the referral
// it concerns.
type OverrideRequest struct {
	Override
	ReferralID string
	Reference  string
}
