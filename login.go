package examhall

import (
	"context"
	"time"
)

// LoginFailures is what is remembered of one key's failed logins.
type LoginFailures struct {
	Count int       // failures since the key was last forgotten
	Last  time.Time // when the latest of them happened
}

// LoginFailureStore counts failed logins per key, in storage shared by every
// replica, so that they all enforce one limit. Only failures are counted. A
// key's failures are forgotten once a whole window has passed since its
// latest one. The keys are the login throttle's: "pair:<address> <username>",
// "user:<username>" and "addr:<address>" (see auth.LoginLimits).
type LoginFailureStore interface {
	// LoginFailures returns the failures of each of keys remembered at now; a
	// key with none (never failed, or its latest failure at or before
	// now-window) is absent from the map.
	LoginFailures(ctx context.Context, keys []string, now time.Time, window time.Duration) (map[string]LoginFailures, error)
	// RecordLoginFailure counts one failure at now for each of keys, in one
	// transaction. A key whose latest failure was at or before now-window
	// starts again at one.
	RecordLoginFailure(ctx context.Context, keys []string, now time.Time, window time.Duration) error
	// ClearLoginFailures forgets the failures of key.
	ClearLoginFailures(ctx context.Context, key string) error
}
