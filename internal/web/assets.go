package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

// static holds the stylesheets, scripts and images, our own and those copied
// from govuk-frontend and @ministryofjustice/frontend by `make assets`.
//
//go:embed all:assets/static
var static embed.FS

// assetSums maps an asset's name to the start of its SHA-256, computed once.
var assetSums = func() map[string]string {
	sums := map[string]string{}
	fs.WalkDir(static, "assets/static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		sums[strings.TrimPrefix(p, "assets/static/")] = hex.EncodeToString(sum[:6])
		return nil
	})
	return sums
}()

// AssetURL is an asset's address with its checksum in it, so that it can be
// cached for ever and a change reaches browsers at once.
func AssetURL(name string) string { return assetURL(name) }

func assetURL(name string) string {
	return "/assets/" + assetSums[name] + "/" + name
}

// asset serves /assets/SUM/NAME; a stale or unknown sum is not found.
func (s *Server) asset(c echo.Context) error {
	rest := strings.TrimPrefix(c.Request().URL.Path, "/assets/")
	sum, name, ok := strings.Cut(rest, "/")
	if !ok || assetSums[name] == "" || assetSums[name] != sum {
		return echo.ErrNotFound
	}
	b, err := static.ReadFile("assets/static/" + name)
	if err != nil {
		return echo.ErrNotFound
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	return c.Blob(http.StatusOK, ct, b)
}
