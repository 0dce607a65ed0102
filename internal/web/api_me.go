package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/identity"
)

type meJSON struct {
	Subject string          `json:"subject"`
	Name    string          `json:"name"`
	Email   string          `json:"email"`
	Roles   []identity.Role `json:"roles"`
	Agency  *string         `json:"agency"`
}

// apiMe says who the caller is to the hub.
func (s *Server) apiMe(c echo.Context) error {
	p := principal(c)
	out := meJSON{Subject: p.Subject, Name: p.Name, Email: p.Email, Roles: p.Roles}
	if out.Roles == nil {
		out.Roles = []identity.Role{}
	}
	if p.Agency != "" {
		out.Agency = &p.Agency
	}
	return answer(c, http.StatusOK, out)
}

type termsJSON struct {
	Categories      []category.Category `json:"categories"`
	Basis           string              `json:"basis"`
	ConsentRequired bool                `json:"consent_required"`
	WithoutConsent  []ruleJSON          `json:"without_consent"`
}

type ruleJSON struct {
	ID         string              `json:"id"`
	Categories []category.Category `json:"categories"`
	MinRisk    string              `json:"min_risk"`
	Basis      string              `json:"basis"`
}

type agencyJSON struct {
	ID             string                       `json:"id"`
	Name           string                       `json:"name"`
	Kind           string                       `json:"kind"`
	ContactsVictim bool                         `json:"contacts_victim"`
	ResponseHours  map[string]float64           `json:"response_hours"`
	Agreement      map[agency.Purpose]termsJSON `json:"agreement"`
}

// apiAgencies lists the agencies and what each one's ISA lets it receive.
func (s *Server) apiAgencies(c echo.Context) error {
	var out []agencyJSON
	for _, a := range s.Agencies.All() {
		j := agencyJSON{ID: a.ID, Name: a.Name, Kind: a.Kind, ContactsVictim: a.ContactsVictim,
			ResponseHours: map[string]float64{}, Agreement: map[agency.Purpose]termsJSON{}}
		for l, d := range a.ResponseTimes {
			j.ResponseHours[string(l)] = d.Hours()
		}
		for p, t := range a.Agreement {
			tj := termsJSON{Categories: t.Categories.List(), Basis: t.Basis, ConsentRequired: t.ConsentRequired, WithoutConsent: []ruleJSON{}}
			for _, r := range t.WithoutConsent {
				tj.WithoutConsent = append(tj.WithoutConsent, ruleJSON{ID: r.ID, Categories: r.Categories.List(), MinRisk: string(r.MinRisk), Basis: r.Basis})
			}
			j.Agreement[p] = tj
		}
		out = append(out, j)
	}
	return answer(c, http.StatusOK, agenciesJSON{out})
}
