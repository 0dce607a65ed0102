// The way that builds: content reaches a reader only from the View that
// sharing.Release returns. The guard test builds this too, so that the
// failures of the others are known to come from the seal, not the harness.
package main

import (
	"fmt"
	"time"

	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/identity"
	"github.com/stalking-hub/hub/internal/justice"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/sharing"
)

func main() {
	var r referral.Referral
	var research marac.Research
	var order justice.Order
	v, err := sharing.Release(identity.Principal{}, &r, agency.Referral, agency.NewDirectory(nil), time.Now())
	if err != nil {
		return
	}
	b, _ := v.Content(category.Health)
	text, _ := v.Text(research.Summary)
	conditions, _ := v.Text(order.Conditions)
	fmt.Println(string(b), text, conditions)
}
