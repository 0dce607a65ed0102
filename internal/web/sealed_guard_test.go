package web_test

import (
	"os"
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
		want []string // each in the compiler's errors; none when it must build
	}{
		{"capability", []string{"use of internal package github.com/stalking-hub/hub/internal/sharing/internal/capability not allowed"}},
		{"field", []string{"unexported field"}},
		{"literal", []string{"cannot use struct{ok bool}{…}"}},
		// The criminal-justice texts: each one refused on its own, so that
		// none can quietly become a string again.
		{"justice", []string{"cannot use o.Conditions (variable of struct type sealed.Text) as string value",
			"cannot use change.Reason (variable of struct type sealed.Text) as string value",
			"cannot use b.Summary (variable of struct type sealed.Text) as string value",
			"cannot use u.Note (variable of struct type sealed.Text) as string value"}},
		{"released", nil},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			// go build, not go vet: vet stops at the first type error, and
			// a case may name several.
			cmd := exec.Command("go", "build", "-o", os.DevNull, "./"+filepath.ToSlash(filepath.Join("internal/web/testdata/sealedguard", c.dir)))
			cmd.Dir = root
			out, err := cmd.CombinedOutput()
			switch {
			case len(c.want) == 0 && err != nil:
				t.Fatalf("the way through Release does not build: %v\n%s", err, out)
			case len(c.want) > 0 && err == nil:
				t.Fatalf("a handler opened sealed content without Release and it built")
			}
			for _, want := range c.want {
				if !strings.Contains(string(out), want) {
					t.Errorf("refused, but not by the seal: want %q in\n%s", want, out)
				}
			}
		})
	}
}
