package auth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/examhall/examhall"
)

func TestLoginLimitsWait(t *testing.T) {
	limits := LoginLimits{PerUserAddress: 5, PerUser: 20, PerAddress: 100, Window: 15 * time.Minute}
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	ago := func(n int, d time.Duration) examhall.LoginFailures {
		return examhall.LoginFailures{Count: n, Last: now.Add(-d)}
	}
	none := examhall.LoginFailures{}
	tests := []struct {
		name             string
		pair, user, addr examhall.LoginFailures
		want             time.Duration
	}{
		{"never failed", none, none, none, 0},
		{"never failed, username and address under pressure", none, ago(500, 0), ago(5000, 0), 0},
		{"four free failures", ago(4, 0), ago(4, 0), ago(4, 0), 0},
		{"fifth failure: 1 s", ago(5, 0), ago(5, 0), ago(5, 0), time.Second},
		{"fifth failure, 400 ms ago", ago(5, 400*time.Millisecond), ago(5, 0), ago(5, 0), 600 * time.Millisecond},
		{"fifth failure, 1 s ago", ago(5, time.Second), ago(5, 0), ago(5, 0), 0},
		{"sixth failure: 2 s", ago(6, 0), ago(6, 0), ago(6, 0), 2 * time.Second},
		{"fourteenth failure: 512 s, capped at half the window", ago(14, 0), ago(19, 0), ago(14, 0), 450 * time.Second},
		{"a thousand failures", ago(1000, 100*time.Second), ago(1000, 0), ago(1000, 0), 350 * time.Second},
		{"username under pressure: the first failure waits", ago(1, 0), ago(20, 0), ago(1, 0), time.Second},
		{"username under pressure, third failure", ago(3, time.Second), ago(20, 0), ago(3, 0), 3 * time.Second},
		{"address under pressure: the first failure waits", ago(1, 0), ago(1, 0), ago(100, 0), time.Second},
		{"just under pressure", ago(1, 0), ago(19, 0), ago(99, 0), 0},
	}
	for _, tt := range tests {
		if got := limits.Wait(tt.pair, tt.user, tt.addr, now); got != tt.want {
			t.Errorf("%s: Wait = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestLoginKeys(t *testing.T) {
	pair, user, addr := loginKeys("Asha Rao", "2001:db8::/64")
	if pair != "pair:2001:db8::/64 asha rao" || user != "user:asha rao" || addr != "addr:2001:db8::/64" {
		t.Errorf("loginKeys = %q, %q, %q", pair, user, addr)
	}
}

func TestKeyedMutex(t *testing.T) {
	var k keyedMutex
	ctx := context.Background()
	// One holder of a key at a time; other keys go on.
	var wg sync.WaitGroup
	var mu sync.Mutex
	inside, most := 0, 0
	for range 20 {
		wg.Go(func() {
			unlock, err := k.lock(ctx, "a")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			inside++
			most = max(most, inside)
			mu.Unlock()
			time.Sleep(time.Millisecond)
			mu.Lock()
			inside--
			mu.Unlock()
			unlock()
		})
	}
	unlockB, err := k.lock(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	unlockB()
	wg.Wait()
	if most != 1 {
		t.Errorf("%d holders of one key at once", most)
	}
	// Waiting ends with the context.
	unlock, _ := k.lock(ctx, "a")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := k.lock(cancelled, "a"); !errors.Is(err, context.Canceled) {
		t.Errorf("waiting with a cancelled context: %v", err)
	}
	unlock()
	if len(k.keys) != 0 {
		t.Errorf("keys left behind: %v", k.keys)
	}
}
