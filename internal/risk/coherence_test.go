package risk

import "testing"

func TestCoherent(t *testing.T) {
	n := func(i int) *int { return &i }
	for _, tc := range []struct {
		name  string
		tool  Tool
		score *int
		level Level
		ok    bool
	}{
		{"dash 15 medium refused", DASH, n(15), Medium, false},
		{"dash 14 standard refused", DASH, n(14), Standard, false},
		{"dash 14 high", DASH, n(14), High, true},
		{"dash 24 high", DASH, n(24), High, true},
		{"dash 13 medium", DASH, n(13), Medium, true},
		{"dash 13 raised to high by judgement", DASH, n(13), High, true},
		{"dash 2 standard", DASH, n(2), Standard, true},
		{"dash without score", DASH, nil, Standard, true},
		{"dash 14 unknown level refused", DASH, n(14), Level(""), false},
		{"s-dash 20 medium: no band", SDASH, n(20), Medium, true},
		{"sash 20 standard: no band", SASH, n(20), Standard, true},
		{"judgement", ProfessionalJudgement, nil, Medium, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, why := Coherent(tc.tool, tc.score, tc.level)
			if ok != tc.ok || (why == "") != ok {
				t.Fatalf("Coherent(%s, %v, %s) = %v %q, want ok %v", tc.tool, tc.score, tc.level, ok, why, tc.ok)
			}
		})
	}
}

func TestThresholdsHaveSources(t *testing.T) {
	seen := map[Tool]bool{}
	for _, th := range Thresholds {
		if th.Source == "" || th.Level.Rank() == 0 || th.Score <= 0 {
			t.Errorf("threshold %+v lacks a source, a level or a score", th)
		}
		seen[th.Tool] = true
	}
	for _, tool := range []Tool{DASH, SDASH, SASH, ProfessionalJudgement} {
		_, unbanded := Unbanded[tool]
		if seen[tool] == unbanded {
			t.Errorf("tool %s must be in exactly one of Thresholds and Unbanded", tool)
		}
	}
	if f, ok := Floor(DASH, func() *int { i := VisibleHighRisk; return &i }()); !ok || f != High {
		t.Errorf("DASH %d floor = %s, %v; want high", VisibleHighRisk, f, ok)
	}
}
