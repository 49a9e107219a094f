package httpapi

import "net/http"

// obtainToken is POST auth-token/: {"username", "password"} → {"token"}. It
// ignores any Authorization header, as the original does.
func (s *Server) obtainToken(w http.ResponseWriter, r *http.Request) {
	if token, ok := s.login(w, r); ok {
		writeJSON(w, http.StatusOK, map[string]string{"token": token})
	}
}

// login reads {"username", "password"} and logs in under the login
// throttle, returning the new token; when it fails it has answered (400
// field errors, 400 bad credentials, 429 throttled) and ok is false.
func (s *Server) login(w http.ResponseWriter, r *http.Request) (token string, ok bool) {
	fields, err := readStringFields(r, []string{"username", "password"}, map[string]bool{"username": true})
	if err == nil {
		token, err = s.Auth.Login(r.Context(), fields["username"], fields["password"], s.clientAddr(r))
	}
	if err != nil {
		s.writeError(w, r, err)
		return "", false
	}
	return token, true
}
