package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/store/storetest"
)

// lockedBuffer is a log the hub writes to from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// secondReferral is another victim's referral, sent to health only.
func secondReferral() map[string]any {
	m := exampleReferral()
	m["crime_reference"] = "NS/26/777111"
	m["victim"].(map[string]any)["name"] = "Alma Otherperson"
	m["victim"].(map[string]any)["date_of_birth"] = "1975-01-31"
	m["suspect"].(map[string]any)["name"] = "Otto Elsewhere"
	m["agencies"] = []map[string]any{{"agency": "health", "request": "GP follow-up"}}
	m["consent"].(map[string]any)["agencies"] = []string{"health"}
	return m
}

// search lists the referrals persona finds with q, by reference.
func search(t *testing.T, h *apptest.Hub, persona, q string, extra ...string) []string {
	t.Helper()
	v := url.Values{"q": {q}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	res := h.Do("GET", "/api/v1/referrals?"+v.Encode(), persona, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("search as %s: %d %s", persona, res.Status, res.Body)
	}
	var out struct{ Referrals []struct{ Reference string } }
	res.JSON(t, &out)
	refs := []string{}
	for _, r := range out.Referrals {
		refs = append(refs, r.Reference)
	}
	return refs
}

// Search through the API: by reference, crime reference and name however
// cased or spaced, with a date of birth; each agency finds only its own and
// only by what it may see; the term is in no log line and nowhere in the
// database in clear.
func TestSearchAPI(t *testing.T) {
	storetest.SQLiteOnly(t) // reads the database's files for the search terms in clear
	log := &lockedBuffer{}
	data := t.TempDir()
	h := apptest.StartLogged(t, map[string]string{"HUB_DATA_DIR": data}, log)
	one := createReferral(t, h, exampleReferral())
	two := createReferral(t, h, secondReferral())
	want := func(got []string, refs ...string) {
		t.Helper()
		if refs == nil {
			refs = []string{}
		}
		slices.Sort(got)
		slices.Sort(refs)
		if !slices.Equal(got, refs) {
			t.Errorf("found %v, want %v", got, refs)
		}
	}
	terms := []string{"Rowena Testperson", "rowena   TESTPERSON", "Testperson, Rowena", "ROWENA TESTPERSON 1990-04-02",
		"rowena testperson 02/04/1990", "mp/26/001234", "MP 26 001234", "Sid Suspectson", "Alma Otherperson"}
	for _, q := range terms[:7] {
		want(search(t, h, "officer", q), one.Reference)
	}
	want(search(t, h, "officer", strings.ToLower(one.Reference)), one.Reference)
	want(search(t, h, "officer", "Rowena Testperson 1991-04-02"))
	want(search(t, h, "officer", "Rowena"))
	want(search(t, h, "officer", "Sid Suspectson"), one.Reference)
	want(search(t, h, "officer", "alma otherperson 31/01/1975"), two.Reference)
	want(search(t, h, "officer2", "Rowena Testperson"))
	want(search(t, h, "supervisor", "NS/26/777111"), two.Reference)

	// Agencies: only their own shares, and a name or crime reference only
	// where they may see that category.
	want(search(t, h, "housing", "rowena testperson"), one.Reference)
	want(search(t, h, "housing", two.Reference))
	want(search(t, h, "housing", "Alma Otherperson"))
	want(search(t, h, "health", "Rowena Testperson"))
	want(search(t, h, "health", "Alma Otherperson"), two.Reference)
	var asHousing released
	h.Do("GET", "/api/v1/referrals/"+one.ID, "housing", nil).JSON(t, &asHousing)
	byCrime := search(t, h, "housing", "MP/26/001234")
	if asHousing.has("offence") != (len(byCrime) == 1) {
		t.Errorf("housing sees the offence: %v; finds by crime reference: %v", asHousing.has("offence"), byCrime)
	}
	if asHousing.has("suspect") != (len(search(t, h, "housing", "Sid Suspectson")) == 1) {
		t.Errorf("housing finds by the suspect's name without seeing the suspect, or the reverse")
	}
	want(search(t, h, "auditor", "Rowena Testperson"))

	// Sort and attention are checked; a bad value names its field.
	for _, bad := range []struct{ query, field string }{{"sort=oldest", "sort"}, {"attention=maybe", "attention"}, {"q=" + strings.Repeat("x", 201), "q"}} {
		res := h.Do("GET", "/api/v1/referrals?"+bad.query, "officer", nil)
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), `"`+bad.field+`"`) {
			t.Errorf("%s: %d %s", bad.query, res.Status, res.Body)
		}
	}
	want(search(t, h, "officer", "", "sort", "risk"), one.Reference, two.Reference)

	h.App.Close()
	logged := strings.ToLower(log.String())
	if !strings.Contains(logged, "/api/v1/referrals") {
		t.Fatalf("the log holds no request line: the check reads the wrong log: %q", logged)
	}
	files, _ := filepath.Glob(filepath.Join(data, "*"))
	var stored []byte
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			stored = append(stored, bytes.ToLower(b)...)
		}
	}
	if len(stored) == 0 {
		t.Fatal("no database files read")
	}
	for _, q := range append(terms, "rowena", "testperson", "otherperson", "001234", "777111") {
		lq := strings.ToLower(q)
		if strings.Contains(logged, lq) {
			t.Errorf("the log holds %q", q)
		}
		if bytes.Contains(stored, []byte(lq)) {
			t.Errorf("the database holds %q in clear", q)
		}
	}
	var sure []byte
	sure, _ = json.Marshal(one.Reference)
	if !bytes.Contains(stored, bytes.ToLower(bytes.Trim(sure, `"`))) {
		t.Error("the database files read do not hold even the reference: the check reads the wrong files")
	}
}
