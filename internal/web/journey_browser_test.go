package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/browsertest"
)

// journey drives one tab of the whole journey: each step names the page it
// lands on, and every page is checked as it loads.
type journey struct {
	t    *testing.T
	ctx  context.Context
	who  string
	noJS bool // scripts are off: the page checks, which run scripts, are skipped
}

// check runs the checks every page must pass, axe-core among them.
func (j journey) check(page string) {
	j.t.Helper()
	if !j.noJS {
		checkPage(j.t, j.ctx, j.who+": "+page)
	}
}

// do runs actions that stay on the page.
func (j journey) do(actions ...chromedp.Action[chromedp.Void]) {
	j.t.Helper()
	if err := chromedp.Do(j.ctx, actions...); err != nil {
		j.t.Fatalf("%s: %v", j.who, err)
	}
}

// submit presses a button and checks the page it leads to.
func (j journey) submit(button string, status int, page string) {
	j.t.Helper()
	resp, err := chromedp.RunResponse(j.ctx, chromedp.Click(chromedp.CSS(button)))
	if err != nil {
		j.t.Fatalf("%s: pressing %s: %v", j.who, button, err)
	}
	if int(resp.Status) != status {
		j.t.Fatalf("%s: pressing %s led to %s with status %d, want %d; page: %s", j.who, button, resp.URL, resp.Status, status, text(j.t, j.ctx, "main"))
	}
	j.check(page)
}

// open follows a link and checks the page.
func (j journey) open(link, page string) {
	j.t.Helper()
	j.submit(link, http.StatusOK, page)
}

// visit loads an address and checks the page.
func (j journey) visit(url, page string) {
	j.t.Helper()
	visit(j.t, j.ctx, url, http.StatusOK)
	j.check(page)
}

// content is the text of the element as written, before CSS (badges are
// shown in capitals).
func (j journey) content(css string) string {
	j.t.Helper()
	s, err := chromedp.Run(j.ctx, chromedp.TextContent(chromedp.CSS(css)))
	if err != nil {
		j.t.Fatalf("%s: reading %s: %v", j.who, css, err)
	}
	return strings.Join(strings.Fields(s), " ")
}

func (j journey) main() string {
	j.t.Helper()
	return text(j.t, j.ctx, "main")
}

// fill types into fields by id, in order: id, text, id, text...
func (j journey) fill(pairs ...string) {
	j.t.Helper()
	for i := 0; i+1 < len(pairs); i += 2 {
		j.do(chromedp.SendKeys(chromedp.ID(pairs[i]), pairs[i+1]))
	}
}

// choose clicks the radio or checkbox with the name and value.
func (j journey) choose(name, value string) {
	j.t.Helper()
	j.do(chromedp.Click(chromedp.CSS(`input[name="` + name + `"][value="` + value + `"]`)))
}

func (j journey) date(id, day, month, year string) {
	j.t.Helper()
	j.fill(id+"-day", day, id+"-month", month, id+"-year", year)
}

const (
	continueButton = `button[name="action"][value="continue"]`
	victimName     = "Marguerite Quillfeather"
)

// The whole journey of a referral in the browser, each person signed in
// through the real persona picker: an officer raises it (and corrects a
// mistake on the way), sends it to housing and victim support; housing finds
// it in its inbox, reads safe contact first, accepts it and asks a question;
// the officer answers; housing closes it with an outcome; the officer sees
// where each agency stands. Every page passes axe-core.
func TestBrowserReferralJourney(t *testing.T) {
	b := browsertest.Start(t)
	h := apptest.Start(t, nil)
	now := time.Now().UTC()
	year := func(back int) string { return strconv.Itoa(now.Year() - back) }
	itoa := strconv.Itoa

	// The officer raises the referral.
	officer := journey{t: t, ctx: b.NewTab(t, 4*time.Minute), who: "officer"}
	if err := h.SignIn(officer.ctx, "officer", "/referrals/new"); err != nil {
		t.Fatal(err)
	}
	officer.check("victim and safe contact")
	contains(t, "first step", officer.main(), "The victim and safe contact", "step 1 of 9", "Safe contact")

	// Safe contact's method forgotten and a date of birth that is no date:
	// the page comes back with both errors and the officer's answers.
	officer.fill("victim-name", victimName, "victim-safe_contact-instructions", "Do not leave voicemail. Never write to the home address.")
	officer.date("victim-date_of_birth", "31", "2", year(30))
	officer.submit(continueButton, http.StatusUnprocessableEntity, "victim step with errors")
	summary := text(t, officer.ctx, ".govuk-error-summary")
	contains(t, "error summary", summary, "Date of birth must be a real date", "Choose how agencies may contact the victim safely")
	if strings.Index(summary, "Date of birth") > strings.Index(summary, "Choose how agencies") {
		t.Errorf("error summary out of page order: %q", summary)
	}
	if got := eval[string](t, officer.ctx, `document.querySelector('.govuk-error-summary a[href="#victim-safe_contact-method"]') ? "linked" : "not linked"`); got != "linked" {
		t.Errorf("the safe contact error does not link to its question")
	}
	if got := eval[string](t, officer.ctx, `document.getElementById("victim-name").value`); got != victimName {
		t.Errorf("the name typed was lost: %q", got)
	}
	if got := eval[string](t, officer.ctx, `document.title`); !strings.HasPrefix(got, "Error: ") {
		t.Errorf("title %q does not start with Error:", got)
	}
	officer.do(chromedp.SetValue(chromedp.ID("victim-date_of_birth-day"), "28"))
	officer.choose("victim.safe_contact.method", "phone")
	officer.choose("victim.safe_contact.other_methods", "text")
	officer.fill("victim-safe_contact-times", "Weekdays 10am to 12pm")
	officer.submit(continueButton, http.StatusOK, "contact details")
	contains(t, "second step", officer.main(), "Contact details", "step 2 of 9")
	draftURL := eval[string](t, officer.ctx, `location.pathname`)
	if !regexp.MustCompile(`^/referrals/new/d-[0-9a-f]+/contact$`).MatchString(draftURL) {
		t.Fatalf("the draft's address is %q", draftURL)
	}

	officer.fill("victim-address", "7 Lantern Yard, Northshire", "victim-phone", "07700 900456")
	officer.submit(continueButton, http.StatusOK, "offence")

	officer.choose("offence", "stalking_fear_alarm_distress")
	officer.fill("summary", "Followed to work on six occasions since March; gifts left at the door.", "crime_reference", "MP/26/004321", "incidents-count", "6")
	officer.date("incidents-first", "2", "3", year(1))
	officer.date("incidents-last", "1", "4", year(1))
	officer.choose("aggravating_factors", "domestic_abuse")
	officer.choose("aggravating_factors", "hate_crime")
	officer.do(chromedp.WaitVisible(chromedp.ID("aggravating_factors-strand")))
	officer.choose("aggravating_factors.strand", "disability")
	officer.choose("aggravating_factors.strand", "race")
	officer.submit(continueButton, http.StatusOK, "risk")

	officer.choose("risk.tool", "dash")
	officer.fill("risk-score", "11")
	officer.choose("risk.level", "medium")
	officer.submit(continueButton, http.StatusOK, "suspect")

	officer.fill("suspect-name", "Dorian Ashgrove")
	officer.do(chromedp.SetValue(chromedp.ID("suspect-relationship"), "ex_partner"))
	officer.fill("suspect-orders", "Bail: no contact with the victim")
	officer.submit(continueButton, http.StatusOK, "children")

	officer.fill("child-name", "Pip Quillfeather", "child-school", "Hill Primary")
	officer.choose("child.lives_with_victim", "yes")
	officer.submit(`button[name="action"][value="add"]`, http.StatusOK, "children with one added")
	contains(t, "children", officer.main(), "Child 1", "Pip Quillfeather", "Add another child")
	officer.submit(continueButton, http.StatusOK, "health, needs and views")

	officer.fill("victim-views", "Wants help to stay safely at home; does not want the suspect told.")
	officer.submit(continueButton, http.StatusOK, "agencies")

	officer.choose("agencies", "housing")
	officer.do(chromedp.WaitVisible(chromedp.ID("request-housing")))
	officer.fill("request-housing", "Assess for a sanctuary scheme")
	officer.choose("agencies", "victim-support")
	officer.submit(continueButton, http.StatusOK, "consent")

	officer.choose("consent.decision", "given")
	officer.do(chromedp.WaitVisible(chromedp.ID("consent-agencies")))
	officer.choose("consent.agencies", "housing")
	officer.choose("consent.agencies", "victim-support")
	for _, c := range []string{"identity", "safe_contact", "contact", "risk", "needs"} {
		officer.choose("consent.categories", c)
	}
	officer.choose("consent.method", "verbal")
	review := now.AddDate(0, 6, 0)
	officer.date("consent-review_on", itoa(review.Day()), itoa(int(review.Month())), itoa(review.Year()))
	officer.date("consent-obtained_on", itoa(now.Day()), itoa(int(now.Month())), itoa(now.Year()))
	officer.submit(continueButton, http.StatusOK, "check your answers")
	check := officer.main()
	contains(t, "check your answers", check, "Check your answers", victimName, "Phone call", "Do not leave voicemail",
		"Stalking involving fear of violence", "Hate crime strands", "Race", "Disability", "Text message", "Medium", "Dorian Ashgrove", "Pip Quillfeather",
		"Northshire Council Housing Options", "Assess for a sanctuary scheme", "Consent given")
	// What each agency will see, from the same release decision (issue 12).
	contains(t, "check your answers: what each agency will see", officer.content("#preview-housing"), "Will see", "Identity", "Safe contact",
		"Will not see: Offence", "Not in your agency's information-sharing agreement")

	officer.submit(`#send button[type="submit"]`, http.StatusOK, "referral sent")
	sent := officer.main()
	contains(t, "sent referral", sent, "Referral sent", "Safe contact", victimName)
	reference := regexp.MustCompile(`SH-\d{4}-\d{6}`).FindString(sent)
	referralPath := eval[string](t, officer.ctx, `location.pathname`)
	if reference == "" || !strings.HasPrefix(referralPath, "/referrals/r-") {
		t.Fatalf("no reference (%q) or referral address (%q)", reference, referralPath)
	}
	// The draft went with the send: its address is gone.
	visit(t, officer.ctx, h.URL+draftURL, http.StatusNotFound)

	// Housing finds it in its inbox and opens it: safe contact comes first.
	housing := journey{t: t, ctx: b.NewTab(t, 3*time.Minute), who: "housing"}
	if err := h.SignIn(housing.ctx, "housing", "/inbox"); err != nil {
		t.Fatal(err)
	}
	housing.check("inbox")
	contains(t, "inbox", housing.content("main"), reference, "Sent", "1 new")
	housing.open(`a[href="`+referralPath+`"]`, "referral")
	page := housing.content("main")
	contains(t, "housing's view", page, "Safe contact", "Phone call", "Weekdays 10am to 12pm", "Do not leave voicemail", victimName, "Assess for a sanctuary scheme", "Viewed")
	first := eval[string](t, housing.ctx, `document.querySelector("main h2.govuk-heading-m").textContent`)
	if first != "Safe contact" {
		t.Errorf("the first section housing reads is %q, want Safe contact", first)
	}
	// Consent does not cover the children for housing: withheld, with why.
	contains(t, "withheld children", text(t, housing.ctx, "#children"), "Withheld", "Consent does not cover this kind of information")
	if strings.Contains(page, "Pip Quillfeather") || strings.Contains(page, "Dorian Ashgrove") {
		t.Errorf("housing sees what was withheld")
	}

	housing.choose("status", "accepted")
	housing.submit(`form[action$="/status"] button[type="submit"]`, http.StatusOK, "accepted")
	contains(t, "accepted", housing.content("main"), "Your agency's answer has been saved", "Accepted")

	housing.fill("body", "Is the victim happy for us to visit with a locksmith on Tuesday?")
	housing.submit(`form[action$="/messages"] button[type="submit"]`, http.StatusOK, "question sent")
	contains(t, "question sent", text(t, housing.ctx, "#messages ~ .moj-messages-container"), "visit with a locksmith")

	// The officer answers in housing's thread.
	officer.visit(h.URL+referralPath, "referral with a question")
	contains(t, "officer's thread", officer.main(), "With Northshire Council Housing Options", "visit with a locksmith")
	officer.do(chromedp.SetValue(chromedp.ID("agency"), "housing"))
	officer.fill("body", "Yes, Tuesday morning suits her. Call first, as the safe contact says.")
	officer.submit(`form[action$="/messages"] button[type="submit"]`, http.StatusOK, "answer sent")

	// Housing reads the answer and closes the referral; without the kind
	// of outcome and the words it is refused first.
	housing.visit(h.URL+referralPath, "referral with the answer")
	contains(t, "housing's thread", housing.main(), "Tuesday morning suits her")
	housing.choose("status", "closed")
	housing.submit(`form[action$="/status"] button[type="submit"]`, http.StatusUnprocessableEntity, "close without outcome")
	contains(t, "close without outcome", text(t, housing.ctx, ".govuk-error-summary"), "Choose the kind of outcome", "Say what your agency did and what the outcome was")
	housing.do(chromedp.WaitVisible(chromedp.ID("outcome")))
	housing.choose("outcome_code", "safety_measures")
	housing.fill("outcome", "Sanctuary scheme fitted; new locks and a door camera.")
	housing.submit(`form[action$="/status"] button[type="submit"]`, http.StatusOK, "closed")
	contains(t, "closed", housing.content("main"), "Closed", "Safety measures put in place", "nothing more to answer")

	// The officer sees both agencies: housing closed with its outcome,
	// victim support not yet opened.
	officer.visit(h.URL+referralPath, "referral closed by housing")
	contains(t, "housing's share", officer.content("#share-housing"), "Closed", "Safety measures put in place", "Sanctuary scheme fitted")
	contains(t, "victim support's share", officer.content("#share-victim-support"), "Sent")
	contains(t, "timeline", text(t, officer.ctx, ".moj-timeline"), "Referral sent", "accepted", "Message from Northshire Council Housing Options", "closed")
	officer.open(`.govuk-service-navigation a[href="/referrals"]`, "my referrals")
	row := officer.content("#referrals tbody")
	contains(t, "my referrals", row, reference, "Closed", "Sent")
	officer.open(`.govuk-service-navigation a[href="/"]`, "home")
	contains(t, "officer's home", officer.main(), "Raise a referral", "My referrals", "None need attention")
	browsertest.Screenshot(t, officer.ctx, "")
}

// The form needs no JavaScript: the server checks it, and what a choice
// reveals is on the page from the start.
func TestBrowserReferralFormWithoutJavaScript(t *testing.T) {
	b := browsertest.Start(t)
	h := apptest.Start(t, nil)
	officer := journey{t: t, ctx: b.NewTab(t, 2*time.Minute), who: "officer without JavaScript", noJS: true}
	if err := h.SignIn(officer.ctx, "officer", "/"); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(officer.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	visit(t, officer.ctx, h.URL+"/referrals/new", http.StatusOK)
	officer.submit(continueButton, http.StatusUnprocessableEntity, "first step, empty")
	contains(t, "error summary", text(t, officer.ctx, ".govuk-error-summary"), "Enter the victim's full name", "Choose how agencies may contact the victim safely")
	officer.fill("victim-name", victimName)
	officer.choose("victim.safe_contact.method", "letter")
	officer.submit(`button[name="action"][value="later"]`, http.StatusOK, "my referrals with a draft")
	contains(t, "drafts", text(t, officer.ctx, "#drafts"), victimName, "Continue")

	officer.open(`#drafts a[href$="/offence"]`, "offence, resumed")
	agencies := strings.Replace(eval[string](t, officer.ctx, `location.pathname`), "/offence", "/agencies", 1)
	visit(t, officer.ctx, h.URL+agencies, http.StatusOK)
	if !eval[bool](t, officer.ctx, `document.getElementById("request-housing").offsetParent !== null`) {
		t.Error("without JavaScript, what housing is asked cannot be written")
	}
}
