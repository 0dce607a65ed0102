// A handler that reads a sealed section's and a sealed text's content
// fields. It must not build: the fields are unexported.
package main

import (
	"fmt"

	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/marac"
	"github.com/stalking-hub/hub/internal/referral"
)

func main() {
	var r referral.Referral
	var research marac.Research
	fmt.Println(string(r.Sections[category.Health].content), research.Summary.body)
}
