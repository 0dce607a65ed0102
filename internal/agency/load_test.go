package agency

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/config"
	"github.com/stalking-hub/hub/internal/risk"
)

// bases are the lawful bases of the default configuration.
var bases = config.Defaults().Sharing.LawfulBases

func TestLoadShippedAgencies(t *testing.T) {
	d, err := Load("../../agencies", bases)
	if err != nil {
		t.Fatalf("the shipped agencies/ folder does not load:\n%v", err)
	}

	var ids []string
	for _, a := range d.All() {
		ids = append(ids, a.ID)
		if got, want := filepath.Base(a.File), a.ID+".toml"; got != want {
			t.Errorf("%s: file is %s, want %s", a.ID, got, want)
		}
	}
	want := []string{"adult-social-care", "childrens-services", "health", "housing", "idva", "police", "probation", "victim-support"}
	if !slices.Equal(ids, want) {
		t.Fatalf("agencies = %v, want %v (in file-name order)", ids, want)
	}

	recipients := d.Recipients()
	if len(recipients) != 7 {
		t.Errorf("Recipients() has %d agencies, want 7", len(recipients))
	}
	for _, a := range recipients {
		if a.ID == Police {
			t.Errorf("Recipients() includes the police")
		}
		for _, p := range Purposes {
			if _, ok := a.Terms(p); !ok {
				t.Errorf("%s has no %s purpose", a.ID, p)
			}
		}
		rt := a.ResponseTimes
		if rt[risk.High] > 24*time.Hour || rt[risk.Medium] != 72*time.Hour || rt[risk.Standard] < 120*time.Hour || rt[risk.Standard] > 240*time.Hour {
			t.Errorf("%s response times %v: want high at most 24h, medium 72h, standard 5 to 10 days", a.ID, rt)
		}
	}

	police := mustGet(t, d, Police)
	if len(police.Agreement) != 0 {
		t.Errorf("police have an agreement: %v", police.Agreement)
	}

	// Minimum necessary: health may receive health information, housing may not.
	if !terms(t, d, "health", Referral).Categories.Has(category.Health) {
		t.Errorf("health's referral agreement lacks health")
	}
	for _, p := range Purposes {
		if terms(t, d, "housing", p).Categories.Has(category.Health) {
			t.Errorf("housing's %s agreement includes health", p)
		}
	}

	// Victim support works on consent alone.
	for _, p := range Purposes {
		if rules := terms(t, d, "victim-support", p).WithoutConsent; len(rules) != 0 {
			t.Errorf("victim-support %s has without_consent rules %v", p, rules)
		}
	}

	// Every other MARAC member may receive a high-risk case without consent.
	for _, a := range recipients {
		if a.ID == "victim-support" {
			continue
		}
		if !slices.ContainsFunc(terms(t, d, a.ID, MARAC).WithoutConsent, func(r Rule) bool { return r.MinRisk == risk.High }) {
			t.Errorf("%s has no high-risk MARAC rule", a.ID)
		}
	}

	// Child safeguarding goes without consent at every risk level.
	cs := terms(t, d, "childrens-services", Referral)
	if len(cs.WithoutConsent) != 1 || cs.WithoutConsent[0].MinRisk != risk.Standard || !cs.WithoutConsent[0].Categories.Has(category.Children) {
		t.Errorf("childrens-services referral rules = %+v, want one child-safeguarding rule at standard risk", cs.WithoutConsent)
	}

	// Probation never contacts the victim and learns who the victim is only
	// for a high-risk MARAC case.
	probation := mustGet(t, d, "probation")
	if probation.ContactsVictim {
		t.Errorf("probation contacts the victim")
	}
	if terms(t, d, "probation", Referral).Categories.Has(category.Identity) {
		t.Errorf("probation's referral agreement includes the victim's identity")
	}
	for _, r := range terms(t, d, "probation", MARAC).WithoutConsent {
		if r.Categories.Has(category.Identity) && r.MinRisk != risk.High {
			t.Errorf("probation rule %s shares the victim's identity below high risk", r.ID)
		}
	}
}

func mustGet(t *testing.T, d *Directory, id string) Agency {
	t.Helper()
	a, ok := d.Get(id)
	if !ok {
		t.Fatalf("no agency %q", id)
	}
	return a
}

func terms(t *testing.T, d *Directory, id string, p Purpose) Terms {
	t.Helper()
	tm, ok := mustGet(t, d, id).Terms(p)
	if !ok {
		t.Fatalf("%s has no %s purpose", id, p)
	}
	return tm
}

// validFile is a small, correct agency file that the table below breaks one
// way at a time.
const validFile = `id = "housing"
name = "Housing Options"
kind = "housing"
mailbox = "housing@example.gov.uk"
contacts_victim = true

[response_times]
high = "24h"
medium = "72h"
standard = "120h"

[agreement.referral]
categories = ["identity", "contact", "safe_contact", "risk"]
consent_required = true
basis = "consent"

[[agreement.referral.without_consent]]
id = "housing-high"
categories = ["identity", "safe_contact", "risk"]
min_risk = "high"
basis = "crime_and_disorder_act_s115"
reason = "High risk: secure the home."
`

func TestLoadMapsFile(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "housing.toml", validFile)
	d, err := Load(dir, bases)
	if err != nil {
		t.Fatal(err)
	}
	a := mustGet(t, d, "housing")
	if a.Name != "Housing Options" || a.Kind != "housing" || a.Mailbox != "housing@example.gov.uk" || !a.ContactsVictim {
		t.Errorf("agency = %+v", a)
	}
	if a.File != filepath.Join(dir, "housing.toml") {
		t.Errorf("File = %q", a.File)
	}
	if a.ResponseTime(risk.High) != 24*time.Hour || a.ResponseTime(risk.Medium) != 72*time.Hour || a.ResponseTime(risk.Standard) != 120*time.Hour {
		t.Errorf("response times = %v", a.ResponseTimes)
	}
	tm, ok := a.Terms(Referral)
	if !ok {
		t.Fatal("no referral terms")
	}
	if want := category.SetOf(category.Identity, category.Contact, category.SafeContact, category.Risk); tm.Categories != want {
		t.Errorf("categories = %v, want %v", tm.Categories.List(), want.List())
	}
	if !tm.ConsentRequired || tm.Basis != "consent" {
		t.Errorf("terms = %+v", tm)
	}
	if tm.AccessAfterClose != DefaultAccessAfterClose {
		t.Errorf("access after close = %v, want the default %v", tm.AccessAfterClose, DefaultAccessAfterClose)
	}
	wantRule := Rule{ID: "housing-high", Categories: category.SetOf(category.Identity, category.SafeContact, category.Risk),
		MinRisk: risk.High, Basis: "crime_and_disorder_act_s115", Reason: "High risk: secure the home."}
	if len(tm.WithoutConsent) != 1 || tm.WithoutConsent[0] != wantRule {
		t.Errorf("rules = %+v, want [%+v]", tm.WithoutConsent, wantRule)
	}
	if _, ok := a.Terms(MARAC); ok {
		t.Errorf("MARAC terms present though the file has none")
	}
}

func TestLoadReadsAccessAfterClose(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "housing.toml", strings.Replace(validFile, `basis = "consent"`, "basis = \"consent\"\naccess_after_close = \"0h\"", 1))
	d, err := Load(dir, bases)
	if err != nil {
		t.Fatal(err)
	}
	if got := terms(t, d, "housing", Referral).AccessAfterClose; got != 0 {
		t.Errorf("access after close = %v, want 0 as written", got)
	}
}

func TestLoadRefusesMalformedFiles(t *testing.T) {
	// Each file is validFile with edits applied: pairs of old and new text.
	tests := []struct {
		name  string
		files map[string][]string
		want  []string // each must appear in the error
	}{
		{"unknown top-level key",
			map[string][]string{"a.toml": {`kind = "housing"`, "kind = \"housing\"\ncolour = \"blue\""}},
			[]string{`a.toml: key colour: unknown key`}},
		{"unknown key inside agreement",
			map[string][]string{"a.toml": {`basis = "consent"`, "basis = \"consent\"\nconsent = true"}},
			[]string{`a.toml: key agreement.referral.consent: unknown key`}},
		{"unknown key inside a rule",
			map[string][]string{"a.toml": {`min_risk = "high"`, "min_risk = \"high\"\nexpires = \"2027-01-01\""}},
			[]string{`a.toml: key agreement.referral.without_consent.expires: unknown key`}},
		{"key not in lower case",
			map[string][]string{"a.toml": {`name = `, `Name = `}},
			[]string{`a.toml: key Name: keys are written in lower case`}},
		{"unknown category",
			map[string][]string{"a.toml": {`"identity", "contact",`, `"identity", "bank_details",`}},
			[]string{`a.toml: key agreement.referral.categories: unknown data category "bank_details"`}},
		{"category listed twice",
			map[string][]string{"a.toml": {`"identity", "contact",`, `"identity", "identity",`}},
			[]string{`a.toml: key agreement.referral.categories: "identity" is listed twice`}},
		{"no categories",
			map[string][]string{"a.toml": {`categories = ["identity", "contact", "safe_contact", "risk"]`, `categories = []`}},
			[]string{`a.toml: key agreement.referral.categories: missing`}},
		{"unknown purpose",
			map[string][]string{"a.toml": {"[[agreement.referral.without_consent]]", "[agreement.research]\ncategories = [\"risk\"]\nconsent_required = true\nbasis = \"consent\"\n\n[[agreement.referral.without_consent]]"}},
			[]string{`a.toml: key agreement.research: unknown purpose "research"`}},
		{"referral purpose missing",
			map[string][]string{"a.toml": {"[agreement.referral]", "[agreement.marac]", "[[agreement.referral.without_consent]]", "[[agreement.marac.without_consent]]"}},
			[]string{`a.toml: key agreement.referral: missing`}},
		{"police with an agreement",
			map[string][]string{"a.toml": {`id = "housing"`, `id = "police"`}},
			[]string{`a.toml: key agreement: the police are the originating force`}},
		{"bad risk level in a rule",
			map[string][]string{"a.toml": {`min_risk = "high"`, `min_risk = "severe"`}},
			[]string{`a.toml: key agreement.referral.without_consent[1].min_risk: unknown risk level "severe"`}},
		{"rule without min_risk",
			map[string][]string{"a.toml": {"min_risk = \"high\"\n", ""}},
			[]string{`a.toml: key agreement.referral.without_consent[1].min_risk: missing`}},
		{"unknown risk level in response times",
			map[string][]string{"a.toml": {`high = "24h"`, "high = \"24h\"\ncritical = \"4h\""}},
			[]string{`a.toml: key response_times.critical: unknown risk level "critical"`}},
		{"response time missing for a level",
			map[string][]string{"a.toml": {"medium = \"72h\"\n", ""}},
			[]string{`a.toml: key response_times.medium: missing`}},
		{"bad duration",
			map[string][]string{"a.toml": {`medium = "72h"`, `medium = "3 days"`}},
			[]string{`a.toml: key response_times.medium: "3 days" is not a duration`}},
		{"duration not positive",
			map[string][]string{"a.toml": {`standard = "120h"`, `standard = "0s"`}},
			[]string{`a.toml: key response_times.standard: "0s" must be more than zero`}},
		{"access after close not a duration",
			map[string][]string{"a.toml": {`basis = "consent"`, "basis = \"consent\"\naccess_after_close = \"30 days\""}},
			[]string{`a.toml: key agreement.referral.access_after_close: "30 days" is not a duration`}},
		{"access after close negative",
			map[string][]string{"a.toml": {`basis = "consent"`, "basis = \"consent\"\naccess_after_close = \"-1h\""}},
			[]string{`a.toml: key agreement.referral.access_after_close: "-1h" must not be negative`}},
		{"duplicate agency ids across two files",
			map[string][]string{"a.toml": nil, "b.toml": {`id = "housing-high"`, `id = "other-high"`}},
			[]string{`b.toml: key id: agency id "housing" is already used by `, `a.toml`}},
		{"id not lower-case letters, digits and hyphens",
			map[string][]string{"a.toml": {`id = "housing"`, `id = "Housing Options"`}},
			[]string{`a.toml: key id: "Housing Options" must be`}},
		{"missing name",
			map[string][]string{"a.toml": {"name = \"Housing Options\"\n", ""}},
			[]string{`a.toml: key name: missing`}},
		{"missing kind",
			map[string][]string{"a.toml": {"kind = \"housing\"\n", ""}},
			[]string{`a.toml: key kind: missing`}},
		{"missing mailbox",
			map[string][]string{"a.toml": {"mailbox = \"housing@example.gov.uk\"\n", ""}},
			[]string{`a.toml: key mailbox: missing`}},
		{"mailbox not an e-mail address",
			map[string][]string{"a.toml": {`"housing@example.gov.uk"`, `"Housing <housing@example.gov.uk>"`}},
			[]string{`a.toml: key mailbox: "Housing <housing@example.gov.uk>" is not an e-mail address`}},
		{"missing contacts_victim",
			map[string][]string{"a.toml": {"contacts_victim = true\n", ""}},
			[]string{`a.toml: key contacts_victim: missing`}},
		{"missing consent_required",
			map[string][]string{"a.toml": {"consent_required = true\n", ""}},
			[]string{`a.toml: key agreement.referral.consent_required: missing`}},
		{"rule basis not allowed",
			map[string][]string{"a.toml": {`basis = "crime_and_disorder_act_s115"`, `basis = "legitimate_interests"`}},
			[]string{`a.toml: key agreement.referral.without_consent[1].basis: "legitimate_interests" is not an allowed lawful basis`}},
		{"terms basis not allowed",
			map[string][]string{"a.toml": {`basis = "consent"`, `basis = "public_task"`}},
			[]string{`a.toml: key agreement.referral.basis: "public_task" is not an allowed basis`}},
		{"consent as the basis of a no-consent rule",
			map[string][]string{"a.toml": {`basis = "crime_and_disorder_act_s115"`, `basis = "consent"`}},
			[]string{`a.toml: key agreement.referral.without_consent[1].basis: "consent" cannot be the basis of a rule`}},
		{"consent as the basis when consent is not required",
			map[string][]string{"a.toml": {`consent_required = true`, `consent_required = false`}},
			[]string{`a.toml: key agreement.referral.basis: "consent" cannot be the basis when consent_required = false`,
				`a.toml: key agreement.referral.without_consent: has no effect when consent_required = false`}},
		{"rule categories outside the purpose's categories",
			map[string][]string{"a.toml": {`categories = ["identity", "safe_contact", "risk"]`, `categories = ["identity", "safe_contact", "risk", "health"]`}},
			[]string{`a.toml: key agreement.referral.without_consent[1].categories: "health" is not in agreement.referral.categories`}},
		{"rule without reason",
			map[string][]string{"a.toml": {`reason = "High risk: secure the home."`, `reason = " "`}},
			[]string{`a.toml: key agreement.referral.without_consent[1].reason: missing`}},
		{"duplicate rule ids in one file",
			map[string][]string{"a.toml": {"reason = \"High risk: secure the home.\"\n", "reason = \"High risk: secure the home.\"\n\n[[agreement.referral.without_consent]]\nid = \"housing-high\"\ncategories = [\"risk\"]\nmin_risk = \"medium\"\nbasis = \"vital_interests\"\nreason = \"Life at risk.\"\n"}},
			[]string{`a.toml: key agreement.referral.without_consent[2].id: rule id "housing-high" is already used at `, `a.toml key agreement.referral.without_consent[1].id`}},
		{"duplicate rule ids across files",
			map[string][]string{"a.toml": nil, "b.toml": {`id = "housing"`, `id = "health"`}},
			[]string{`b.toml: key agreement.referral.without_consent[1].id: rule id "housing-high" is already used at `, `a.toml key agreement.referral.without_consent[1].id`}},
		{"identity without safe contact for an agency that contacts the victim",
			map[string][]string{"a.toml": {`"contact", "safe_contact", "risk"]`, `"contact", "risk"]`}},
			[]string{`a.toml: key agreement.referral.categories: has identity without safe_contact`}},
		{"rule gives identity without safe contact to an agency that contacts the victim",
			map[string][]string{"a.toml": {`categories = ["identity", "safe_contact", "risk"]`, `categories = ["identity", "risk"]`}},
			[]string{`a.toml: key agreement.referral.without_consent[1].categories: has identity without safe_contact`}},
		{"TOML syntax error",
			map[string][]string{"a.toml": {`name = "Housing Options"`, `name = "Housing Options`}},
			[]string{`a.toml: line 2: `}},
		{"wrong type",
			map[string][]string{"a.toml": {`consent_required = true`, `consent_required = "yes"`}},
			[]string{`a.toml: line 14 (last key "agreement.referral.consent_required"): incompatible types`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, edits := range tt.files {
				text := validFile
				for i := 0; i < len(edits); i += 2 {
					if !strings.Contains(text, edits[i]) {
						t.Fatalf("edit of %s: %q is not in the valid file", name, edits[i])
					}
					text = strings.Replace(text, edits[i], edits[i+1], 1)
				}
				write(t, dir, name, text)
			}
			d, err := Load(dir, bases)
			if err == nil {
				t.Fatalf("loaded %d agencies, want an error", len(d.All()))
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
			// Every line of the error names a file of the folder.
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, dir+string(filepath.Separator)) {
					t.Errorf("error line does not start with a file name: %q", line)
				}
			}
		})
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	dir := t.TempDir()
	text := strings.Replace(validFile, `kind = "housing"`, `kind = ""`, 1)
	text = strings.Replace(text, `min_risk = "high"`, `min_risk = "severe"`, 1)
	write(t, dir, "a.toml", text)
	write(t, dir, "b.toml", strings.Replace(validFile, `id = "housing"`, `id = "Housing"`, 1))
	_, err := Load(dir, bases)
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{"a.toml: key kind: missing", "a.toml: key agreement.referral.without_consent[1].min_risk", "b.toml: key id:"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not contain %q:\n%v", w, err)
		}
	}
}

func TestLoadPoliceNeedNoAgreement(t *testing.T) {
	dir := t.TempDir()
	police, _, _ := strings.Cut(strings.Replace(validFile, `id = "housing"`, `id = "police"`, 1), "[agreement.referral]")
	write(t, dir, "police.toml", police)
	d, err := Load(dir, bases)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.All()) != 1 || len(d.Recipients()) != 0 {
		t.Errorf("All = %v, Recipients = %v; want the police alone, and no recipients", d.All(), d.Recipients())
	}
}

func TestLoadNeedsAgencyFiles(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "README.md", "# not an agency\n")
	if _, err := Load(dir, bases); err == nil || !strings.Contains(err.Error(), "no agency files") {
		t.Errorf("empty folder: error = %v, want no agency files", err)
	}
	missing := filepath.Join(dir, "missing")
	if _, err := Load(missing, bases); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing folder: error = %v, want it named", err)
	}
}

func write(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
