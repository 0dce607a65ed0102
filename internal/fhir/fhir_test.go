package fhir_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/fhir"
	"github.com/stalking-hub/hub/internal/fhir/fhirtest"
	"github.com/stalking-hub/hub/internal/referral"
)

var sys = fhir.Systems{Base: "https://hub.example.gov.uk"}

func name(id string) string { return "Agency " + id }

// Each share status maps to the Task status api.md names, and the Task
// validates against the FHIR R4 schema.
func TestTaskStatusMapping(t *testing.T) {
	sent := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		share referral.ShareStatus
		task  string
	}{
		{referral.Sent, "requested"},
		{referral.Viewed, "received"},
		{referral.Accepted, "accepted"},
		{referral.Declined, "rejected"},
		{referral.InProgress, "in-progress"},
		{referral.Closed, "completed"},
		{"withdrawn", "cancelled"},
	} {
		sh := referral.Share{ID: "s-1", Agency: "housing", Status: c.share, SentAt: sent, DueAt: sent.Add(72 * time.Hour),
			ReasonCode: "not_eligible", OutcomeCode: "support_given"}
		task := fhir.TaskOf("r-1", sh, sys, name)
		if task.Status != c.task {
			t.Errorf("%s: Task status %q, want %q", c.share, task.Status, c.task)
		}
		b, _ := json.Marshal(task)
		if err := fhirtest.Validate(b); err != nil {
			t.Errorf("%s: %v\n%s", c.share, err, b)
		}
		if got := strings.Contains(string(b), "not_eligible"); got != (c.share == referral.Declined) {
			t.Errorf("%s: decline code present %v", c.share, got)
		}
	}
}

// The validator is not a rubber stamp: a wrong status, a missing intent and
// an unknown element are each refused.
func TestValidateRefuses(t *testing.T) {
	for _, bad := range []string{
		`{"resourceType":"Task","status":"sent","intent":"order"}`,
		`{"resourceType":"Task","status":"requested"}`,
		`{"resourceType":"Task","status":"requested","intent":"order","colour":"red"}`,
		`{"resourceType":"ServiceRequest","status":"open","intent":"order","subject":{"reference":"#victim"}}`,
		`{"resourceType":"ServiceRequest","status":"active","intent":"order"}`,
		`{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Task","status":"requested","intent":"order","authoredOn":"yesterday"}}]}`,
	} {
		if err := fhirtest.Validate([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
	good := `{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Task","status":"requested","intent":"order","authoredOn":"2026-12-01T09:00:00Z"}}]}`
	if err := fhirtest.Validate([]byte(good)); err != nil {
		t.Errorf("refused a valid bundle: %v", err)
	}
}
