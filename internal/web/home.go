package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/identity"
)

// task is one thing a role can do next, shown on its home page.
type task struct {
	Title, Href, Hint string
}

// tasksByRole lists what each role can do next. A link appears only once the
// page behind it exists.
var tasksByRole = map[identity.Role][]task{
	identity.Officer:          {{Title: "Your details", Href: "/api/v1/me", Hint: "What the hub knows of your account"}},
	identity.Supervisor:       {{Title: "Your details", Href: "/api/v1/me", Hint: "What the hub knows of your account"}},
	identity.AgencyStaff:      {{Title: "Your details", Href: "/api/v1/me", Hint: "What the hub knows of your account"}},
	identity.MARACCoordinator: {{Title: "Your details", Href: "/api/v1/me", Hint: "What the hub knows of your account"}},
	identity.Auditor:          {{Title: "Your details", Href: "/api/v1/me", Hint: "What the hub knows of your account"}},
	identity.Admin:            {{Title: "Memberships", Href: "/admin/memberships", Hint: "Who belongs to which agency and role"}},
}

type homeData struct {
	Sections []homeSection
	Agency   string
}

type homeSection struct {
	Role  identity.Role
	Title string
	Tasks []task
}

var roleTitles = map[identity.Role]string{
	identity.Officer:          "Police officer",
	identity.Supervisor:       "Police supervisor",
	identity.AgencyStaff:      "Partner agency",
	identity.MARACCoordinator: "MARAC coordinator",
	identity.Auditor:          "Audit and information governance",
	identity.Admin:            "Administration",
}

// home shows each role what it can do next; with no role, whom to ask.
func (s *Server) home(c echo.Context) error {
	p := principal(c)
	if len(p.Roles) == 0 {
		return s.render(c, http.StatusOK, "no-role", nil)
	}
	d := homeData{}
	if a, ok := s.Agencies.Get(p.Agency); ok {
		d.Agency = a.Name
	}
	for _, r := range p.Roles {
		d.Sections = append(d.Sections, homeSection{Role: r, Title: roleTitles[r], Tasks: tasksByRole[r]})
	}
	return s.render(c, http.StatusOK, "home", d)
}
