package report

import (
	"math"
	"slices"
	"testing"
)

func TestPercentile(t *testing.T) {
	cases := []struct {
		name   string
		values []float64
		p      float64
		want   float64
	}{
		{"none", nil, 50, 0},
		{"one value", []float64{7}, 90, 7},
		{"odd count median is the middle", []float64{1, 2, 10}, 50, 2},
		{"even count median is the mean of the middle two", []float64{1, 2, 4, 10}, 50, 3},
		{"90th of ten interpolates", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90, 9.1},
		{"90th of two", []float64{0, 10}, 90, 9},
		{"0th is the least", []float64{3, 4}, 0, 3},
		{"100th is the greatest", []float64{3, 4}, 100, 4},
		{"ties", []float64{5, 5, 5}, 90, 5},
	}
	for _, c := range cases {
		if got := Percentile(c.values, c.p); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestDurationsOf(t *testing.T) {
	if d := DurationsOf(nil); d.Count != 0 || d.MedianHours != nil || d.P90Hours != nil {
		t.Errorf("no durations: %+v", d)
	}
	// 1 h, 2 h, 4 h, 20 h given out of order: median 3 h; 90th: rank 2.7
	// between 4 and 20, 4 + 0.7*16 = 15.2 h.
	d := DurationsOf([]int64{20 * 3600, 3600, 4 * 3600, 2 * 3600})
	if d.Count != 4 || *d.MedianHours != 3 || *d.P90Hours != 15.2 {
		t.Errorf("got %d %v %v", d.Count, *d.MedianHours, *d.P90Hours)
	}
	// 20 minutes is a third of an hour, kept to the hundredth.
	if d := DurationsOf([]int64{1200}); *d.MedianHours != 0.33 {
		t.Errorf("20 minutes: %v", *d.MedianHours)
	}
}

func TestRate(t *testing.T) {
	cases := []struct {
		n, d int
		want float64
		ok   bool
	}{{0, 0, 0, false}, {0, 4, 0, true}, {1, 3, 100.0 / 3, true}, {4, 4, 100, true}}
	for _, c := range cases {
		if got, ok := Rate(c.n, c.d); ok != c.ok || math.Abs(got-c.want) > 1e-9 {
			t.Errorf("Rate(%d, %d) = %v %v", c.n, c.d, got, ok)
		}
	}
}

func TestActionCountsAdd(t *testing.T) {
	var c ActionCounts
	c.Add(ActionCounts{Actions: 3, DoneOnTime: 1, DoneLate: 1, Open: 1, Overdue: 1})
	c.Add(ActionCounts{Actions: 2, NotPossible: 1, NotDone: 1})
	if c != (ActionCounts{Actions: 5, DoneOnTime: 1, DoneLate: 1, Open: 1, Overdue: 1, NotPossible: 1, NotDone: 1}) {
		t.Errorf("%+v", c)
	}
}

func TestSummariseDurationsReadsOnlyTheRanksItNeeds(t *testing.T) {
	sorted := []int64{3600, 2 * 3600, 4 * 3600, 20 * 3600}
	var asked [][2]int
	d, err := SummariseDurations(len(sorted), func(rank, n int) ([]int64, error) {
		asked = append(asked, [2]int{rank, n})
		return sorted[rank : rank+n], nil
	})
	if err != nil || *d.MedianHours != 3 || *d.P90Hours != 15.2 {
		t.Fatalf("got %+v %v", d, err)
	}
	// Median: rank 1.5, between 1 and 2; 90th: rank 2.7, between 2 and 3.
	if want := [][2]int{{1, 2}, {2, 2}}; !slices.Equal(asked, want) {
		t.Errorf("read %v, want %v", asked, want)
	}
	if _, err := SummariseDurations(4, func(int, int) ([]int64, error) { return nil, nil }); err == nil {
		t.Error("durations missing at their rank pass unnoticed")
	}
}
