// Package risk names the risk levels and assessment tools the hub records.
// It holds no questions: the hub records the tool, the score and the level.
package risk

import (
	"fmt"

	"github.com/stalking-hub/hub/internal/vocab"
)

// Level is the assessed level of risk of serious harm.
type Level string

// The three bands in common use.
const (
	Standard Level = "standard" // no evidence that serious harm is likely
	Medium   Level = "medium"   // serious harm unlikely unless circumstances change
	High     Level = "high"     // serious harm could happen at any time
)

// Levels lists the levels from lowest to highest, as the registry does.
var Levels = vocab.Typed[Level](vocab.RiskLevels)

// Rank orders levels: standard 1, medium 2, high 3; unknown 0.
func (l Level) Rank() int {
	switch l {
	case Standard:
		return 1
	case Medium:
		return 2
	case High:
		return 3
	}
	return 0
}

// AtLeast reports whether l is as high as m.
func (l Level) AtLeast(m Level) bool { return l.Rank() >= m.Rank() && l.Rank() > 0 }

// ParseLevel returns the level with the given name.
func ParseLevel(s string) (Level, error) {
	if l := Level(s); l.Rank() > 0 {
		return l, nil
	}
	return "", fmt.Errorf("unknown risk level %q", s)
}

// Tool is the instrument used to assess risk.
type Tool string

// The tools the hub records.
const (
	DASH                  Tool = "dash"
	SDASH                 Tool = "s_dash"
	SASH                  Tool = "sash"
	ProfessionalJudgement Tool = "professional_judgement"
)

// VisibleHighRisk is the DASH count of "yes" answers at which risk is visibly high.
const VisibleHighRisk = 14
