package httpapi

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientAddrAndScheme(t *testing.T) {
	s := &Server{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
	tests := []struct {
		name, remote, forwardedFor, proto string
		wantAddr, wantScheme              string
	}{
		{"direct client", "203.0.113.5:4000", "", "", "203.0.113.5", "http"},
		{"untrusted peer cannot forge", "203.0.113.5:4000", "1.2.3.4", "https", "203.0.113.5", "http"},
		{"one trusted proxy", "10.0.0.2:4000", "198.51.100.7", "https", "198.51.100.7", "https"},
		{"client-supplied hop before the proxy is ignored", "10.0.0.2:4000", "6.6.6.6, 198.51.100.7", "", "198.51.100.7", "http"},
		{"chain of trusted proxies", "10.0.0.2:4000", "198.51.100.7, 10.1.1.1", "", "198.51.100.7", "http"},
		{"garbage hop stops the walk", "10.0.0.2:4000", "198.51.100.7, junk", "", "10.0.0.2", "http"},
		{"trusted proxy without header", "10.0.0.2:4000", "", "ftp", "10.0.0.2", "http"},
		{"ipv6 client counts as its /64", "[2001:db8:1:2:3:4:5:6]:4000", "", "", "2001:db8:1:2::/64", "http"},
		{"ipv4-mapped ipv6 peer", "[::ffff:203.0.113.5]:4000", "", "", "203.0.113.5", "http"},
		{"trusted ipv6 loopback proxy", "[::1]:4000", "2001:db8::9", "https", "2001:db8::/64", "https"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if tt.forwardedFor != "" {
			r.Header.Set("X-Forwarded-For", tt.forwardedFor)
		}
		if tt.proto != "" {
			r.Header.Set("X-Forwarded-Proto", tt.proto)
		}
		if got := s.clientAddr(r); got != tt.wantAddr {
			t.Errorf("%s: clientAddr = %q, want %q", tt.name, got, tt.wantAddr)
		}
		if got := s.scheme(r); got != tt.wantScheme {
			t.Errorf("%s: scheme = %q, want %q", tt.name, got, tt.wantScheme)
		}
	}
}
