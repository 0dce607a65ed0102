package identity

import "time"

// SigninState is what the hub remembers of one redirect to the provider:
// used once, then deleted.
// Browser is the SHA-256 of the cookie the browser that started the sign-in
// holds: the callback must come from that browser.
type SigninState struct {
	State, Nonce, Verifier, ReturnTo, Browser string
	CreatedAt                                 time.Time
}

// Session is a signed-in browser. The cookie holds a random token; the
// database holds only its hash. Grant is what the provider's claims gave at
// sign-in; the memberships are added to it again on every request.
type Session struct {
	Principal Principal
	Grant     Grant
	IDToken   string // kept for RP-initiated logout's id_token_hint
	CSRF      string // the token every state-changing form must carry
	CreatedAt time.Time
	LastSeen  time.Time
}

// Membership gives a person (by e-mail) a role, and for agency staff an agency.
// Admins keep memberships in the hub, beside the roles that claims give.
type Membership struct {
	Email     string
	Role      Role
	Agency    string
	GrantedBy string
	GrantedAt time.Time
}
