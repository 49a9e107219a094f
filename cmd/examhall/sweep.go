package main

import (
	"context"
	"time"
)

// sweep runs until ctx ends: every interval it completes the attempts whose
// time has run out (so that they are scored even if their student never
// comes back), forgets expired login failure counts, and prunes the change
// feed's tombstones older than --changes-retention.
func (m *Main) sweep(ctx context.Context, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		if n, err := m.db.ExpireAttempts(ctx); err != nil && ctx.Err() == nil {
			m.Logger.Error("sweep: expiring attempts", "err", err)
		} else if n > 0 {
			m.Logger.Info("sweep: completed attempts whose time ran out", "attempts", n)
		}
		if _, err := m.db.PruneWebhookDeliveries(ctx, m.Clock.Now().Add(-m.Config.WebhookRetention)); err != nil && ctx.Err() == nil {
			m.Logger.Error("sweep: pruning delivered webhooks", "err", err)
		}
		if _, err := m.db.PruneLoginFailures(ctx, m.Clock.Now().Add(-m.Config.LoginWindow)); err != nil && ctx.Err() == nil {
			m.Logger.Error("sweep: pruning login failures", "err", err)
		}
		now := m.Clock.Now()
		if _, err := m.db.PruneAttemptChanges(ctx, now, now.Add(-m.Config.ChangesRetention)); err != nil && ctx.Err() == nil {
			m.Logger.Error("sweep: pruning the change feed's tombstones", "err", err)
		}
	}
}
