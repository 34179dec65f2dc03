package server

import (
	"net/http"
	"strings"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
)

// publicReads are the API's routes anyone may read, from any page: the
// kiosks' change feed, the platform's key (to verify receipts), the
// health check and the API document.
var publicReads = map[string]bool{
	api.PathHealth:         true,
	api.PathChanges:        true,
	api.PathPubKey:         true,
	"/api/v1/openapi.json": true, // the API document
	"/api/v1/reference":    true, // and its reference page
}

// corsReach is which pages of other origins may read a route's answers
// (web.CORS): the public reads and pages any origin, without credentials;
// the rest of the API, the devices' and administrators' calls with their
// bearer tokens, only the origins the administrator lists
// (Options.CORSOrigins); the console, whose session is a cookie, none.
func corsReach(method, path string) web.Reach {
	read := method == http.MethodGet || method == http.MethodHead
	switch {
	case read && (publicReads[path] || strings.HasPrefix(path, "/p/")):
		return web.AnyOrigin
	case strings.HasPrefix(path, "/api/"):
		return web.ListedOrigins
	default:
		return web.SameOrigin
	}
}

// parseOrigins checks the configured origins and puts them in the form
// browsers send.
func parseOrigins(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	for _, s := range in {
		o, err := web.ParseOrigin(s)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}
