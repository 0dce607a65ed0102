package risk

import "fmt"

// Threshold is the score at which a tool's answers put a case at a level,
// with where that figure comes from. A tool with no published numeric band
// has no Threshold: the officer's level stands on their judgement.
type Threshold struct {
	Tool   Tool
	Score  int    // the score from which Level is the least level allowed
	Level  Level  // the least level a score of Score or more allows
	Source string // the published source of the figure
}

// Thresholds is each tool's threshold and its source. S-DASH, SASH and
// professional judgement have no published numeric band, so no row: any
// level may be recorded with them.
var Thresholds = []Threshold{
	{Tool: DASH, Score: VisibleHighRisk, Level: High,
		Source: "SafeLives DASH Risk Identification Checklist (RIC): 14 or more \"yes\" answers is visible high risk, referral to MARAC"},
}

// Unbanded names the tools that have no published numeric band, and why,
// for the documentation and the tests.
var Unbanded = map[Tool]string{
	SDASH:                 "S-DASH (Paladin, 2013): 11 stalking screening questions; no published score band, the level is the assessor's judgement",
	SASH:                  "SASH (Suzy Lamplugh Trust / Paladin): screening tool with no published numeric band",
	ProfessionalJudgement: "the level is the professional's judgement; there is no score",
}

// Floor is the least level the tool's score allows: for DASH 14 or more,
// high. ok is false when the tool has no band for the score (any level).
func Floor(tool Tool, score *int) (Level, bool) {
	if score == nil {
		return "", false
	}
	for _, t := range Thresholds {
		if t.Tool == tool && *score >= t.Score {
			return t.Level, true
		}
	}
	return "", false
}

// Coherent checks a recorded level against its tool and score. Judgement
// may raise a level above what the score says, never lower it below the
// tool's threshold: a DASH score of 14 or more recorded as medium is not
// coherent. When it is not, why is a sentence for the officer naming the
// least level allowed.
func Coherent(tool Tool, score *int, level Level) (ok bool, why string) {
	floor, banded := Floor(tool, score)
	if !banded || level.AtLeast(floor) {
		return true, ""
	}
	return false, fmt.Sprintf("A %s score of %d is %s risk: the level cannot be lower than %s", toolName(tool), *score, floor, floor)
}

func toolName(t Tool) string {
	switch t {
	case DASH:
		return "DASH"
	case SDASH:
		return "S-DASH"
	case SASH:
		return "SASH"
	}
	return string(t)
}
