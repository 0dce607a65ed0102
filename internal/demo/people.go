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
