// Package auth signs users in: password hashes, JWTs in the shape of
// djangorestframework-jwt (which the Testpress API uses), and the login flow
// with its rate limit.
package auth

import (
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// Passwords hashes and checks passwords with bcrypt.
type Passwords struct {
	Cost int // bcrypt cost; tests use bcrypt.MinCost

	dummyOnce sync.Once
	dummy     []byte
}

// MaxPasswordBytes is bcrypt's limit; longer passwords are refused when set
// and never match.
const MaxPasswordBytes = 72

// Hash returns the bcrypt hash of password.
func (p *Passwords) Hash(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), p.Cost)
	return string(h), err
}

// Verify reports whether password matches hash. An empty hash (an unusable
// password) matches nothing, after the same work as a real check, so that the
// time of an answer does not tell whether a user exists.
//
// Passwords longer than bcrypt's 72 bytes never match: bcrypt would compare
// only their first 72 bytes.
func (p *Passwords) Verify(hash, password string) bool {
	if hash == "" || len(password) > MaxPasswordBytes {
		p.dummyOnce.Do(func() {
			p.dummy, _ = bcrypt.GenerateFromPassword([]byte("examhall"), p.Cost)
		})
		bcrypt.CompareHashAndPassword(p.dummy, []byte(password)) //nolint:errcheck // timing only
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}
