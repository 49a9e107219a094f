package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/examhall/examhall/bundle"
	"github.com/examhall/examhall/drf"
	"github.com/examhall/examhall/sqlstore"
)

// Importer loads institute bundles.
type Importer interface {
	ImportBundle(ctx context.Context, b *bundle.Bundle, passwords sqlstore.PasswordHasher, dryRun bool) (sqlstore.ImportSummary, error)
}

// importBundle is POST /api/v2.5/admin/import/ (?dry_run=1 checks only): the
// body is an institute bundle (SPEC §9), imported in one transaction.
func (s *Server) importBundle(w http.ResponseWriter, r *http.Request) {
	b, err := bundle.Parse(r.Body)
	if err != nil {
		s.writeError(w, r, bodyOrBundleError(err))
		return
	}
	dryRun := drf.Param(r.URL.Query(), "dry_run") == "1" || drf.Param(r.URL.Query(), "dry_run") == "true"
	summary, err := s.Import.ImportBundle(r.Context(), b, s.Auth.Passwords, dryRun)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		sqlstore.ImportSummary
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
