package loadtest

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		header string
		want   time.Duration
		ok     bool
	}{
		{"1", time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"0", 0, true},
		{"Tue, 01 Dec 2026 09:00:05 GMT", 5 * time.Second, true},
		{"Tue, 01 Dec 2026 08:59:00 GMT", 0, true}, // already past: retry now
		{"", 0, false},
		{"-1", 0, false},
		{"1.5", 0, false}, // HTTP has no fractional seconds
		{"soon", 0, false},
	} {
		h := http.Header{}
		if tt.header != "" {
			h.Set("Retry-After", tt.header)
		}
		if got, ok := retryAfter(h, now); got != tt.want || ok != tt.ok {
			t.Errorf("Retry-After %q = %s, %v; want %s, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

// The jitter never comes back before Retry-After, nor after twice it, and
// spreads over that whole window.
func TestJitter(t *testing.T) {
	const d = time.Second
	var low, high bool
	for range 1000 {
		w := jitter(d)
		if w < d || w >= 2*d {
			t.Fatalf("jitter(%s) = %s, want within [1s, 2s)", d, w)
		}
		low = low || w < d+d/10
		high = high || w >= 2*d-d/10
	}
	if !low || !high {
		t.Errorf("1000 jitters of 1 s never fell in the first or last tenth of [1s, 2s): low %v, high %v", low, high)
	}
	if w := jitter(0); w != 0 {
		t.Errorf("jitter(0) = %s", w)
	}
}
