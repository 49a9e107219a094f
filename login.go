package examhall

import (
	"context"
	"time"
)

// LoginFailureStore counts failed logins per key ("user:…" or "addr:…") in
// fixed windows, in storage shared by every replica.
type LoginFailureStore interface {
	// RecordLoginFailure counts one failure of key at now. A window that started
	// at or before now-window is over: the count restarts at one, in a window starting
	// at now. It returns the count and the start of the current window.
	RecordLoginFailure(ctx context.Context, key string, now time.Time, window time.Duration) (int, time.Time, error)
	// LoginFailures returns the count and window start of key when its window
	// started after since, and 0 otherwise.
	LoginFailures(ctx context.Context, key string, since time.Time) (int, time.Time, error)
	ClearLoginFailures(ctx context.Context, key string) error
}
