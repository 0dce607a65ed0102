package agency

import (
	"errors"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/risk"
)

// ConsentBasis is the basis of sharing that rests on the victim's consent. It
// is always allowed for terms that require consent, never for a rule that
// shares without it.
const ConsentBasis = "consent"

// agencyFile is one agencies/*.toml as written. Fields are strings and
// pointers so that every check, and its message, is ours: a missing bool must
// not silently read as false.
type agencyFile struct {
	ID             string               `toml:"id"`
	Name           string               `toml:"name"`
	Kind           string               `toml:"kind"`
	Mailbox        string               `toml:"mailbox"`
	ContactsVictim *bool                `toml:"contacts_victim"`
	FreeText       string               `toml:"free_text_category"`
	ResponseTimes  map[string]string    `toml:"response_times"`
	Agreement      map[string]termsFile `toml:"agreement"`
}

type termsFile struct {
	Categories      []string   `toml:"categories"`
	ConsentRequired *bool      `toml:"consent_required"`
	Basis           string     `toml:"basis"`
	WithoutConsent  []ruleFile `toml:"without_consent"`
	// AccessAfterClose is a duration such as "720h"; default 30 days.
	AccessAfterClose *string `toml:"access_after_close"`
}

type ruleFile struct {
	ID         string   `toml:"id"`
	Categories []string `toml:"categories"`
	MinRisk    string   `toml:"min_risk"`
	Basis      string   `toml:"basis"`
	Reason     string   `toml:"reason"`
}

var (
	idPattern   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	kindPattern = regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
)

// Load reads every *.toml file in dir, in file-name order, and checks each one
// whole. lawfulBases are the bases configured for sharing without consent. The
// error lists every problem found, one per line, each naming the file and key.
func Load(dir string, lawfulBases []string) (*Directory, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("agency files: %w", err)
	}
	var files []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".toml") {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no agency files (*.toml) in this folder", dir)
	}

	var (
		agencies []Agency
		errs     []error
		idFile   = map[string]string{} // agency id -> file that defines it
		ruleAt   = map[string]string{} // rule id -> file and key where it is defined
		// coordinatorAt holds the one file of KindCoordinator, under "".
		coordinatorAt = map[string]string{}
	)
	for _, path := range files {
		a, err := loadFile(path, lawfulBases)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, dup := idFile[a.ID]; dup {
			errs = append(errs, fmt.Errorf("%s: key id: agency id %q is already used by %s", path, a.ID, prev))
			continue
		}
		idFile[a.ID] = path
		if a.Kind == KindCoordinator {
			if prev, dup := coordinatorAt[""]; dup {
				errs = append(errs, fmt.Errorf("%s: key kind: the MARAC coordinator's agreement is already in %s", path, prev))
				continue
			}
			coordinatorAt[""] = path
		}
		// Rule ids are quoted in release decisions and the audit log, so one id
		// must mean one rule across the whole directory.
		for _, p := range Purposes {
			for i, r := range a.Agreement[p].WithoutConsent {
				key := fmt.Sprintf("%s.id", ruleKey(p, i))
				if prev, dup := ruleAt[r.ID]; dup {
					errs = append(errs, fmt.Errorf("%s: key %s: rule id %q is already used at %s", path, key, r.ID, prev))
					continue
				}
				ruleAt[r.ID] = fmt.Sprintf("%s key %s", path, key)
			}
		}
		agencies = append(agencies, a)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return NewDirectory(agencies), nil
}

// Recipients returns every agency that may receive a referral: all but the
// originating force.
func (d *Directory) Recipients() []Agency {
	var out []Agency
	for _, a := range d.All() {
		if a.ID != Police {
			out = append(out, a)
		}
	}
	return out
}

// loadFile reads and checks one agency file.
func loadFile(path string, lawfulBases []string) (Agency, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Agency{}, err
	}
	var f agencyFile
	md, err := toml.Decode(string(b), &f)
	if err != nil {
		return Agency{}, decodeError(path, err)
	}
	c := &checker{file: path}
	c.unknownKeys(md)
	a := c.agency(f, lawfulBases)
	if len(c.errs) > 0 {
		return Agency{}, errors.Join(c.errs...)
	}
	return a, nil
}

// decodeError names the file and, where the parser knows them, the line and key.
func decodeError(path string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		if pe.LastKey != "" {
			return fmt.Errorf("%s: line %d: key %s: %s", path, pe.Position.Line, pe.LastKey, pe.Message)
		}
		return fmt.Errorf("%s: line %d: %s", path, pe.Position.Line, pe.Message)
	}
	// Type mismatches come as plain errors that already say line and key.
	return fmt.Errorf("%s: %s", path, strings.TrimPrefix(err.Error(), "toml: "))
}

// checker collects every problem in one file, so that one run of
// `hub agencies check` shows them all.
type checker struct {
	file string
	errs []error
}

func (c *checker) fail(key, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%s: key %s: %s", c.file, key, fmt.Sprintf(format, args...)))
}

// unknownKeys refuses keys the format does not define. The decoder also
// matches field names ignoring case; keys are refused unless written in lower
// case, so that "Mailbox" and "mailbox" cannot both be written and one lost.
func (c *checker) unknownKeys(md toml.MetaData) {
	for _, k := range md.Undecoded() {
		c.fail(k.String(), "unknown key")
	}
	for _, k := range md.Keys() {
		if last := k[len(k)-1]; last != strings.ToLower(last) {
			c.fail(k.String(), "keys are written in lower case")
		}
	}
}

func (c *checker) agency(f agencyFile, lawfulBases []string) Agency {
	a := Agency{
		ID:            f.ID,
		Name:          strings.TrimSpace(f.Name),
		Kind:          f.Kind,
		Mailbox:       f.Mailbox,
		ResponseTimes: c.responseTimes(f.ResponseTimes),
		Agreement:     map[Purpose]Terms{},
		File:          c.file,
	}
	switch {
	case f.ID == "":
		c.fail("id", "missing")
	case !idPattern.MatchString(f.ID):
		c.fail("id", "%q must be lower-case letters and digits joined by single hyphens, like \"victim-support\"", f.ID)
	}
	if a.Name == "" {
		c.fail("name", "missing")
	}
	switch {
	case f.Kind == "":
		c.fail("kind", "missing")
	case !kindPattern.MatchString(f.Kind):
		c.fail("kind", "%q must be lower-case words joined by underscores, like \"adult_social_care\"", f.Kind)
	}
	switch {
	case f.Mailbox == "":
		c.fail("mailbox", "missing")
	case !isMailbox(f.Mailbox):
		c.fail("mailbox", "%q is not an e-mail address like team@example.gov.uk", f.Mailbox)
	}
	if f.FreeText != "" {
		cat, err := category.Parse(f.FreeText)
		if err != nil {
			c.fail("free_text_category", "%v", err)
		}
		a.FreeText, a.HasFreeText = cat, err == nil
	}
	if f.ContactsVictim == nil {
		c.fail("contacts_victim", "missing: write true or false")
	} else {
		a.ContactsVictim = *f.ContactsVictim
	}

	if f.ID == Police {
		// The originating force holds the whole record; an agreement here
		// would read as if police were a recipient, which they never are.
		if len(f.Agreement) > 0 {
			c.fail("agreement", "the police are the originating force and receive nothing under an agreement: remove it")
		}
		return a
	}
	if f.Kind == KindCoordinator {
		// The coordinator chairs the MARAC: it is never sent a referral.
		if _, ok := f.Agreement[string(Referral)]; ok {
			c.fail("agreement."+string(Referral), "the MARAC coordinator is never sent a referral: remove it")
		}
		if _, ok := f.Agreement[string(MARAC)]; !ok {
			c.fail("agreement."+string(MARAC), "missing: the MARAC coordinator's file says what it may see of a case to chair the meeting")
		}
	} else if _, ok := f.Agreement[string(Referral)]; !ok {
		c.fail("agreement."+string(Referral), "missing: every partner agency needs the referral purpose")
	}
	purposes := make([]string, 0, len(f.Agreement))
	for p := range f.Agreement {
		purposes = append(purposes, p)
	}
	slices.Sort(purposes)
	for _, name := range purposes {
		p := Purpose(name)
		if !slices.Contains(Purposes, p) {
			c.fail("agreement."+name, "unknown purpose %q (the purposes are %s)", name, purposeNames())
			continue
		}
		a.Agreement[p] = c.terms(p, f.Agreement[name], a.ContactsVictim, lawfulBases)
	}
	return a
}

func (c *checker) responseTimes(raw map[string]string) map[risk.Level]time.Duration {
	out := make(map[risk.Level]time.Duration, len(risk.Levels))
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		key := "response_times." + name
		l, err := risk.ParseLevel(name)
		if err != nil {
			c.fail(key, "%v (the levels are standard, medium, high)", err)
			continue
		}
		d, err := time.ParseDuration(raw[name])
		switch {
		case err != nil:
			c.fail(key, "%q is not a duration like \"24h\" or \"120h\"", raw[name])
		case d <= 0:
			c.fail(key, "%q must be more than zero", raw[name])
		default:
			out[l] = d
		}
	}
	for _, l := range risk.Levels {
		if _, ok := raw[string(l)]; !ok {
			c.fail("response_times."+string(l), "missing: every agency needs a response time for each risk level")
		}
	}
	return out
}

func (c *checker) terms(p Purpose, f termsFile, contactsVictim bool, lawfulBases []string) Terms {
	prefix := "agreement." + string(p)
	t := Terms{Categories: c.categories(prefix+".categories", f.Categories), Basis: f.Basis}
	if contactsVictim {
		c.safeContact(prefix+".categories", t.Categories)
	}
	if f.ConsentRequired == nil {
		c.fail(prefix+".consent_required", "missing: write true or false")
	} else {
		t.ConsentRequired = *f.ConsentRequired
	}
	switch {
	case f.Basis == "":
		c.fail(prefix+".basis", "missing")
	case f.Basis == ConsentBasis:
		if f.ConsentRequired != nil && !t.ConsentRequired {
			c.fail(prefix+".basis", "%q cannot be the basis when consent_required = false: name the lawful basis for sharing without consent", ConsentBasis)
		}
	case !slices.Contains(lawfulBases, f.Basis):
		c.fail(prefix+".basis", "%q is not an allowed basis (%s)", f.Basis, strings.Join(append([]string{ConsentBasis}, lawfulBases...), ", "))
	}
	if f.ConsentRequired != nil && !t.ConsentRequired && len(f.WithoutConsent) > 0 {
		c.fail(prefix+".without_consent", "has no effect when consent_required = false, since every category already goes without consent: remove the rules or require consent")
	}
	for i, rf := range f.WithoutConsent {
		t.WithoutConsent = append(t.WithoutConsent, c.rule(p, i, rf, t.Categories, contactsVictim, lawfulBases))
	}
	t.AccessAfterClose = DefaultAccessAfterClose
	if f.AccessAfterClose != nil {
		d, err := time.ParseDuration(*f.AccessAfterClose)
		switch {
		case err != nil:
			c.fail(prefix+".access_after_close", "%q is not a duration like \"720h\" (30 days) or \"0h\"", *f.AccessAfterClose)
		case d < 0:
			c.fail(prefix+".access_after_close", "%q must not be negative", *f.AccessAfterClose)
		default:
			t.AccessAfterClose = d
		}
	}
	return t
}

func (c *checker) rule(p Purpose, i int, f ruleFile, allowed category.Set, contactsVictim bool, lawfulBases []string) Rule {
	prefix := ruleKey(p, i)
	r := Rule{ID: f.ID, Basis: f.Basis, Reason: strings.TrimSpace(f.Reason)}
	switch {
	case f.ID == "":
		c.fail(prefix+".id", "missing")
	case !idPattern.MatchString(f.ID):
		c.fail(prefix+".id", "%q must be lower-case letters and digits joined by single hyphens", f.ID)
	}
	r.Categories = c.categories(prefix+".categories", f.Categories)
	for _, cat := range r.Categories.List() {
		if !allowed.Has(cat) {
			c.fail(prefix+".categories", "%q is not in agreement.%s.categories: a rule cannot share more than the agreement allows", cat, p)
		}
	}
	if contactsVictim {
		c.safeContact(prefix+".categories", r.Categories)
	}
	if f.MinRisk == "" {
		c.fail(prefix+".min_risk", "missing")
	} else if l, err := risk.ParseLevel(f.MinRisk); err != nil {
		c.fail(prefix+".min_risk", "%v (the levels are standard, medium, high)", err)
	} else {
		r.MinRisk = l
	}
	switch {
	case f.Basis == "":
		c.fail(prefix+".basis", "missing")
	case f.Basis == ConsentBasis:
		c.fail(prefix+".basis", "%q cannot be the basis of a rule that shares without consent", ConsentBasis)
	case !slices.Contains(lawfulBases, f.Basis):
		c.fail(prefix+".basis", "%q is not an allowed lawful basis (%s)", f.Basis, strings.Join(lawfulBases, ", "))
	}
	if r.Reason == "" {
		c.fail(prefix+".reason", "missing: say in a sentence why this may go without consent")
	}
	return r
}

// categories reads a list of category names into a set.
func (c *checker) categories(key string, names []string) category.Set {
	var s category.Set
	if len(names) == 0 {
		c.fail(key, "missing: list at least one data category")
	}
	for _, name := range names {
		cat, err := category.Parse(name)
		switch {
		case err != nil:
			c.fail(key, "%v", err)
		case s.Has(cat):
			c.fail(key, "%q is listed twice", name)
		default:
			s = s.Add(cat)
		}
	}
	return s
}

// safeContact refuses identity without safe contact for an agency that
// contacts the victim: telling it who the victim is without how to reach
// them safely can lead it to alert the stalker.
func (c *checker) safeContact(key string, s category.Set) {
	if s.Has(category.Identity) && !s.Has(category.SafeContact) {
		c.fail(key, "has identity without safe_contact: an agency that contacts the victim must always be told how to contact them safely")
	}
}

// ruleKey names a without_consent rule as a reader counts them, from 1.
func ruleKey(p Purpose, i int) string {
	return fmt.Sprintf("agreement.%s.without_consent[%d]", p, i+1)
}

func purposeNames() string {
	names := make([]string, len(Purposes))
	for i, p := range Purposes {
		names[i] = string(p)
	}
	return strings.Join(names, ", ")
}

// isMailbox reports whether s is a bare address such as team@example.gov.uk,
// with no display name and a domain that has a dot.
func isMailbox(s string) bool {
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return strings.Contains(domain, ".")
}
