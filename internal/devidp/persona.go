package devidp

import "github.com/zitadel/oidc/v3/pkg/oidc"

// Persona is a demo person.
type Persona struct {
	ID     string // the token's sub
	Name   string
	Email  string
	Roles  []string // the token's hub_roles
	Agency string   // the token's hub_agency; set for agency staff only
	Title  string   // the job, shown on the sign-in page
}

// Personas are the 13 demo personas. Each agency persona is agency_staff of
// the demo agency with the same id.
var Personas = []Persona{
	{ID: "officer", Name: "PC Dana Whitfield", Email: "dana.whitfield@police.example.gov.uk", Roles: []string{"officer"}, Title: "Police officer, stalking and harassment unit"},
	{ID: "officer2", Name: "PC Marcus Oyelaran", Email: "marcus.oyelaran@police.example.gov.uk", Roles: []string{"officer"}, Title: "Police officer, response team"},
	{ID: "supervisor", Name: "DS Priya Raman", Email: "priya.raman@police.example.gov.uk", Roles: []string{"supervisor"}, Title: "Detective sergeant, public protection"},
	{ID: "housing", Name: "Tom Hendry", Email: "tom.hendry@housing.example.gov.uk", Roles: []string{"agency_staff"}, Agency: "housing", Title: "Housing options officer"},
	{ID: "health", Name: "Dr Aisha Kamara", Email: "aisha.kamara@example.nhs.uk", Roles: []string{"agency_staff"}, Agency: "health", Title: "Named doctor for safeguarding"},
	{ID: "victim-support", Name: "Beth Morgan", Email: "beth.morgan@victimsupport.example.org.uk", Roles: []string{"agency_staff"}, Agency: "victim-support", Title: "Independent stalking advocate"},
	{ID: "idva", Name: "Sam Okafor", Email: "sam.okafor@idva.example.org.uk", Roles: []string{"agency_staff"}, Agency: "idva", Title: "Independent domestic violence adviser"},
	{ID: "childrens-services", Name: "Rachel Doyle", Email: "rachel.doyle@childrens.example.gov.uk", Roles: []string{"agency_staff"}, Agency: "childrens-services", Title: "Social worker, children's services"},
	{ID: "adult-social-care", Name: "Ian McBride", Email: "ian.mcbride@adultcare.example.gov.uk", Roles: []string{"agency_staff"}, Agency: "adult-social-care", Title: "Adult safeguarding practitioner"},
	{ID: "probation", Name: "Grace Adeyemi", Email: "grace.adeyemi@probation.example.gov.uk", Roles: []string{"agency_staff"}, Agency: "probation", Title: "Probation officer"},
	{ID: "coordinator", Name: "Helen Price", Email: "helen.price@marac.example.gov.uk", Roles: []string{"marac_coordinator"}, Title: "MARAC coordinator"},
	{ID: "auditor", Name: "Neil Forsyth", Email: "neil.forsyth@audit.example.gov.uk", Roles: []string{"auditor"}, Title: "Information governance auditor"},
	{ID: "admin", Name: "Jo Castellano", Email: "jo.castellano@police.example.gov.uk", Roles: []string{"admin"}, Title: "Hub administrator"},
}

// personaByID finds a demo persona by its id.
func personaByID(id string) (Persona, bool) {
	for _, p := range Personas {
		if p.ID == id {
			return p, true
		}
	}
	return Persona{}, false
}

// claims are the persona's claims that ID tokens, access tokens and userinfo
// all carry beside the registered ones.
func (p Persona) claims() map[string]any {
	c := map[string]any{
		"name":           p.Name,
		"email":          p.Email,
		"email_verified": true,
		"hub_roles":      append([]string(nil), p.Roles...),
	}
	if p.Agency != "" {
		c["hub_agency"] = p.Agency
	}
	return c
}

// userInfo fills the standard and the hub's claims of the persona into info.
func (p Persona) userInfo(info *oidc.UserInfo) {
	info.Subject = p.ID
	info.Name = p.Name
	info.Email = p.Email
	info.EmailVerified = true
	info.AppendClaims("hub_roles", append([]string(nil), p.Roles...))
	if p.Agency != "" {
		info.AppendClaims("hub_agency", p.Agency)
	}
}
