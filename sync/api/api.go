// Package api holds what the platform and its clients must agree on: wire
// types, paths, and the public page addresses behind the kiosk's QR codes.
// It imports neither Fyne nor any storage.
package api

import (
	_ "embed"
	"net/url"
	"strings"
)

// OpenAPI describes the platform's REST API (OpenAPI 3); the server's tests
// check it against what is served.
//
//go:embed openapi.json
var OpenAPI []byte

// PublicPath is the path of an item's public page on the platform, the page
// a citizen's phone opens from the item's QR code: /p/{kind}/{id}.
func PublicPath(kind, id string) string {
	return "/p/" + url.PathEscape(kind) + "/" + url.PathEscape(id)
}

// PublicURL joins the platform's base URL (from configuration) and
// PublicPath. A base with a path prefix (https://host/zhifa/) keeps it.
func PublicURL(base, kind, id string) string {
	return strings.TrimRight(base, "/") + PublicPath(kind, id)
}

// PathPhotos is where the platform serves people's photos, public and
// immutable: PhotoPath(sha) is a JPEG whose SHA-256 is sha.
const PathPhotos = "/p/photos/"

// PhotoPath is the path of the photo whose SHA-256 (hex) is sha.
func PhotoPath(sha string) string { return PathPhotos + url.PathEscape(sha) + ".jpg" }
