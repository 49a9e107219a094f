package httpapi

import (
	"embed"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// openAPIYAML is the OpenAPI 3.1 description of every route in routes (kept
// by hand next to the handlers; openapi_test.go holds it to them).
//
//go:embed openapi.yaml
var openAPIYAML []byte

// apiDocs is the documentation page and the Redoc bundle it runs
// (vendored by scripts/vendor-web.sh).
//
//go:embed apidocs/index.html apidocs/redoc.standalone.js
var apiDocs embed.FS

// OpenAPIDocument returns the API description parsed: the document the
// tests validate traffic against. Returns an error if openapi.yaml does not
// parse (which the tests would have caught).
func OpenAPIDocument() (*openapi3.T, error) {
	return openapi3.NewLoader().LoadFromData(openAPIYAML)
}

// openAPIJSON is the document as served at /api/schema/, rendered once.
var openAPIJSON = sync.OnceValues(func() ([]byte, error) {
	doc, err := OpenAPIDocument()
	if err != nil {
		return nil, err
	}
	return json.Marshal(doc)
})

// docsCSP lets Redoc run from our own origin: styled-components injects
// <style> elements ('unsafe-inline' styles), and the search index runs in a
// worker made from a blob: URL. No inline script, nothing from elsewhere.
const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; worker-src blob:; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// serveSchema is GET /api/schema/: the OpenAPI document as JSON, no
// authentication (it describes the API, not its data).
func (s *Server) serveSchema(w http.ResponseWriter, r *http.Request) {
	b, err := openAPIJSON()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b) //nolint:errcheck // the client went away
}

// serveDocs is GET /api/docs/ (the page) and /api/docs/redoc.standalone.js
// (its script), each under docsCSP.
func serveDocs(file, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := apiDocs.ReadFile(file)
		if err != nil {
			writeDetail(w, http.StatusNotFound, "Not found.")
			return
		}
		h := w.Header()
		h.Set("Content-Type", contentType)
		h.Set("Content-Security-Policy", docsCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-cache")
		w.Write(b) //nolint:errcheck // the client went away
	}
}
