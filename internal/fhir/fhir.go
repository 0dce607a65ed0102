// Package fhir speaks HL7 FHIR R4 to partner systems: a referral as a
// ServiceRequest and each agency's share as a Task, built only from what
// sharing.Release gave the reader (a sharing.View), so that a withheld
// category has no way into a resource.
package fhir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/risk"
	"github.com/stalking-hub/hub/internal/sharing"
	"github.com/stalking-hub/hub/internal/vocab"
)

// ContentType is the media type of FHIR JSON.
const ContentType = "application/fhir+json"

// Coding is a FHIR Coding.
type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

// CodeableConcept is a FHIR CodeableConcept.
type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// Identifier is a FHIR Identifier.
type Identifier struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
}

// Reference is a FHIR Reference.
type Reference struct {
	Reference  string      `json:"reference,omitempty"`
	Identifier *Identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

// Annotation is a FHIR Annotation (a note).
type Annotation struct {
	Text string `json:"text"`
}

// Period is a FHIR Period.
type Period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// HumanName is a FHIR HumanName.
type HumanName struct {
	Text string `json:"text,omitempty"`
}

// ContactPoint is a FHIR ContactPoint.
type ContactPoint struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
}

// Address is a FHIR Address.
type Address struct {
	Text string `json:"text,omitempty"`
}

// Patient is the victim, contained in the ServiceRequest: only what the
// reader may see of identity and contact details.
type Patient struct {
	ResourceType string         `json:"resourceType"`
	ID           string         `json:"id"`
	Name         []HumanName    `json:"name,omitempty"`
	BirthDate    string         `json:"birthDate,omitempty"`
	Telecom      []ContactPoint `json:"telecom,omitempty"`
	Address      []Address      `json:"address,omitempty"`
}

// ServiceRequest is a referral as released to one reader.
type ServiceRequest struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id"`
	Contained    []any             `json:"contained,omitempty"`
	Identifier   []Identifier      `json:"identifier"`
	Status       string            `json:"status"`
	Intent       string            `json:"intent"`
	Category     []CodeableConcept `json:"category"`
	Priority     string            `json:"priority,omitempty"`
	Code         *CodeableConcept  `json:"code,omitempty"`
	Subject      Reference         `json:"subject"`
	AuthoredOn   string            `json:"authoredOn,omitempty"`
	Requester    *Reference        `json:"requester,omitempty"`
	Performer    []Reference       `json:"performer,omitempty"`
	Note         []Annotation      `json:"note,omitempty"`
}

// TaskOutput is one output of a Task.
type TaskOutput struct {
	Type        CodeableConcept `json:"type"`
	ValueString string          `json:"valueString,omitempty"`
	ValueCode   string          `json:"valueCode,omitempty"`
}

// TaskRestriction says by when the agency should answer.
type TaskRestriction struct {
	Period *Period `json:"period,omitempty"`
}

// Task is one agency's share of a referral.
type Task struct {
	ResourceType   string           `json:"resourceType"`
	ID             string           `json:"id"`
	BasedOn        []Reference      `json:"basedOn"`
	Status         string           `json:"status"`
	StatusReason   *CodeableConcept `json:"statusReason,omitempty"`
	BusinessStatus *CodeableConcept `json:"businessStatus,omitempty"`
	Intent         string           `json:"intent"`
	Description    string           `json:"description,omitempty"`
	Focus          *Reference       `json:"focus,omitempty"`
	AuthoredOn     string           `json:"authoredOn,omitempty"`
	LastModified   string           `json:"lastModified,omitempty"`
	Requester      *Reference       `json:"requester,omitempty"`
	Owner          *Reference       `json:"owner,omitempty"`
	Restriction    *TaskRestriction `json:"restriction,omitempty"`
	Output         []TaskOutput     `json:"output,omitempty"`
}

// Link is a link of a Bundle.
type Link struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

// Entry is one entry of a Bundle.
type Entry struct {
	FullURL  string `json:"fullUrl,omitempty"`
	Resource any    `json:"resource"`
	Search   *struct {
		Mode string `json:"mode"`
	} `json:"search,omitempty"`
}

// Bundle is the answer to a search.
type Bundle struct {
	ResourceType string  `json:"resourceType"`
	Type         string  `json:"type"`
	Link         []Link  `json:"link,omitempty"`
	Entry        []Entry `json:"entry,omitempty"`
}

// OperationOutcome is a FHIR error.
type OperationOutcome struct {
	ResourceType string  `json:"resourceType"`
	Issue        []Issue `json:"issue"`
}

// Issue is one issue of an OperationOutcome.
type Issue struct {
	Severity    string `json:"severity"`
	Code        string `json:"code"`
	Diagnostics string `json:"diagnostics,omitempty"`
}

// Systems name the hub's identifiers: base is the hub's base URL.
type Systems struct{ Base string }

// Reference is the system of referral references (SH-2026-000123).
func (s Systems) Reference() string {
	return strings.TrimSuffix(s.Base, "/") + "/fhir/r4/sid/referral-reference"
}

// Agency is the system of agency ids (housing, health, ...).
func (s Systems) Agency() string { return strings.TrimSuffix(s.Base, "/") + "/fhir/r4/sid/agency" }

// Codes is the system of the hub's own codes (share statuses, outcomes, offences).
func (s Systems) Codes() string { return strings.TrimSuffix(s.Base, "/") + "/fhir/r4/CodeSystem/hub" }

// TaskStatus maps a share's status to a Task's, as api.md says.
func TaskStatus(s referral.ShareStatus) string {
	switch s {
	case referral.Sent:
		return "requested"
	case referral.Viewed:
		return "received"
	case referral.Accepted:
		return "accepted"
	case referral.Declined:
		return "rejected"
	case referral.InProgress:
		return "in-progress"
	case referral.Closed:
		return "completed"
	case "withdrawn":
		return "cancelled"
	}
	return "draft"
}

func dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// victimID is the id of the contained Patient.
const victimID = "victim"

// NewServiceRequest is the referral in v as a ServiceRequest: the metadata
// every reader with a basis sees, and the content of shown categories only.
// names gives an agency's name for its id.
func NewServiceRequest(v sharing.View, sys Systems, names func(string) string) ServiceRequest {
	m := v.Meta()
	sr := ServiceRequest{ResourceType: "ServiceRequest", ID: v.ReferralID(),
		Identifier: []Identifier{{System: sys.Reference(), Value: v.Reference()}},
		Status:     "active", Intent: "order",
		Category:   []CodeableConcept{{Text: "Referral for support: stalking and harassment"}},
		Subject:    Reference{Reference: "#" + victimID},
		AuthoredOn: dateTime(m.SentAt),
		Requester:  &Reference{Identifier: &Identifier{System: sys.Agency(), Value: "police"}, Display: names("police")},
	}
	if m.State == referral.Draft {
		sr.Status = "draft"
	}
	patient := Patient{ResourceType: "Patient", ID: victimID}
	for _, c := range category.All() {
		b, shown := v.Content(c)
		if !shown || len(b) == 0 {
			continue
		}
		switch c {
		case category.Identity:
			var id referral.IdentitySection
			if json.Unmarshal(b, &id) == nil {
				if id.Name != "" {
					patient.Name = []HumanName{{Text: id.Name}}
				}
				patient.BirthDate = id.DateOfBirth
			}
		case category.Contact:
			var ct referral.ContactSection
			if json.Unmarshal(b, &ct) == nil {
				if ct.Address != "" {
					patient.Address = []Address{{Text: ct.Address}}
				}
				if ct.Phone != "" {
					patient.Telecom = append(patient.Telecom, ContactPoint{System: "phone", Value: ct.Phone})
				}
				if ct.Email != "" {
					patient.Telecom = append(patient.Telecom, ContactPoint{System: "email", Value: ct.Email})
				}
			}
		default:
			if c == category.Offence && m.Offence != "" {
				sr.Code = &CodeableConcept{Coding: []Coding{{System: sys.Codes(), Code: m.Offence}}, Text: vocab.Offences.Words(m.Offence)}
			}
			if c == category.Risk {
				sr.Priority = priority(m.Risk)
			}
			sr.Note = append(sr.Note, Annotation{Text: c.Title() + ": " + flatten(b)})
		}
	}
	sr.Contained = []any{patient}
	for _, sh := range v.Shares() {
		sr.Performer = append(sr.Performer, Reference{Identifier: &Identifier{System: sys.Agency(), Value: sh.Agency}, Display: names(sh.Agency)})
	}
	return sr
}

// priority is the request priority of a risk level (shown only with the risk category).
func priority(level risk.Level) string {
	switch level {
	case risk.High:
		return "urgent"
	case risk.Medium:
		return "asap"
	}
	return "routine"
}

// NewTask is one share of the referral in v as a Task. The share's free
// text (the request, a decline reason, a closing outcome) appears only for
// the force and for the agency the share belongs to, as in the API.
func NewTask(v sharing.View, sh referral.Share, sys Systems, names func(string) string) Task {
	texts := v.Agency() == agency.Police || v.Agency() == sh.Agency
	t := TaskOf(v.ReferralID(), sh, sys, names)
	if !texts {
		return t
	}
	t.Description = sh.Request
	if sh.Status == referral.Declined && (sh.Reason != "" || sh.ReasonCode != "") {
		t.StatusReason = &CodeableConcept{Text: sh.Reason}
		if sh.ReasonCode != "" {
			t.StatusReason.Coding = []Coding{{System: sys.Codes(), Code: sh.ReasonCode}}
		}
	}
	if sh.Status == referral.Closed && sh.Outcome != "" {
		t.Output = append([]TaskOutput{{Type: CodeableConcept{Text: "outcome"}, ValueString: sh.Outcome}}, t.Output...)
	}
	return t
}

// TaskOf is a share as a Task from its metadata alone: status, dates, the
// agency and coded reasons, no free text. A search answers with these.
func TaskOf(referralID string, sh referral.Share, sys Systems, names func(string) string) Task {
	ref := Reference{Reference: "ServiceRequest/" + referralID}
	t := Task{ResourceType: "Task", ID: sh.ID, BasedOn: []Reference{ref}, Focus: &ref,
		Status:         TaskStatus(sh.Status),
		BusinessStatus: &CodeableConcept{Coding: []Coding{{System: sys.Codes(), Code: string(sh.Status)}}, Text: vocab.ShareStatuses.Words(string(sh.Status))},
		Intent:         "order",
		AuthoredOn:     dateTime(sh.SentAt),
		LastModified:   dateTime(latest(sh.SentAt, sh.ViewedAt, sh.AnsweredAt, sh.AcceptedAt, sh.ClosedAt)),
		Requester:      &Reference{Identifier: &Identifier{System: sys.Agency(), Value: "police"}, Display: names("police")},
		Owner:          &Reference{Identifier: &Identifier{System: sys.Agency(), Value: sh.Agency}, Display: names(sh.Agency)},
	}
	if !sh.DueAt.IsZero() {
		t.Restriction = &TaskRestriction{Period: &Period{End: dateTime(sh.DueAt)}}
	}
	if sh.Status == referral.Declined && sh.ReasonCode != "" {
		t.StatusReason = &CodeableConcept{Coding: []Coding{{System: sys.Codes(), Code: sh.ReasonCode}}}
	}
	if sh.Status == referral.Closed && sh.OutcomeCode != "" {
		t.Output = []TaskOutput{{Type: CodeableConcept{Text: "outcome_code"}, ValueCode: sh.OutcomeCode}}
	}
	return t
}

func latest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}

// flatten writes a category's JSON content as one line of "key: value"
// pairs, for a note: the FHIR resources carry what the View released and
// nothing else.
func flatten(b []byte) string {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return ""
	}
	var parts []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(strings.TrimPrefix(prefix+" "+strings.ReplaceAll(k, "_", " "), " "), x[k])
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s %d", prefix, i+1), e)
			}
		case nil:
		case string:
			if x != "" {
				parts = append(parts, prefix+": "+x)
			}
		default:
			parts = append(parts, fmt.Sprintf("%s: %v", prefix, x))
		}
	}
	walk("", v)
	return strings.Join(parts, "; ")
}

// Answer is a resource the hub may answer with: one of this package's,
// built from a released View or from metadata. Only this package can add
// a type to it, so a handler cannot answer FHIR with a record.
type Answer interface{ fhirAnswer() }

func (ServiceRequest) fhirAnswer()   {}
func (Task) fhirAnswer()             {}
func (Bundle) fhirAnswer()           {}
func (OperationOutcome) fhirAnswer() {}
