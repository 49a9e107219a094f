package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/examhall/examhall"
)

// LoginLimits are the login throttle's limits. Its rules, after OWASP's
// advice on blocking brute force without handing attackers a lockout of
// their own (and django-axes, which locks a username at an address):
//
//   - Only failed logins count (a wrong password, an unknown username, a user
//     who may not log in): three keys each, the pair (username, client
//     address), the username from all addresses, and the address for all
//     usernames. A key's failures are forgotten a Window after its latest.
//   - Only a pair that has failed is ever refused. A correct password is
//     never refused because of failures of other usernames, or of the same
//     username from other addresses: an exam hall behind one address logs
//     in however many of its students mistype, and an attacker guessing a
//     student's password cannot lock that student out from anywhere else.
//   - A pair may fail PerUserAddress times freely; after that it waits
//     before each further attempt, 1 s after the first failure over, then
//     2 s, 4 s, … up to half the Window (so that it is still remembered when
//     the wait ends), counted from its latest failure. Waiting, not locking:
//     a student who mistyped is slowed by seconds, a guesser to one guess
//     per half Window (192 a day at the default 15 minutes).
//   - A username with PerUser failures from all addresses (guesses from many
//     addresses), or an address with PerAddress failures for all usernames
//     (one address trying many usernames), is under pressure: each pair of
//     it that has failed waits from its first failure on.
//   - A waiting pair is refused with 429 and Retry-After before its password
//     is checked, whatever the password: the answer never tells whether a
//     guess would have been right, and bcrypt's time is not spent on it.
//   - A correct password clears its pair (not the username's or the
//     address's count, which measure an attack).
//   - Parallel attempts of one pair are checked one at a time on each
//     replica, from reading its failures to recording one, so that parallel
//     guesses cannot all pass one check: with R replicas a pair gets at most
//     R-1 guesses more than the rules allow. Attempts of different pairs run
//     in parallel; the username's and address's counts may lag by the
//     attempts in flight, which makes pressure start that many failures late.
type LoginLimits struct {
	PerUserAddress int           // free failures of one username from one address
	PerUser        int           // failures of one username, from all addresses, that put it under pressure
	PerAddress     int           // failures from one address, for all usernames, that put it under pressure
	Window         time.Duration // how long failures are remembered after the latest one
}

// firstWait is the wait after the first failure over the free ones; each
// further failure doubles it.
const firstWait = time.Second

// Wait returns how long the pair whose failures are pair must still wait at
// now before its next attempt, given the failures of its username (user) and
// of its address (addr) from everywhere; 0 lets it try.
func (l LoginLimits) Wait(pair, user, addr examhall.LoginFailures, now time.Time) time.Duration {
	free := l.PerUserAddress
	if user.Count >= l.PerUser || addr.Count >= l.PerAddress {
		free = min(free, 1)
	}
	if pair.Count == 0 || pair.Count < free {
		return 0
	}
	wait := l.Window / 2
	if over := pair.Count - free; over < 62 && firstWait<<over < wait {
		wait = firstWait << over
	}
	return max(pair.Last.Add(wait).Sub(now), 0)
}

// loginKeys are the throttle's keys of a login: the pair, the username and
// the address. Addresses hold no space, so the pair's key is unambiguous. A
// name longer than any username (which no user can have) is kept as its
// SHA-256, so that a key stays far below what PostgreSQL can index.
func loginKeys(username, clientAddr string) (pair, user, addr string) {
	name := examhall.UsernameKey(username)
	if len(name) > examhall.MaxUsernameLength*utf8.UTFMax {
		sum := sha256.Sum256([]byte(name))
		name = "sha256:" + hex.EncodeToString(sum[:])
	}
	return "pair:" + clientAddr + " " + name, "user:" + name, "addr:" + clientAddr
}

// throttled is DRF's answer to a request over a rate limit, wait before the
// next one may pass (rounded up to whole seconds).
func throttled(wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	unit := "seconds"
	if secs == 1 {
		unit = "second"
	}
	return &examhall.Error{Code: examhall.ETHROTTLED, RetryAfter: time.Duration(secs) * time.Second,
		Message: fmt.Sprintf("Request was throttled. Expected available in %d %s.", secs, unit)}
}

// keyedMutex runs the holders of one key one at a time; its zero value is
// ready. A key's entry lives only while someone holds or waits for it.
type keyedMutex struct {
	mu   sync.Mutex
	keys map[string]*keyLock
}

type keyLock struct {
	held    chan struct{} // a token while held: waiting can end with the context
	holders int           // holding or waiting
}

// lock waits for key, or until ctx ends (returning its error), and returns
// the function that releases key.
func (k *keyedMutex) lock(ctx context.Context, key string) (unlock func(), err error) {
	k.mu.Lock()
	if k.keys == nil {
		k.keys = map[string]*keyLock{}
	}
	l := k.keys[key]
	if l == nil {
		l = &keyLock{held: make(chan struct{}, 1)}
		k.keys[key] = l
	}
	l.holders++
	k.mu.Unlock()
	release := func() {
		k.mu.Lock()
		if l.holders--; l.holders == 0 {
			delete(k.keys, key)
		}
		k.mu.Unlock()
	}
	select {
	case l.held <- struct{}{}:
		return func() { <-l.held; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}
