// A handler that answers an order's conditions, a change's reason, a
// breach's summary and a Victims' Code note as the store hands them out. It
// must not build: each is a sealed text, opened only by the View of its
// referral.
package main

import (
	"fmt"

	"github.com/stalking-hub/hub/internal/justice"
)

func main() {
	var o justice.Order
	var change justice.OrderChange
	var b justice.Breach
	var u justice.Update
	answer(o.Conditions, change.Reason, b.Summary, u.Note)
}

func answer(texts ...string) { fmt.Println(texts) }
