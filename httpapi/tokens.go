package httpapi

import "net/http"

// obtainToken is POST auth-token/: {"username", "password"} → {"token"}. It
// ignores any Authorization header, as the original does.
func (s *Server) obtainToken(w http.ResponseWriter, r *http.Request) {
	fields, err := readStringFields(r, []string{"username", "password"}, map[string]bool{"username": true})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	token, err := s.Auth.Login(r.Context(), fields["username"], fields["password"], s.clientAddr(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"token": token})
}
