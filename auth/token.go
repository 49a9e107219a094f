package auth

import (
	"errors"
	"time"

	"github.com/examhall/examhall"
	"github.com/golang-jwt/jwt/v5"
)

// Claims is the payload of an examhall token, as djangorestframework-jwt writes it.
type Claims struct {
	Username string `json:"username"`
	UserID   int64  `json:"user_id"`
	Email    string `json:"email"`
	// PasswordStamp is the user's examhall.User.PasswordStamp when the
	// token was issued: a token whose stamp is no longer the user's was
	// revoked by a new password. Tokens issued before examhall wrote it
	// have none, and live out their lifetime.
	PasswordStamp string `json:"pwd,omitempty"`
	jwt.RegisteredClaims
}

// Tokens issues and checks HS256 JWTs.
type Tokens struct {
	secret   []byte
	lifetime time.Duration
	clock    examhall.Clock
}

// NewTokens returns Tokens that sign with secret and expire after lifetime.
func NewTokens(secret []byte, lifetime time.Duration, clock examhall.Clock) *Tokens {
	return &Tokens{secret: secret, lifetime: lifetime, clock: clock}
}

// Issue returns a signed token for u.
func (t *Tokens) Issue(u *examhall.User) (string, error) {
	claims := Claims{
		Username:      u.Username,
		UserID:        u.ID,
		Email:         u.Email,
		PasswordStamp: u.PasswordStamp,
		RegisteredClaims: jwt.RegisteredClaims{
			ExpiresAt: jwt.NewNumericDate(t.clock.Now().Add(t.lifetime)),
		},
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.secret)
}

// The answers djangorestframework-jwt gives to tokens it refuses.
const (
	msgExpired      = "Signature has expired."
	msgDecode       = "Error decoding signature."
	msgInvalidToken = "Incorrect authentication credentials."
)

var errAlgorithm = errors.New("signing method is not HS256")

// Parse checks the token's signature (HS256 only; "none" and every other
// algorithm are refused) and expiry, and returns its claims. Its errors are
// EUNAUTHORIZED with the message the original API gives.
func (t *Tokens) Parse(token string) (*Claims, error) {
	var claims Claims
	parser := jwt.NewParser(jwt.WithTimeFunc(t.clock.Now), jwt.WithExpirationRequired())
	_, err := parser.ParseWithClaims(token, &claims, func(tok *jwt.Token) (any, error) {
		if tok.Method.Alg() != jwt.SigningMethodHS256.Alg() {
			return nil, errAlgorithm
		}
		return t.secret, nil
	})
	switch {
	case err == nil:
		return &claims, nil
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, examhall.Errorf(examhall.EUNAUTHORIZED, msgExpired)
	case errors.Is(err, errAlgorithm), errors.Is(err, jwt.ErrTokenUnverifiable),
		errors.Is(err, jwt.ErrTokenRequiredClaimMissing), errors.Is(err, jwt.ErrTokenInvalidClaims):
		return nil, examhall.Errorf(examhall.EUNAUTHORIZED, msgInvalidToken)
	default: // malformed text, bad signature
		return nil, examhall.Errorf(examhall.EUNAUTHORIZED, msgDecode)
	}
}
