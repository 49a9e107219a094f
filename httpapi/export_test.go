package httpapi

import (
	"net/http"
	"strings"
)

// routeRecorder collects what routes registers.
type routeRecorder map[string][]string

func (rr routeRecorder) Handle(pattern string, h http.Handler) {
	var m methods
	switch h := h.(type) {
	case methods:
		m = h
	case guardedRoute:
		m = h.route
	}
	list := []string{}
	for method := range m {
		list = append(list, method)
	}
	rr[pattern] = list
}

// RouteTable is every pattern s.routes registers with the methods it
// answers; a catch-all (404 for every method) has none.
func RouteTable(s *Server) map[string][]string {
	rr := routeRecorder{}
	s.routes(rr)
	return rr
}

// RoutePath is the path of a route's pattern as the OpenAPI document
// writes it: without the "{$}" that anchors it.
func RoutePath(pattern string) string { return strings.TrimSuffix(pattern, "{$}") }
