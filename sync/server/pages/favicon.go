package pages

import "net/http"

// Icon is the platform's icon (a shield on the public pages' red), the one
// the public pages carry inline; /favicon.ico serves it to the pages that
// do not (the console), so that no browser's request for it ends in a 404.
const Icon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#b71c1c"/>` +
	`<path d="M16 5l9 4v6c0 6-4 10-9 12-5-2-9-6-9-12V9z" fill="#fff"/><path d="M11.5 16l3 3 6-6" stroke="#b71c1c" stroke-width="2.5" fill="none"/></svg>`

// Favicon: GET /favicon.ico.
func Favicon(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write([]byte(Icon))
}
