package referral

import "github.com/stalking-hub/hub/internal/vocab"

// DeclineReasons are the kinds of reason an agency may give for declining,
// as the registry lists them. A code is metadata, not personal data: the
// details of a reason or an outcome stay in the sealed free text.
var DeclineReasons = vocab.DeclineReasons

// ClosingOutcomes are the kinds of outcome an agency may record on closing.
var ClosingOutcomes = vocab.ClosingOutcomes
