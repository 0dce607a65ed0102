package devidp

import (
	"bytes"
	"crypto/subtle"
	_ "embed"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// pickerPath is where, under the issuer, the persona picker lives.
const pickerPath = "/login"

// pickerCookie carries the sign-in's picker token: SameSite=Strict, so a
// POST from another site arrives without it and is refused.
const pickerCookie = "devidp_signin"

//go:embed picker.html
var pickerHTML string

var pickerTemplate = template.Must(template.New("picker").Funcs(template.FuncMap{"join": strings.Join}).Parse(pickerHTML))

// pickerPage is what the picker template shows.
type pickerPage struct {
	Gone       bool // the sign-in is unknown, lapsed or already used
	Error      string
	Action     string
	ID         string
	Token      string
	Personas   []Persona
	Stylesheet string
}

// showPicker shows the personas for a pending sign-in.
func (p *Provider) showPicker(w http.ResponseWriter, r *http.Request) {
	a, ok := p.storage.request(r.URL.Query().Get("id"))
	if !ok || a.Done() {
		p.render(w, http.StatusBadRequest, pickerPage{Gone: true, Error: "This sign-in request is unknown, has expired or was already used."})
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: pickerCookie, Value: a.pickerToken, Path: p.prefix + pickerPath,
		MaxAge: int(signinLifetime.Seconds()), HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: strings.HasPrefix(p.cfg.Issuer, "https://"),
	})
	p.render(w, http.StatusOK, p.page(a, ""))
}

// pick signs the browser in as the chosen persona and sends it back through
// the op package's callback, which issues the code.
func (p *Provider) pick(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		p.render(w, http.StatusBadRequest, pickerPage{Gone: true, Error: "The form could not be read."})
		return
	}
	a, ok := p.storage.request(r.PostForm.Get("id"))
	if !ok || a.Done() {
		p.render(w, http.StatusBadRequest, pickerPage{Gone: true, Error: "This sign-in request is unknown, has expired or was already used."})
		return
	}
	cookie, _ := r.Cookie(pickerCookie)
	if !sameToken(r.PostForm.Get("token"), a.pickerToken) || cookie == nil || !sameToken(cookie.Value, a.pickerToken) {
		p.render(w, http.StatusForbidden, pickerPage{Gone: true, Error: "This sign-in page is out of date or was sent from another site."})
		return
	}
	persona := r.PostForm.Get("persona")
	if _, ok := personaByID(persona); !ok {
		p.render(w, http.StatusBadRequest, p.page(a, "Choose one of the personas listed."))
		return
	}
	if !p.storage.pick(a.id, persona) {
		p.render(w, http.StatusBadRequest, pickerPage{Gone: true, Error: "This sign-in request has expired or was already used."})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: pickerCookie, Value: "", Path: p.prefix + pickerPath, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	back := p.server.AuthCallbackURL()(op.ContextWithIssuer(r.Context(), p.cfg.Issuer), a.id)
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (p *Provider) page(a authRequest, problem string) pickerPage {
	return pickerPage{
		Error: problem, Action: p.cfg.Issuer + pickerPath, ID: a.id, Token: a.pickerToken, Personas: Personas,
	}
}

// sameToken compares a sent token with the expected one in constant time.
func sameToken(sent, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(sent), []byte(want)) == 1
}

// render writes the picker page. The hub's own security headers win when it
// sets them; these keep the page unframed and uncached when served alone.
func (p *Provider) render(w http.ResponseWriter, status int, page pickerPage) {
	page.Stylesheet = p.cfg.Stylesheet
	var buf bytes.Buffer
	if err := pickerTemplate.Execute(&buf, page); err != nil {
		slog.Error("devidp: render the sign-in page", "err", err)
		http.Error(w, "the sign-in page could not be shown", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	for k, v := range map[string]string{
		"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "no-referrer",
		"X-Content-Type-Options":  "nosniff",
	} {
		if h.Get(k) == "" {
			h.Set(k, v)
		}
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
