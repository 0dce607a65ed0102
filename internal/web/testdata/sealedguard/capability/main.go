// A handler that opens a sealed section itself, with the capability
// package. It must not build: the capability is internal to internal/sharing.
package main

import (
	"fmt"

	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/sharing/internal/capability"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

func main() {
	var r referral.Referral
	fmt.Println(string(sealed.OpenSection(r.Sections[category.Health], capability.Grant())))
}
