package loadtest

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// retryAfter reads a Retry-After header, delay-seconds or an HTTP-date
// (RFC 9110 §10.2.3), as the wait it asks for from now; ok is false when
// the header is missing or unreadable.
func retryAfter(h http.Header, now time.Time) (wait time.Duration, ok bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// jitter is the wait before retrying a request answered 503 with
// Retry-After d: uniform in [d, 2d).
//
// Retry-After is the server's own estimate of when it has room again, so
// the client never comes back before it (full jitter, uniform in [0, d),
// would send half the refused clients back early, into more 503s). But
// every client refused in the same instant is told the same d, and without
// jitter they would all return in the same instant too, the thundering herd
// of AWS's "Exponential Backoff And Jitter": spreading them over a window as
// wide as d itself turns the herd into a steady stream. The wait does not
// grow from one retry to the next, as client-side exponential backoff
// would: the server sizes Retry-After to its queue, and MaxRetries and
// requestTimeout bound the total.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d + rand.N(d)
}

// retryWait is Config.RetryWait, jitter unless a test set it.
func (r *run) retryWait(retryAfter time.Duration) time.Duration {
	if r.cfg.RetryWait != nil {
		return r.cfg.RetryWait(retryAfter)
	}
	return jitter(retryAfter)
}
