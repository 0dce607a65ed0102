// Package category names the kinds of personal information the hub holds.
// Every consent, agreement line, release decision and audit entry speaks in them.
package category

import (
	"fmt"

	"github.com/stalking-hub/hub/internal/vocab"
)

// Category is one kind of information about the people in a referral.
type Category uint8

// The categories, in the order they are shown. Safe contact comes early:
// an agency that may contact the victim reads it before anything else.
// Orders came later and are numbered last, since consents and agreements
// store categories as bits; pages show them beside safe contact.
const (
	Identity Category = iota
	SafeContact
	Contact
	Offence
	Risk
	Suspect
	Health
	Children
	Needs
	Orders // orders and bail conditions that protect the victim
	count
)

// Count is the number of categories; arrays indexed by Category have this length.
const Count = int(count)

// names and titles are the registry's categories, whose order is the
// numbering above: a category added there and not here stops the start.
var names, titles = func() (n, t [Count]string) {
	if len(vocab.Categories) != Count {
		panic(fmt.Sprintf("category: the registry lists %d categories, the package numbers %d", len(vocab.Categories), Count))
	}
	for i, c := range vocab.Categories {
		n[i], t[i] = c.Code, c.Label
	}
	return n, t
}()

// All lists every category in display order.
func All() []Category {
	all := make([]Category, Count)
	for i := range all {
		all[i] = Category(i)
	}
	return all
}

// String is the category's name in the API and in configuration.
func (c Category) String() string {
	if int(c) < Count {
		return names[c]
	}
	return fmt.Sprintf("category(%d)", c)
}

// Title is the category's name on a page.
func (c Category) Title() string {
	if int(c) < Count {
		return titles[c]
	}
	return c.String()
}

// Parse returns the category with the given name.
func Parse(name string) (Category, error) {
	for i, n := range names {
		if n == name {
			return Category(i), nil
		}
	}
	return 0, fmt.Errorf("unknown data category %q", name)
}

// MarshalText writes the category's name.
func (c Category) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads a category's name.
func (c *Category) UnmarshalText(b []byte) error {
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*c = p
	return nil
}

// Set is a set of categories as a bit mask; the zero value is empty.
type Set uint16

// SetOf returns the set holding cs.
func SetOf(cs ...Category) Set {
	var s Set
	for _, c := range cs {
		s = s.Add(c)
	}
	return s
}

// Add returns s with c in it.
func (s Set) Add(c Category) Set { return s | 1<<c }

// Has reports whether c is in s.
func (s Set) Has(c Category) bool { return s&(1<<c) != 0 }

// Union returns the categories in s or t.
func (s Set) Union(t Set) Set { return s | t }

// Intersect returns the categories in both s and t.
func (s Set) Intersect(t Set) Set { return s & t }

// List returns the categories of s in display order.
func (s Set) List() []Category {
	var out []Category
	for c := Category(0); int(c) < Count; c++ {
		if s.Has(c) {
			out = append(out, c)
		}
	}
	return out
}

// ForText is the category a piece of free text holds: the one its writer
// chose by name, or else the default of the writer's agency (hasDefault
// false when it has none). The error says what to do, for a form or the API.
func ForText(chosen string, def Category, hasDefault bool) (Category, error) {
	if chosen != "" {
		c, err := Parse(chosen)
		if err != nil {
			return 0, fmt.Errorf("choose the kind of information the text holds: %v", err)
		}
		return c, nil
	}
	if !hasDefault {
		return 0, fmt.Errorf("choose the kind of information the text holds")
	}
	return def, nil
}
