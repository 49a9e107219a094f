package httpapi

import (
	"context"
	"net/http"

	"github.com/examhall/examhall"
)

// SessionCookie is the cookie that carries a browser's token: the web pages
// log in through POST /api/v2.5/session/, which sets it HttpOnly (page
// scripts never hold the token, so an injected script cannot steal it) and
// SameSite=Strict. The API accepts it wherever it accepts an Authorization
// header, which wins when both are sent.
const SessionCookie = "examhall_session"

// errCrossOrigin is DRF's answer to a session-authenticated write that fails
// its CSRF check (SessionAuthentication.enforce_csrf).
var errCrossOrigin = examhall.Errorf(examhall.EFORBIDDEN, "CSRF Failed: cross-origin request refused.")

// sessionKey marks a request authenticated by SessionCookie.
type sessionKey struct{}

// viaSession tells whether r was authenticated by SessionCookie.
func viaSession(r *http.Request) bool { v, _ := r.Context().Value(sessionKey{}).(bool); return v }

// sessionUser authenticates r by SessionCookie. Returns EUNAUTHORIZED when
// there is no cookie or its token is refused, and EFORBIDDEN for an unsafe
// method from another origin (crossOrigin).
func (s *Server) sessionUser(r *http.Request) (*examhall.User, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, examhall.Errorf(examhall.EUNAUTHORIZED, "Authentication credentials were not provided.")
	}
	if err := s.crossOrigin.Check(r); err != nil {
		return nil, errCrossOrigin
	}
	return s.Auth.Authenticate(r.Context(), c.Value)
}

// SessionUser is the user whose session cookie r carries, for the web pages
// (which are not API endpoints and answer in HTML). Returns EUNAUTHORIZED
// when there is none or it is no longer valid (expired, password changed,
// user deleted), EFORBIDDEN for an unsafe method from another origin.
func (s *Server) SessionUser(r *http.Request) (*examhall.User, error) {
	u, err := s.sessionUser(r)
	if err == nil {
		noteCaller(r, u)
	}
	return u, err
}

// createSession is POST /api/v2.5/session/ {"username", "password"}: the
// login of the web pages. It answers 200 with the user (as GET me/ does) and
// sets SessionCookie; wrong credentials and the login throttle answer as
// auth-token/ does, and set nothing.
func (s *Server) createSession(w http.ResponseWriter, r *http.Request) {
	if err := s.crossOrigin.Check(r); err != nil { // login CSRF: a foreign page must not log a browser in
		s.writeError(w, r, errCrossOrigin)
		return
	}
	token, ok := s.login(w, r)
	if !ok {
		return
	}
	u, err := s.Auth.Authenticate(r.Context(), token)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.setSessionCookie(w, r, token)
	writeJSON(w, http.StatusOK, meOf(u))
}

// deleteSession is DELETE /api/v2.5/session/: logs the browser out (204),
// whether or not it was logged in.
func (s *Server) deleteSession(w http.ResponseWriter, r *http.Request) {
	if err := s.crossOrigin.Check(r); err != nil {
		s.writeError(w, r, errCrossOrigin)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.scheme(r) == "https", SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
}

// setSessionCookie stores token in SessionCookie; Secure whenever the
// client came over HTTPS. It is a browser-session cookie (no Max-Age): on
// the shared computers of an exam hall, closing the browser logs the student
// out, while a reload keeps the session; the token inside still expires
// after the token lifetime.
func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.scheme(r) == "https", SameSite: http.SameSiteStrictMode})
}

// me is GET /api/v2.5/me/: who the caller is, for pages that show it.
type me struct {
	ID       int64         `json:"id"`
	Username string        `json:"username"`
	Email    string        `json:"email"`
	Name     string        `json:"name"`
	Role     examhall.Role `json:"role"`
}

func meOf(u *examhall.User) me {
	return me{ID: u.ID, Username: u.Username, Email: u.Email, Name: u.FullName(), Role: u.Role}
}

func (s *Server) getMe(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, meOf(caller(r)))
}

// withSession marks ctx as authenticated by SessionCookie.
func withSession(ctx context.Context) context.Context {
	return context.WithValue(ctx, sessionKey{}, true)
}
