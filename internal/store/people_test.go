package store

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"
)

// A person is named as they were known at the time: the name they last
// signed in under by then, or the first one recorded after.
func TestPersonNameAtTheTime(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	t1 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	t2 := t1.AddDate(0, 2, 0)
	for _, n := range []struct {
		name string
		at   time.Time
	}{{"Ann Old", t1}, {"Ann Old", t1.Add(time.Hour)}, {"Ann New", t2}} {
		if err := db.NotePerson(ctx, "iss|ann", n.name, "housing", n.at); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		at   time.Time
		want string
	}{{t1.AddDate(0, 0, -1), "Ann Old"}, {t1.AddDate(0, 1, 0), "Ann Old"}, {t2, "Ann New"}, {t2.AddDate(1, 0, 0), "Ann New"}} {
		if got, err := db.PersonName(ctx, "iss|ann", c.at); err != nil || got != c.want {
			t.Errorf("at %s: %q %v, want %q", c.at, got, err, c.want)
		}
	}
	if got, _ := db.PersonName(ctx, "iss|nobody", t2); got != "" {
		t.Errorf("someone never seen is named %q", got)
	}
	var n int
	db.r.QueryRow(`SELECT COUNT(*) FROM people`).Scan(&n)
	if n != 2 {
		t.Errorf("%d names recorded, want 2 (a repeat is not recorded)", n)
	}
}

// A held form is for its person and page only, once, until it expires.
func TestHeldFormForItsPersonOnce(t *testing.T) {
	ctx := context.Background()
	db := openSealed(t)
	form := url.Values{"victim.name": {"Perpetua Heldform"}}
	id, err := db.HoldForm(ctx, "iss|ann", "/referrals/new", form, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var sealed []byte
	db.r.QueryRow(`SELECT sealed FROM held_forms WHERE id = ?`, id).Scan(&sealed)
	if len(sealed) == 0 || string(sealed) == "" || strings.Contains(strings.ToLower(string(sealed)), "heldform") {
		t.Fatalf("the held form is not sealed: %q", sealed)
	}
	if _, ok, _ := db.TakeHeldForm(ctx, id, "iss|bob", "/referrals/new"); ok {
		t.Error("another person took the held form")
	}
	if _, ok, _ := db.TakeHeldForm(ctx, id, "iss|ann", "/inbox"); ok {
		t.Error("the held form came back on another page")
	}
	got, ok, err := db.TakeHeldForm(ctx, id, "iss|ann", "/referrals/new")
	if err != nil || !ok || got.Get("victim.name") != "Perpetua Heldform" {
		t.Fatalf("take: %v %v %v", got, ok, err)
	}
	if _, ok, _ := db.TakeHeldForm(ctx, id, "iss|ann", "/referrals/new"); ok {
		t.Error("the held form came back twice")
	}
	late, _ := db.HoldForm(ctx, "iss|ann", "/referrals/new", form, -time.Second)
	if _, ok, _ := db.TakeHeldForm(ctx, late, "iss|ann", "/referrals/new"); ok {
		t.Error("an expired held form came back")
	}
}
