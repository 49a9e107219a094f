package httpapi

import "net/http"

// changeOwnPassword is PUT /api/v2.5/me/password/ with {"old_password",
// "new_password"}: any logged-in user changes their own password. The answer
// is 200 {"token": …}, a new token: every token issued before, on any
// device, is revoked (auth.Service.ChangePassword).
func (s *Server) changeOwnPassword(w http.ResponseWriter, r *http.Request) {
	fields, err := readStringFields(r, []string{"old_password", "new_password"}, nil)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	token, err := s.Auth.ChangePassword(r.Context(), caller(r), fields["old_password"], fields["new_password"], s.clientAddr(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if viaSession(r) { // the old cookie's token is revoked now: the browser keeps its session
		s.setSessionCookie(w, r, token)
	}
	writeJSON(w, http.StatusOK, map[string]string{"token": token})
}
