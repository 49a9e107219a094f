package examhall

import (
	"context"
	"time"
)

// LoginFailureStore counts failed logins per key ("user:…" or "addr:…") in
// fixed windows, in storage shared by every replica. A login is counted as a
// failure before its password is checked, and forgiven when it succeeds, so
// that parallel guesses cannot all slip under the limit.
type LoginFailureStore interface {
	// RecordLoginFailure counts one failure of key at now, atomically. A window
	// that started at or before now-window is over: the count restarts at one, in
	// a window starting at now. It returns the count and the start of the window.
	RecordLoginFailure(ctx context.Context, key string, now time.Time, window time.Duration) (int, time.Time, error)
	// ForgiveLoginFailure takes one failure of key back.
	ForgiveLoginFailure(ctx context.Context, key string) error
	ClearLoginFailures(ctx context.Context, key string) error
}
