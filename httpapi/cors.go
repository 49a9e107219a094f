package httpapi

import (
	"net/http"
	"strings"
)

// CORS (issue 15, part 5). Only /api/ paths answer cross-origin requests:
// the web pages are not for other origins to read.
const (
	// corsAllowHeaders are the request headers an allowed origin may send.
	corsAllowHeaders = "Accept, Accept-Language, Authorization, Content-Type, X-Request-Id"
	// corsExposeHeaders are the response headers its scripts may read: a
	// 503's Retry-After, the request id to quote in a report, a created
	// record's Location.
	corsExposeHeaders = "Retry-After, X-Request-Id, Location"
	// corsMaxAge is how long, in seconds, a browser may keep a preflight's
	// answer (Chromium keeps at most 7200).
	corsMaxAge = "3600"
)

// allowedMethodsLister is a route that tells its methods (methods,
// guardedRoute); the preflight answers with them.
type allowedMethodsLister interface{ allowed() []string }

// corsOrigin is the Access-Control-Allow-Origin value for a request from
// origin: origin itself when CORSOrigins lists it, "*" when CORSOrigins is
// ["*"], "" when it is refused. Origins are compared exactly, case aside
// (browsers send the scheme and host in lower case).
func (s *Server) corsOrigin(origin string) string {
	if origin == "" || origin == "null" {
		return ""
	}
	for _, o := range s.CORSOrigins {
		if o == "*" {
			return "*"
		}
		if strings.EqualFold(o, origin) {
			return origin
		}
	}
	return ""
}

// cors answers the preflight (OPTIONS with Origin and
// Access-Control-Request-Method) of an allowed origin on an API route with
// 204 and the route's methods, before any guard: a preflight never carries
// credentials. An actual request from an allowed origin gets
// Access-Control-Allow-Origin and Access-Control-Expose-Headers; a refused
// origin gets no CORS header and is served as any request (its browser then
// hides the answer from the script). Access-Control-Allow-Credentials is
// never sent: a script on another origin authenticates with the
// Authorization header, never with SessionCookie, so a page elsewhere can
// never act with a student's browser session (the cookie is SameSite=Strict
// and its writes are checked by crossOrigin as well). Without CORSOrigins
// nothing is added.
func (s *Server) cors(mux *http.ServeMux, next http.Handler) http.Handler {
	if len(s.CORSOrigins) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin") // caches must not give one origin's answer to another
		allow := s.corsOrigin(r.Header.Get("Origin"))
		if allow == "" {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			route, pattern := mux.Handler(slashed(r))
			if l, ok := route.(allowedMethodsLister); ok && len(l.allowed()) > 0 {
				if info, ok := r.Context().Value(requestLogKey).(*requestLog); ok {
					info.route = strings.TrimSuffix(pattern, "{$}")
				}
				h.Set("Access-Control-Allow-Origin", allow)
				h.Set("Access-Control-Allow-Methods", strings.Join(l.allowed(), ", "))
				h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
				h.Set("Access-Control-Max-Age", corsMaxAge)
				w.WriteHeader(http.StatusNoContent)
				return
			}
			// No such route: its 404, without CORS headers.
			next.ServeHTTP(w, r)
			return
		}
		h.Set("Access-Control-Allow-Origin", allow)
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		next.ServeHTTP(w, r)
	})
}
