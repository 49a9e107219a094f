package httpapi

import (
	"errors"
	"net/http"

	"github.com/examhall/examhall/bundle"
	"github.com/examhall/examhall/bundleimport"
	"github.com/examhall/examhall/drf"
)

// importBundle is POST /api/v2.5/admin/import/ (?dry_run=1 checks only): the
// body is an institute bundle (SPEC §9), imported in one transaction.
func (s *Server) importBundle(w http.ResponseWriter, r *http.Request) {
	b, err := bundle.Parse(r.Body)
	if err != nil {
		s.writeError(w, r, bodyOrBundleError(err))
		return
	}
	dryRun := drf.Param(r.URL.Query(), "dry_run") == "1" || drf.Param(r.URL.Query(), "dry_run") == "true"
	summary, err := bundleimport.Import(r.Context(), s.Import, b, s.Auth.Passwords, dryRun)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		bundleimport.Summary
		DryRun bool `json:"dry_run"`
	}{summary, dryRun})
}

// bodyOrBundleError tells a body that could not be read from a bad bundle.
func bodyOrBundleError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return bodyReadError(err)
	}
	return err
}
