// Package fhirtest checks FHIR R4 JSON in tests: against the official R4
// JSON schema (the definitions the hub's resources reach, kept beside this
// file; see README.md there), and by hand for the required elements and
// value sets that the schema leaves to profiles.
package fhirtest

import (
	"bytes"
	_ "embed" // the schema subset
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed fhir-r4-subset.schema.json
var schemaJSON []byte

const schemaURL = "urn:hub:fhir-r4-subset.schema.json"

var (
	compileOnce sync.Once
	compiled    map[string]*jsonschema.Schema
	compileErr  error
)

// resources are the resource types the subset defines.
var resources = []string{"Bundle", "OperationOutcome", "Patient", "ServiceRequest", "Task"}

func compile() {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		compileErr = err
		return
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft6)
	if compileErr = c.AddResource(schemaURL, doc); compileErr != nil {
		return
	}
	compiled = map[string]*jsonschema.Schema{}
	for _, r := range resources {
		if compiled[r], compileErr = c.Compile(schemaURL + "#/definitions/" + r); compileErr != nil {
			return
		}
	}
}

// Validate checks one FHIR resource in JSON: the schema of its resourceType,
// then the rules below; a Bundle's entries are checked the same way.
func Validate(body []byte) error {
	compileOnce.Do(compile)
	if compileErr != nil {
		return fmt.Errorf("fhirtest: the schema does not compile: %w", compileErr)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return err
	}
	sch, ok := compiled[head.ResourceType]
	if !ok {
		return fmt.Errorf("resourceType %q is not one the hub serves", head.ResourceType)
	}
	if err := sch.Validate(doc); err != nil {
		return fmt.Errorf("%s does not match the FHIR R4 schema: %w", head.ResourceType, err)
	}
	return byHand(head.ResourceType, body)
}

// Value sets of FHIR R4 that the JSON schema leaves as plain codes.
var (
	requestStatus   = []string{"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
	requestIntent   = []string{"proposal", "plan", "directive", "order", "original-order", "reflex-order", "filler-order", "instance-order", "option"}
	requestPriority = []string{"routine", "urgent", "asap", "stat"}
	taskIntent      = []string{"unknown", "proposal", "plan", "order", "original-order", "reflex-order", "filler-order", "instance-order", "option"}
)

// byHand checks the cardinalities (1..1) and required bindings of R4 that
// the schema does not hold.
func byHand(resourceType string, body []byte) error {
	var r struct {
		Status   string `json:"status"`
		Intent   string `json:"intent"`
		Priority string `json:"priority"`
		Subject  *struct {
			Reference string `json:"reference"`
		} `json:"subject"`
		Contained []struct {
			ID string `json:"id"`
		} `json:"contained"`
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
		Issue []json.RawMessage `json:"issue"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return err
	}
	in := func(field, v string, set []string) error {
		if !slices.Contains(set, v) {
			return fmt.Errorf("%s.%s %q is not in its R4 value set", resourceType, field, v)
		}
		return nil
	}
	switch resourceType {
	case "ServiceRequest":
		if err := in("status", r.Status, requestStatus); err != nil {
			return err
		}
		if err := in("intent", r.Intent, requestIntent); err != nil {
			return err
		}
		if r.Priority != "" {
			if err := in("priority", r.Priority, requestPriority); err != nil {
				return err
			}
		}
		if r.Subject == nil || r.Subject.Reference == "" {
			return fmt.Errorf("the element ServiceRequest.subject is required")
		}
		// dom-3: a contained resource is referred to from the resource.
		for _, c := range r.Contained {
			if "#"+c.ID != r.Subject.Reference {
				return fmt.Errorf("contained %q is not referred to", c.ID)
			}
		}
	case "Task":
		if r.Status == "" {
			return fmt.Errorf("the element Task.status is required")
		}
		if err := in("intent", r.Intent, taskIntent); err != nil {
			return err
		}
	case "OperationOutcome":
		if len(r.Issue) == 0 {
			return fmt.Errorf("the element OperationOutcome.issue is required")
		}
	case "Bundle":
		for i, e := range r.Entry {
			if err := Validate(e.Resource); err != nil {
				return fmt.Errorf("entry %d: %w", i, err)
			}
		}
	}
	return nil
}
