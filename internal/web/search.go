package web

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/problem"
	"github.com/stalking-hub/hub/internal/sharing"
	"github.com/stalking-hub/hub/internal/store"
)

// Search: a reference, a crime reference or a person's name, with or without
// a date of birth. A name is personal data, so it never travels in clear in
// an address: the page's search box posts the term, and the list's address
// carries it sealed to the reader (searchToken), for a few hours only. The
// store matches it through keyed fingerprints (store.NewSearch), and a match
// on a category counts only where sharing.Release would show the reader that
// category: an agency cannot learn whom a referral concerns by searching.

// maxSearch is the longest search term taken.
const maxSearch = 200

// searchTTL is how long a sealed search in a list's address is honoured.
const searchTTL = 8 * time.Hour

// checkSearch refuses a term that is too long, without quoting it.
func checkSearch(term string) error {
	if utf8.RuneCountInString(term) > maxSearch {
		return problem.Invalidf("q", "q must be %d characters or fewer", maxSearch)
	}
	return nil
}

// searchIDs are the referrals a term finds that the reader may find by it:
// by reference always (the list's own visibility still applies), by a name
// or crime reference only where its category would be released to them for
// purpose. Nothing is released here and nothing is shown but the list's
// metadata, so no release is audited.
func (s *Server) searchIDs(c echo.Context, term string, purpose agency.Purpose) ([]string, error) {
	ctx := c.Request().Context()
	p := principal(c)
	hits, err := s.DB.SearchHits(ctx, store.NewSearch(s.DB.Keyring(), term))
	if err != nil {
		return nil, err
	}
	var ids []string
	seen := map[string]bool{}
	views := map[string]*sharing.View{}
	for _, h := range hits {
		if seen[h.Referral] {
			continue
		}
		if !h.ByRef {
			v, ok := views[h.Referral]
			if !ok {
				r, err := s.DB.Referral(ctx, h.Referral)
				if err != nil {
					if problem.CodeOf(err) == problem.NotFound {
						continue
					}
					return nil, err
				}
				if rv, err := sharing.Release(p, r, purpose, s.Agencies, s.Now()); err == nil {
					v = &rv
				}
				views[h.Referral] = v
			}
			if v == nil || !v.Shown(h.Category) {
				continue
			}
		}
		seen[h.Referral] = true
		ids = append(ids, h.Referral)
	}
	return ids, nil
}

// searchContext binds a sealed search to its reader.
func searchContext(subject string) string { return "search/" + subject }

// searchToken seals a term for the list's address: only the same reader's
// session can open it, and only for searchTTL.
func (s *Server) searchToken(subject, term string) (string, error) {
	plain := strconv.FormatInt(s.Now().Unix(), 10) + "|" + term
	kid, sealed, err := s.DB.Keyring().Seal([]byte(plain), searchContext(subject))
	if err != nil {
		return "", err
	}
	return kid + "~" + base64.RawURLEncoding.EncodeToString(sealed), nil
}

// openSearch opens a sealed search; an old, foreign or edited one is no
// search at all.
func (s *Server) openSearch(subject, token string) (string, bool) {
	kid, b64, ok := strings.Cut(token, "~")
	if !ok {
		return "", false
	}
	sealed, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil {
		return "", false
	}
	plain, err := s.DB.Keyring().Open(kid, sealed, searchContext(subject))
	if err != nil {
		return "", false
	}
	at, term, ok := strings.Cut(string(plain), "|")
	sec, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || s.Now().Sub(time.Unix(sec, 0)) > searchTTL {
		return "", false
	}
	return term, true
}

// postSearch takes a list's search box and shows the list with the search
// in its address, sealed; an empty box clears the search.
func (s *Server) postSearch(path string) echo.HandlerFunc {
	return func(c echo.Context) error {
		form, err := c.FormParams()
		if err != nil {
			return err
		}
		kept := url.Values{}
		for _, k := range []string{"status", "risk", "overdue", "attention", "sort"} {
			if v := form.Get(k); v != "" {
				kept.Set(k, v)
			}
		}
		term := strings.TrimSpace(form.Get("q"))
		if term != "" {
			if utf8.RuneCountInString(term) > maxSearch {
				term = string([]rune(term)[:maxSearch])
			}
			tok, err := s.searchToken(principal(c).Subject, term)
			if err != nil {
				return err
			}
			kept.Set("search", tok)
		}
		return c.Redirect(http.StatusSeeOther, withQuery(path, kept))
	}
}

// searchRoutes are the search boxes of the lists.
func (s *Server) searchRoutes() []Route {
	post := func(path string, roles []identity.Role) Route {
		return Route{Method: http.MethodPost, Path: path + "/search", Access: Roles, Roles: roles, CSRF: true, Handler: s.postSearch(path)}
	}
	return []Route{
		post("/inbox", agencyStaff),
		post("/referrals", []identity.Role{identity.Officer, identity.Supervisor}),
		post("/marac", []identity.Role{identity.MARACCoordinator}),
	}
}

// apiListOptions reads the list's search, sort and attention parameters.
func (s *Server) apiListOptions(c echo.Context, f *store.ListFilter) error {
	if err := checkSearch(c.QueryParam("q")); err != nil {
		return err
	}
	if v := c.QueryParam("sort"); v != "" {
		if !slices.Contains(store.Sorts, v) {
			return problem.Invalidf("sort", "sort must be one of %s", strings.Join(store.Sorts, ", "))
		}
		f.Sort = v
	}
	switch c.QueryParam("attention") {
	case "", "false":
	case "true":
		f.Attention = true
	default:
		return problem.Invalidf("attention", "attention must be true or false")
	}
	return nil
}
