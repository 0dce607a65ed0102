package demo

// The made-up words the generator draws on. The names are common first
// names and invented surnames put together at random; no list describes a
// real person or place. Phone numbers are in the range Ofcom keeps for
// drama (07700 900000 to 900999) and e-mail addresses use example.com.

var firstNames = []string{
	"Amira", "Bethan", "Carys", "Delia", "Elin", "Farah", "Gemma", "Hollie", "Imogen", "Jasmin",
	"Kerry", "Leanne", "Maya", "Nadia", "Orla", "Priya", "Rhian", "Sadia", "Tamsin", "Una",
	"Vicky", "Wendy", "Yasmin", "Zoe", "Aaron", "Ben", "Callum", "Dev", "Ewan", "Femi",
	"Gareth", "Hamza", "Idris", "Jamie", "Kieran", "Liam", "Marek", "Nathan", "Owen", "Pawel",
}

var surnames = []string{
	"Ashdown", "Brierley", "Caldwell", "Dunmore", "Eastwood", "Fairbairn", "Glenister", "Hartwell",
	"Ingleby", "Jessop", "Kirkland", "Larkhill", "Merriweather", "Northcote", "Oakhurst", "Pennington",
	"Quarrie", "Redfern", "Saltmarsh", "Thistlewood", "Underhill", "Vickery", "Westbrook", "Yardley",
}

var streets = []string{
	"Alder Road", "Beacon Street", "Chapel Lane", "Dovecote Close", "Elm Grove", "Foundry Way",
	"Gorse Avenue", "Hawthorn Drive", "Ivy Terrace", "Juniper Court", "Kestrel Rise", "Linden Walk",
}

var towns = []string{"Northtown", "Southby", "Eastmere", "Westford", "Millbrook", "Ashcombe"}

var schools = []string{
	"Hillside Primary School", "St Bride's Primary School", "Northtown Academy", "Millbrook Infants",
	"Eastmere High School", "Westford Nursery",
}

// summaries are what happened, by offence: short, in an officer's words.
var summaries = map[string][]string{
	"stalking": {
		"Former partner repeatedly turns up outside the victim's home and workplace; has followed them to the shops.",
		"Suspect has been seen near the victim's home most evenings; leaves notes on the car.",
	},
	"stalking_fear_alarm_distress": {
		"Persistent following and messages since the relationship ended; the victim has stopped going out alone.",
		"Suspect tracked the victim's car and appeared at a new address within days of the move; the victim is very frightened.",
	},
	"harassment": {
		"Dozens of calls and messages a day after a dispute between neighbours; abusive comments in the street.",
		"Repeated unwanted contact through social media from several accounts after being blocked.",
	},
	"harassment_fear_of_violence": {
		"Messages threatening to hurt the victim and damage their car; the suspect has a history of violence.",
		"Threats made at the victim's door on two occasions; the victim fears for their safety.",
	},
	"malicious_communications": {
		"Offensive and threatening messages sent to the victim and their family online.",
		"Anonymous letters with threats posted through the door over several weeks.",
	},
	"breach_of_order": {
		"Suspect contacted the victim in breach of a restraining order: calls and a visit to the workplace.",
		"Breach of a Stalking Protection Order: the suspect was found in the exclusion zone near the victim's home.",
	},
	"other": {
		"Unwanted gifts and contact through friends of the victim; pattern escalating over recent weeks.",
	},
}

var safeTimes = []string{"weekdays 10-12", "weekday afternoons", "after 6pm", "mornings before 9", "any time"}

var safeInstructions = []string{
	"do not leave voicemail", "do not write to the home address", "text first and wait for a reply",
	"ask for the victim by first name only", "the suspect may answer: hang up", "",
}

var healthNotes = []string{"anxiety and poor sleep since the incidents began", "asthma", "low mood; seeing the GP", "pregnant, due in the spring", ""}

var needsNotes = []string{
	"wants extra locks and a doorbell camera", "wants to move to a safe address", "needs support at court",
	"would like counselling", "worried about money since leaving work", "",
}

var views = []string{
	"wants the contact to stop; does not want the suspect told of the referral",
	"supports police action and wants to give evidence",
	"does not want to go to court but wants help to feel safe",
	"unsure about support; agreed to be contacted by phone",
}

var orders = []string{"bail: no contact with the victim", "restraining order in place", "Stalking Protection Order (interim)", "", ""}

var requests = map[string][]string{
	"housing":            {"assess for the sanctuary scheme", "urgent move: the suspect knows the address"},
	"health":             {"GP and mental health support", "let the practice know of the risk"},
	"victim-support":     {"ISVA support", "emotional support and safety planning"},
	"idva":               {"IDVA support: high risk", "safety planning and support at court"},
	"childrens-services": {"children's welfare check", "assess the children's safety"},
	"adult-social-care":  {"adult safeguarding assessment"},
	"probation":          {"check licence conditions of the suspect", "inform the suspect's offender manager"},
}

// coded is a reason or an outcome as an agency gives it: the kind, from
// referral's lists, and the words.
type coded struct{ code, text string }

var declineReasons = []coded{
	{"out_of_area", "Not in our area; passed on to the neighbouring service"},
	{"already_supported", "Already supported by our service under another referral"},
	{"victim_declined", "The victim declined our support when contacted"},
	{"no_safe_contact", "Could not make safe contact after three attempts"},
	{"no_capacity", "No caseworker free this month; the officer was told of other services"},
	{"not_eligible", "Outside our service's criteria for this kind of case"},
}

var outcomes = []coded{
	{"safety_measures", "Sanctuary measures fitted; the victim feels safer at home"},
	{"safety_measures", "Safety plan agreed and reviewed with the victim"},
	{"rehoused_or_moved", "Rehoused at a safe address"},
	{"support_provided", "Supported through court; a restraining order was granted"},
	{"referred_on", "Referred on to counselling; case closed"},
	{"support_declined", "The victim chose not to take up support after the first visit"},
}

var notSoughtReasons = []string{
	"Asking would alert the suspect, who monitors the victim's phone",
	"The victim could not be reached safely before the referral",
	"Children at risk: safeguarding referral made without delay",
}

// maracConcerns are an officer's stated MARAC concern, for high risk judged
// without a DASH count.
var maracConcerns = []string{
	"Escalating pattern since the separation; the suspect has threatened to harm himself if the victim does not come back.",
	"The suspect has access to a firearm through work and has made veiled threats.",
	"The victim's fear has risen sharply; new threats against the children.",
}

// caseNotes are the coordinator's notes on a case listed for the first time.
var caseNotes = []string{
	"Safety planning and target hardening to be agreed; check the suspect's bail conditions.",
	"Victim engaging with the IDVA; agencies to share what they hold on the suspect.",
	"Several agencies involved; coordinate contact so that the victim is not overwhelmed.",
	"Children in the household: children's services to attend.",
}

// repeatNotes are the coordinator's notes on a case heard again.
var repeatNotes = []string{
	"Further incidents reported since the last MARAC; the safety plan to be reviewed.",
	"New breach of the restraining order; actions from the last meeting to be reviewed.",
	"Back on the agenda: outstanding actions and a new report of following.",
}

// researchSummaries are what a member agency holds on a case.
var researchSummaries = []string{
	"Known to the service from an earlier referral; closed after support was declined.",
	"Open case: support worker allocated; the victim attends appointments.",
	"The suspect is known to the service; no current involvement.",
	"Registered with the service; a history of missed appointments.",
}

// actionDescriptions are actions a MARAC agrees, by owning agency.
var actionDescriptions = map[string][]string{
	"housing":            {"Fit sanctuary measures at the victim's home", "Assess for a management transfer to a safe address"},
	"health":             {"Flag the risk on the GP record and share with the practice", "Arrange a mental health assessment for the victim"},
	"victim-support":     {"Allocate an ISVA and agree a safety plan", "Support the victim through the court hearing"},
	"idva":               {"Contact the victim within 48 hours and review the safety plan", "Support the victim's application for a non-molestation order"},
	"childrens-services": {"Complete a welfare check on the children", "Hold a strategy discussion about the children's safety"},
	"adult-social-care":  {"Carry out an adult safeguarding assessment"},
	"probation":          {"Review the suspect's licence conditions", "Tell the suspect's offender manager of the risk"},
}

// notPossibleNotes say what changed that made an action impossible.
var notPossibleNotes = []string{
	"The victim moved out of the area; the case was transferred to the receiving MARAC.",
	"The victim declined the service when contacted.",
	"The suspect was remanded in custody, so the action no longer applies.",
}

// notDoneNotes say why an action was not done, as recorded at review.
var notDoneNotes = []string{
	"Not done by the review: no worker was free; raised with the agency's lead.",
	"Not done by the review: the agency did not make contact.",
}

// overrideRationales say why sharing without consent is necessary.
var overrideRationales = []string{
	"High risk of serious harm: the agencies need to know to keep the victim and the children safe.",
	"Asking the victim would alert the suspect, who monitors their phone; sharing is proportionate to the risk.",
	"Children in the household are at risk; safeguarding outweighs the victim's refusal.",
	"The victim cannot be contacted safely; housing must act on the threat to the home.",
}

// refusalNotes say why a supervisor refused to share without consent.
var refusalNotes = []string{
	"Not proportionate: the risk is not high enough to override the victim's refusal; seek consent again.",
	"The victim can be asked safely; ask the victim again with the IDVA before sharing.",
}
