package web

import (
	"testing"

	"github.com/stalking-hub/hub/internal/vocab"
)

// What an order's history records for each change is the registry's
// order_change vocabulary, as the grant is.
func TestOrderActionsRecordRegistryChanges(t *testing.T) {
	for action, change := range orderActions {
		if !vocab.OrderChanges.Has(change) {
			t.Errorf("%s records %q, which is not in the registry's order changes", action, change)
		}
	}
	if !vocab.OrderChanges.Has("granted") {
		t.Error("the registry lacks the grant of an order")
	}
}

// A template that names a vocabulary the registry lacks fails to render.
func TestTermWords(t *testing.T) {
	if got, err := termWords("hate_crime_strand", "religion"); err != nil || got != "Religion or belief" {
		t.Errorf("termWords = %q, %v", got, err)
	}
	if _, err := termWords("no_such_list", "x"); err == nil {
		t.Error("an unknown vocabulary has words")
	}
}
