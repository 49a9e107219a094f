package auth

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/examhall/examhall"
)

// LoginLimits bound failed logins in a window, per username and per client
// address.
type LoginLimits struct {
	PerUser    int
	PerAddress int
	Window     time.Duration
}

// Service signs users in and tells who a token belongs to.
type Service struct {
	Users     examhall.UserStore
	Failures  examhall.LoginFailureStore
	Tokens    *Tokens
	Passwords *Passwords
	Limits    LoginLimits
	Clock     examhall.Clock
}

var errBadCredentials = &examhall.Error{Code: examhall.EINVALID, Message: "Invalid input.",
	Fields: map[string][]string{"non_field_errors": {"Unable to log in with provided credentials."}}}

// Login checks a username and password and returns a token. Wrong passwords,
// unknown usernames and users who may not log in all get the same answer, so
// that it does not tell which usernames exist. Too many failures for the
// username or for the client address in the window are ETHROTTLED.
func (s *Service) Login(ctx context.Context, username, password, clientAddr string) (string, error) {
	now := s.Clock.Now()
	userKey := "user:" + examhall.UsernameKey(username)
	addrKey := "addr:" + clientAddr
	// Count the login as failed before the slow password check, so that
	// parallel guesses cannot all pass the limit; a success is forgiven below.
	for _, limit := range []struct {
		key string
		max int
	}{{userKey, s.Limits.PerUser}, {addrKey, s.Limits.PerAddress}} {
		failures, start, err := s.Failures.RecordLoginFailure(ctx, limit.key, now, s.Limits.Window)
		if err != nil {
			return "", err
		}
		if failures > limit.max {
			return "", throttled(start.Add(s.Limits.Window).Sub(now))
		}
	}

	u, hash, err := s.Users.UserCredentials(ctx, username)
	if err != nil && examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
		return "", err
	}
	if err != nil || !u.CanLogIn() {
		hash = ""
	}
	if !s.Passwords.Verify(hash, password) {
		return "", errBadCredentials
	}
	if err := s.Failures.ClearLoginFailures(ctx, userKey); err != nil {
		return "", err
	}
	if err := s.Failures.ForgiveLoginFailure(ctx, addrKey); err != nil {
		return "", err
	}
	return s.Tokens.Issue(u)
}

// throttled is DRF's answer to a request over a rate limit, wait before the
// next one may pass.
func throttled(wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	unit := "seconds"
	if secs == 1 {
		unit = "second"
	}
	return &examhall.Error{Code: examhall.ETHROTTLED, RetryAfter: time.Duration(secs) * time.Second,
		Message: fmt.Sprintf("Request was throttled. Expected available in %d %s.", secs, unit)}
}

// Authenticate returns the user a token belongs to, without their batches
// (Batches nil). Besides the token's own faults, the user must still exist
// and be allowed to log in. The user is read afresh from the database on
// every call, with one light statement and no cache, so that a user deleted,
// deactivated or blocked on any replica is refused on the very next request.
func (s *Service) Authenticate(ctx context.Context, token string) (*examhall.User, error) {
	claims, err := s.Tokens.Parse(token)
	if err != nil {
		return nil, err
	}
	u, err := s.Users.UserWithoutBatches(ctx, claims.UserID)
	if examhall.ErrorCodeOf(err) == examhall.ENOTFOUND {
		return nil, examhall.Errorf(examhall.EUNAUTHORIZED, "Invalid signature.")
	}
	if err != nil {
		return nil, err
	}
	if !u.CanLogIn() {
		return nil, examhall.Errorf(examhall.EUNAUTHORIZED, "User account is disabled.")
	}
	return u, nil
}

// EnsureAdmin creates the admin user, or when the username exists makes that
// user an active admin with the new password (and email, when given).
func (s *Service) EnsureAdmin(ctx context.Context, username, password, email string) (created bool, err error) {
	errs := examhall.FieldErrors{}
	if password == "" {
		errs.Add("password", "This field may not be blank.")
	} else if len(password) > MaxPasswordBytes {
		errs.Add("password", fmt.Sprintf("Ensure this field has no more than %d bytes.", MaxPasswordBytes))
	}
	if err := errs.Err(); err != nil {
		return false, err
	}
	u, _, err := s.Users.UserCredentials(ctx, username)
	switch examhall.ErrorCodeOf(err) {
	case "":
	case examhall.ENOTFOUND:
		u = &examhall.User{Username: username}
	default:
		return false, err
	}
	u.Role, u.IsActive, u.IsBlocked = examhall.RoleAdmin, true, false
	if email != "" {
		u.Email = email
	}
	hash, err := s.Passwords.Hash(password)
	if err != nil {
		return false, err
	}
	return s.Users.SaveUserByUsername(ctx, u, hash)
}
