// Package templates holds the hub's html/template files: layout.html, the
// pages under pages/ and the partials under partials/, embedded in the binary.
package templates

import "embed"

// FS holds every template file.
//
//go:embed layout.html pages/*.html partials/*.html
var FS embed.FS
