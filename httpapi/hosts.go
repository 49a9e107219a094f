package httpapi

import (
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// LoopbackHosts are the names of this machine, accepted in the Host header
// whatever AllowedHosts says, so that a local health check or curl works.
var LoopbackHosts = []string{"localhost", "127.0.0.1", "::1"}

// checkHost refuses a request whose Host header names no allowed host with
// 400, before anything else reads it: without --base-url the Host header
// becomes the host of every absolute link (next, exam_url, user_url), so an
// unchecked one lets a forged request plant another site in them. The rules
// are Django's ALLOWED_HOSTS: an entry matches its host exactly (case
// aside, port aside), ".example.com" matches example.com and every subdomain,
// "*" matches any host. Loopback names are always allowed; /healthz and
// /readyz, which render no links and are probed by address, are not checked.
func (s *Server) checkHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || r.URL.Path == "/healthz/" || r.URL.Path == "/readyz" || r.URL.Path == "/readyz/" {
			next.ServeHTTP(w, r)
			return
		}
		host, ok := splitHost(r.Host)
		if !ok || !s.hostAllowed(host) {
			s.Logger.Warn("refused a request for a host that is not allowed (see --allowed-hosts)",
				"host", r.Host, "request_id", requestID(r.Context()))
			writeDetail(w, http.StatusBadRequest, "Invalid Host header "+strconv.Quote(r.Host)+".")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// splitHost is the host of a Host header value without its port, lower-cased;
// ok is false for a value that is not a host[:port].
func splitHost(value string) (string, bool) {
	if strings.HasPrefix(value, "[") {
		// Brackets hold an IPv6 address and nothing else.
		end := strings.Index(value, "]")
		if end < 0 {
			return "", false
		}
		if addr, err := netip.ParseAddr(value[1:end]); err != nil || !addr.Is6() {
			return "", false
		}
	}
	host := value
	if h, port, err := net.SplitHostPort(value); err == nil {
		if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			return "", false
		}
		host = h
	} else if strings.Contains(value, ":") && !strings.HasPrefix(value, "[") {
		return "", false
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "" || strings.ContainsAny(host, "/\\@ ?#%") {
		return "", false
	}
	return host, true
}

func (s *Server) hostAllowed(host string) bool {
	for _, list := range [][]string{LoopbackHosts, s.AllowedHosts} {
		for _, pattern := range list {
			pattern = strings.ToLower(pattern)
			switch {
			case pattern == "*", pattern == host:
				return true
			case strings.HasPrefix(pattern, ".") && (host == pattern[1:] || strings.HasSuffix(host, pattern)):
				return true
			}
		}
	}
	return false
}
