package web_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stalking-hub/hub/internal/app/apptest"
)

// The guarantee that personal data reaches a reader only through
// sharing.Release is kept by the compiler, not by care: a handler that tries
// to open a sealed section or text without a View does not build. Each
// program under testdata/sealedguard is such a handler and must fail to
// build with the error that names the seal; the last one goes the right way,
// through Release, and must build, so that a failure of the others is known
// to come from the seal and not from the harness.
func TestSealedContentOpensOnlyThroughRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs")
	}
	root := apptest.Root()
	cases := []struct {
		dir  string
		want string // in the compiler's error; empty when it must build
	}{
		{"capability", "use of internal package github.com/stalking-hub/hub/internal/sharing/internal/capability not allowed"},
		{"field", "unexported field"},
		{"literal", "cannot use struct{ok bool}{…}"},
		{"released", ""},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			cmd := exec.Command("go", "vet", "./"+filepath.ToSlash(filepath.Join("internal/web/testdata/sealedguard", c.dir)))
			cmd.Dir = root
			out, err := cmd.CombinedOutput()
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("the way through Release does not build: %v\n%s", err, out)
			case c.want != "" && err == nil:
				t.Fatalf("a handler opened sealed content without Release and it built")
			case c.want != "" && !strings.Contains(string(out), c.want):
				t.Fatalf("refused, but not by the seal: want %q in\n%s", c.want, out)
			}
		})
	}
}
