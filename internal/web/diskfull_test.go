//go:build linux

package web_test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stalking-hub/hub/internal/app/apptest"
	"github.com/stalking-hub/hub/internal/store/storetest"
)

// smallFilesystem mounts a tmpfs of size bytes for the test, or skips the
// test where mounting is impossible outside CI (in CI it must run).
func smallFilesystem(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size+",mode=0700"); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("cannot mount a small filesystem here (%v); CI runs this test", err)
		}
		t.Fatalf("mount a %s tmpfs: %v", size, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount: %v", err)
		}
	})
	return dir
}

// fill writes a file until the filesystem is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return
		}
	}
}

// When the disk is full, writes and the reads that must be audited answer
// 503 with Retry-After and code unavailable, /readyz says 503, and nothing
// acknowledged is lost; when space comes back the hub recovers by itself.
func TestDiskFull(t *testing.T) {
	storetest.SQLiteOnly(t) // fills the filesystem under SQLite's file; PostgreSQL's disk is the server's
	data := smallFilesystem(t, "24m")
	h := apptest.Start(t, map[string]string{"HUB_DATA_DIR": data})
	var acknowledged []string
	for range 3 {
		acknowledged = append(acknowledged, createReferral(t, h, exampleReferral()).ID)
	}
	ballast := filepath.Join(data, "ballast")
	fill(t, ballast)

	// The WAL may have room for a few writes still; the first write that
	// needs the disk to grow is refused.
	var refused apptest.Response
	for i := 0; i < 500; i++ {
		res := h.Do("POST", "/api/v1/referrals", "officer", exampleReferral())
		if res.Status == http.StatusCreated {
			var r released
			res.JSON(t, &r)
			acknowledged = append(acknowledged, r.ID)
			continue
		}
		refused = res
		break
	}
	if refused.Status != http.StatusServiceUnavailable {
		t.Fatalf("create on a full disk: %d %s, want 503", refused.Status, refused.Body)
	}
	if refused.Header.Get("Retry-After") == "" || !strings.Contains(string(refused.Body), `"code":"unavailable"`) {
		t.Errorf("503 without Retry-After or code unavailable: %v %s", refused.Header, refused.Body)
	}
	if res := h.Do("GET", "/readyz", "", nil); res.Status != http.StatusServiceUnavailable {
		t.Errorf("/readyz on a full disk: %d", res.Status)
	}
	// A partner's read must be audited first: with no room, no release.
	if res := h.Do("GET", "/api/v1/referrals/"+acknowledged[0], "housing", nil); res.Status != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Errorf("an audited read on a full disk: %d %s, want 503", res.Status, res.Body)
	}

	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	if res := h.Do("GET", "/readyz", "", nil); res.Status != http.StatusOK {
		t.Fatalf("/readyz after space came back: %d %s", res.Status, res.Body)
	}
	acknowledged = append(acknowledged, createReferral(t, h, exampleReferral()).ID)
	for _, id := range acknowledged {
		if res := h.Do("GET", "/api/v1/referrals/"+id, "officer", nil); res.Status != http.StatusOK {
			t.Errorf("acknowledged referral %s: %d", id, res.Status)
		}
	}
}
