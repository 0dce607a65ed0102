// A handler that forges the capability as a struct literal. It must not
// build: the token's field is unexported, so no literal outside its package
// has its type.
package main

import (
	"fmt"

	"github.com/stalking-hub/hub/internal/category"
	"github.com/stalking-hub/hub/internal/referral"
	"github.com/stalking-hub/hub/internal/sharing/sealed"
)

func main() {
	var r referral.Referral
	fmt.Println(string(sealed.OpenSection(r.Sections[category.Health], struct{ ok bool }{true})))
}
