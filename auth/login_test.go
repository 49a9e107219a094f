package auth_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/auth"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
	"golang.org/x/crypto/bcrypt"
)

// Parallel guesses of one pair spread over two replicas get at most one
// guess more than the limit (R-1 with R replicas): each replica checks the
// pair's attempts one at a time, and the failures are shared in the database.
func TestLoginParallelGuessesOnTwoReplicas(t *testing.T) {
	clock := examhalltest.NewClock(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		replica := func() *auth.Service {
			return &auth.Service{Users: db, Failures: db, Clock: clock,
				Tokens:    auth.NewTokens([]byte("secret"), time.Hour, clock),
				Passwords: &auth.Passwords{Cost: bcrypt.MinCost},
				Limits:    auth.LoginLimits{PerUserAddress: 3, PerUser: 100, PerAddress: 100, Window: 15 * time.Minute},
			}
		}
		replicas := []*auth.Service{replica(), replica()}
		if _, err := replicas[0].EnsureAdmin(ctx, "admin", "right", ""); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		codes := map[examhall.ErrorCode]int{}
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Go(func() {
				_, err := replicas[i%2].Login(ctx, "admin", "wrong", "198.51.100.9")
				mu.Lock()
				codes[examhall.ErrorCodeOf(err)]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if bad := codes[examhall.EINVALID]; bad < 3 || bad > 4 || bad+codes[examhall.ETHROTTLED] != 40 {
			t.Errorf("40 parallel guesses on 2 replicas with 3 free failures: %v, want 3 or 4 refused as bad credentials, the rest throttled", codes)
		}
	})
}
