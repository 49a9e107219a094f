package auth

import (
	"context"
	"fmt"

	"github.com/examhall/examhall"
)

// Service signs users in and tells who a token belongs to.
type Service struct {
	Users     examhall.UserStore
	Failures  examhall.LoginFailureStore
	Tokens    *Tokens
	Passwords *Passwords
	Limits    LoginLimits
	Clock     examhall.Clock

	pairs keyedMutex // one login at a time per (username, address) pair
}

var errBadCredentials = &examhall.Error{Code: examhall.EINVALID, Message: "Invalid input.",
	Fields: map[string][]string{"non_field_errors": {"Unable to log in with provided credentials."}}}

// Login checks a username and password and returns a token. Wrong passwords,
// unknown usernames and users who may not log in all get the same answer, so
// that it does not tell which usernames exist. A login whose (username,
// client address) pair must still wait after failures is ETHROTTLED, with the
// wait in RetryAfter, before its password is checked: see LoginLimits for the
// rules. Storage errors are returned as they are.
func (s *Service) Login(ctx context.Context, username, password, clientAddr string) (string, error) {
	u, ok, err := s.verifyThrottled(ctx, username, password, clientAddr)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", errBadCredentials
	}
	return s.Tokens.Issue(u)
}

// verifyThrottled checks a password of username under the login throttle
// (LoginLimits): one check of a (username, client address) pair at a time, so
// that parallel guesses see each other's failures; ETHROTTLED, before the
// password is checked, while the pair must still wait; a wrong password, an
// unknown username or a user who may not log in is recorded as a failure and
// answered ok=false, all alike; a right one clears the pair's failures and
// returns the user. Storage errors are returned as they are.
func (s *Service) verifyThrottled(ctx context.Context, username, password, clientAddr string) (*examhall.User, bool, error) {
	pairKey, userKey, addrKey := loginKeys(username, clientAddr)
	keys := []string{pairKey, userKey, addrKey}
	unlock, err := s.pairs.lock(ctx, pairKey)
	if err != nil {
		return nil, false, err
	}
	defer unlock()
	now := s.Clock.Now()
	failures, err := s.Failures.LoginFailures(ctx, keys, now, s.Limits.Window)
	if err != nil {
		return nil, false, err
	}
	if wait := s.Limits.Wait(failures[pairKey], failures[userKey], failures[addrKey], now); wait > 0 {
		return nil, false, throttled(wait)
	}

	u, hash, err := s.Users.UserCredentials(ctx, username)
	if err != nil && examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
		return nil, false, err
	}
	if err != nil || !u.CanLogIn() {
		hash = ""
	}
	if !s.Passwords.Verify(hash, password) {
		return nil, false, s.Failures.RecordLoginFailure(ctx, keys, now, s.Limits.Window)
	}
	if failures[pairKey].Count > 0 {
		if err := s.Failures.ClearLoginFailures(ctx, pairKey); err != nil {
			return nil, false, err
		}
	}
	return u, true, nil
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
	if claims.PasswordStamp != "" && claims.PasswordStamp != u.PasswordStamp {
		return nil, examhall.Errorf(examhall.EUNAUTHORIZED, msgRevoked)
	}
	return u, nil
}

// msgRevoked answers a token issued before the user's password changed.
const msgRevoked = "This token was revoked: the password has changed. Log in again."

// ChangePassword changes u's own password from old to new and returns a new
// token for u: the tokens issued before, on any device, are revoked (their
// password stamp is no longer u's). A wrong old password is EINVALID on
// old_password; a new one that CheckNewPassword refuses, or the old one
// again, EINVALID on new_password. Wrong old passwords count as failed
// logins: the login throttle (LoginLimits) applies, ETHROTTLED.
func (s *Service) ChangePassword(ctx context.Context, u *examhall.User, oldPassword, newPassword, clientAddr string) (string, error) {
	current, ok, err := s.verifyThrottled(ctx, u.Username, oldPassword, clientAddr)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", &examhall.Error{Code: examhall.EINVALID, Message: "Invalid input.",
			Fields: map[string][]string{"old_password": {"Your old password was entered incorrectly. Please enter it again."}}}
	}
	errs := examhall.FieldErrors{}
	examhall.CheckNewPassword(errs, "new_password", newPassword, current.Username)
	if len(errs) == 0 && newPassword == oldPassword {
		errs.Add("new_password", "The new password is the same as the old one.")
	}
	if err := errs.Err(); err != nil {
		return "", err
	}
	newHash, err := s.Passwords.Hash(newPassword)
	if err != nil {
		return "", err
	}
	changed, err := s.Users.UpdateUser(ctx, current.ID, func(*examhall.User) error { return nil }, &newHash)
	if err != nil {
		return "", err
	}
	changed.PasswordStamp = examhall.PasswordStamp(newHash)
	return s.Tokens.Issue(changed)
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
