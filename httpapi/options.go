package httpapi

import (
	"net/http"
	"strings"
)

// routeMetadata is DRF's answer to OPTIONS (SimpleMetadata.determine_metadata
// in rest_framework/metadata.py): the view's name and description and the
// media types it renders and parses. DRF adds "actions" (each field of a
// serializer) for the users who may POST or PUT; examhall's serializers are
// not introspectable, so it is left out, as DRF leaves it out of views
// without a serializer.
type routeMetadata struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Renders     []string `json:"renders"`
	Parses      []string `json:"parses"`
}

// parsedTypes are DRF's default parsers, which readFields accepts too.
var parsedTypes = []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data"}

// options answers OPTIONS on a route: 200, Allow with its methods and
// routeMetadata. Guarded routes run it after the guard, as DRF checks
// authentication and permissions before any handler, OPTIONS included.
func (m methods) options(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", strings.Join(m.allowed(), ", "))
	writeJSON(w, http.StatusOK, routeMetadata{Name: viewName(r.Pattern), Description: "",
		Renders: []string{"application/json"}, Parses: parsedTypes})
}

// viewName names the route of pattern as DRF's get_view_name names a
// ViewSet's views: "/api/v2.5/admin/users/{$}" is "Users List",
// "/api/v2.5/admin/users/{id}/{$}" is "Users Instance", and
// "/api/v2.2/attempts/{id}/heartbeat/{$}" is "Heartbeat" (an action).
func viewName(pattern string) string {
	segments := strings.Split(strings.Trim(strings.TrimSuffix(pattern, "{$}"), "/"), "/")
	suffix := " List"
	if n := len(segments); n > 0 && strings.HasPrefix(segments[n-1], "{") {
		suffix = " Instance"
	} else if n > 1 && strings.HasPrefix(segments[n-2], "{") {
		suffix = "" // an action on an instance
	}
	for i := len(segments) - 1; i >= 0; i-- {
		if s := segments[i]; s != "" && !strings.HasPrefix(s, "{") {
			words := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' })
			for j, w := range words {
				words[j] = strings.ToUpper(w[:1]) + w[1:]
			}
			return strings.Join(words, " ") + suffix
		}
	}
	return "Api Root"
}
