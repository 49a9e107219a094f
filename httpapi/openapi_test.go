package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/examhall/examhall/exports"
	"github.com/examhall/examhall/httpapi"
	"github.com/examhall/examhall/sqlstore"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// openAPI is the document and a router over it, loaded once per test binary.
var openAPI = sync.OnceValues(func() (routers.Router, error) {
	// Bodies that are not JSON are checked as text: the document says only
	// that they are strings (or files) of that type.
	asText := func(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
		b, err := io.ReadAll(body)
		return string(b), err
	}
	for _, ct := range []string{"text/html", "text/javascript", "text/csv",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"} {
		openapi3filter.RegisterBodyDecoder(ct, asText)
	}
	doc, err := httpapi.OpenAPIDocument()
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	// The servers entry "/" is relative to wherever the API is served;
	// the router would look for it as a host.
	doc.Servers = nil
	return legacy.NewRouter(doc)
})

func openAPIRouter(t testing.TB) routers.Router {
	t.Helper()
	router, err := openAPI()
	if err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	return router
}

// validatingOptions checks what the document says of bodies, parameters and
// statuses; authentication is the server's business (the tests of 401/403
// cover it), so security requirements are not evaluated.
var validatingOptions = &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}

// short is err's message without the schema kin-openapi prints after it.
func short(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\nSchema:")
	return msg
}

// documented is r as the document names it: with the trailing slash the
// server adds (withTrailingSlash) and HEAD as GET.
func documented(r *http.Request, body []byte) *http.Request {
	r2 := r.Clone(r.Context())
	u := *r.URL
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		u.RawPath = ""
	}
	r2.URL = &u
	if r.Method == http.MethodHead {
		r2.Method = http.MethodGet
	}
	r2.Body = io.NopCloser(bytes.NewReader(body))
	return r2
}

// checkExchange validates one request and the response the server gave it
// against the document. A request the document rejects must have been
// refused (4xx); a response must match its operation's schema for its
// status, and a success status must be one the operation lists.
func checkExchange(router routers.Router, r *http.Request, reqBody []byte, status int, header http.Header, respBody []byte) []string {
	req := documented(r, reqBody)
	route, params, err := router.FindRoute(req)
	if err != nil {
		switch status {
		case http.StatusNotFound, http.StatusMethodNotAllowed:
			return nil // no such endpoint, and the server said so
		case http.StatusUnauthorized, http.StatusForbidden:
			return nil // DRF checks the caller before the method (TestAuthenticationBeforeMethod)
		}
		return []string{"the document has no operation for it (" + err.Error() + ")"}
	}
	var problems []string
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: validatingOptions}
	if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil && status < 400 {
		problems = append(problems, "the server accepted a request the document rejects: "+short(err))
	}
	if status < 400 && route.Operation.Responses.Status(status) == nil {
		problems = append(problems, "status not listed for the operation")
	}
	opts := *validatingOptions
	opts.ExcludeResponseBody = r.Method == http.MethodHead
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header,
		Body: io.NopCloser(bytes.NewReader(respBody)), Options: &opts}
	if err := openapi3filter.ValidateResponse(req.Context(), out); err != nil {
		problems = append(problems, "response does not match the document: "+short(err))
	}
	return problems
}

// validateTraffic wraps the API's handler so that every request a test
// makes, and the response to it, is checked against the document; a
// mismatch fails the test. The response is held until it is checked (so
// the test is still running when it fails), then written through.
//
// A fuzz test's API is left unchecked: its requests are made inside the fuzz
// target, where the testing.F that made the API may not report.
func validateTraffic(t testing.TB, next http.Handler) http.Handler {
	if _, fuzz := t.(*testing.F); fuzz {
		return next
	}
	router := openAPIRouter(t)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqBody, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
		probe := r.Clone(r.Context())
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		if r.Context().Err() == nil { // a client that went away got nothing to check
			check := checkExchange
			if r.Method == http.MethodOptions {
				check = checkOptions
			}
			for _, p := range check(router, probe, reqBody, rec.Code, rec.Header(), rec.Body.Bytes()) {
				t.Errorf("OpenAPI: %s %s → %d: %s\nrequest body: %.300s\nresponse body: %.500s", r.Method, r.URL, rec.Code, p, reqBody, rec.Body.Bytes())
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes()) //nolint:errcheck // the test client reads it
	})
}

// checkOptions checks an OPTIONS exchange against the rule the document's
// description states for every path (instead of an operation on each): a
// CORS preflight answers 204 with no body; otherwise DRF's metadata, 200
// with Allow and {"name", "description", "renders", "parses"}, after the
// route's guard (401/403 with {"detail"}), or 404 for no route.
func checkOptions(_ routers.Router, _ *http.Request, _ []byte, code int, header http.Header, body []byte) []string {
	switch code {
	case http.StatusNoContent:
		if len(body) != 0 || header.Get("Access-Control-Allow-Origin") == "" {
			return []string{"a preflight answer must be empty and carry Access-Control-Allow-Origin"}
		}
		return nil
	case http.StatusOK:
		var meta struct {
			Name        *string  `json:"name"`
			Description *string  `json:"description"`
			Renders     []string `json:"renders"`
			Parses      []string `json:"parses"`
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&meta); err != nil || meta.Name == nil || meta.Description == nil || meta.Renders == nil || meta.Parses == nil || header.Get("Allow") == "" {
			return []string{fmt.Sprintf("not DRF's metadata with an Allow header (%v)", err)}
		}
		return nil
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		var detail struct {
			Detail string `json:"detail"`
		}
		if err := json.Unmarshal(body, &detail); err != nil || detail.Detail == "" {
			return []string{"an error without {\"detail\"}"}
		}
		return nil
	}
	return []string{"an OPTIONS answer other than 200, 204, 401, 403 or 404"}
}

// TestOpenAPIDocumentValid: openapi.yaml loads and validates as OpenAPI 3.1.
func TestOpenAPIDocumentValid(t *testing.T) {
	openAPIRouter(t)
	doc, err := httpapi.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
}

// TestOpenAPICoversRoutes walks the route table: every route and method has
// an operation in the document, and every operation is a route.
func TestOpenAPICoversRoutes(t *testing.T) {
	doc, err := httpapi.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	table := httpapi.RouteTable(&httpapi.Server{Exports: &exports.Service{}})
	routed := map[string]bool{}
	for pattern, methods := range table {
		if len(methods) == 0 {
			continue // a catch-all: 404 for anything it gets
		}
		path := httpapi.RoutePath(pattern)
		item := doc.Paths.Value(path)
		for _, m := range methods {
			routed[m+" "+path] = true
			if item == nil || item.GetOperation(m) == nil {
				t.Errorf("route %s %s has no operation in openapi.yaml", m, pattern)
			}
		}
	}
	if len(routed) < 80 {
		t.Fatalf("walked only %d routes: the walk is broken", len(routed))
	}
	for path, item := range doc.Paths.Map() {
		for m := range item.Operations() {
			if !routed[m+" "+path] {
				t.Errorf("openapi.yaml has %s %s, which is no route", m, path)
			}
		}
	}
}

// goldenOperations maps each golden file to the request that produced it
// (the tests that write them say which): its body is checked against that
// operation's 200 response.
var goldenOperations = map[string]string{
	"item_statistics_all.json":         "/api/v2.5/admin/exams/1/statistics/?population=all",
	"item_statistics_first.json":       "/api/v2.5/admin/exams/1/statistics/",
	"admin_attempt_3.json":             "/api/v2.5/admin/attempts/3/",
	"admin_attempt_asha.json":          "/api/v2.5/admin/attempts/2/",
	"admin_attempts_default.json":      "/api/v2.5/admin/attempts/",
	"admin_attempts_page2.json":        "/api/v2.5/admin/attempts/?page_size=2&page=2&exams=1",
	"admin_conference_attendance.json": "/api/v3/admin/attempts/1/video-conference/",
	"admin_content_attempts.json":      "/api/v3/admin/chapter-content-attempts/",
	"admin_course.json":                "/api/v2.5/admin/courses/1/",
	"admin_exam_1.json":                "/api/v2.5/admin/exams/1/",
	"admin_exams_running.json":         "/api/v2.5/admin/exams/?status=running&ordering=start_date",
	"admin_user_answers_2.json":        "/api/v3/admin/attempts/2/user_answers/",
	"admin_user_answers_2_page2.json":  "/api/v3/admin/attempts/2/user_answers/?page_size=1&page=2",
	"own_content_attempts.json":        "/api/v2.5/content-attempts/",
	"review_bare.json":                 "/api/v2.2/attempts/1/review/",
	"review_bare_admin.json":           "/api/v2.2/attempts/1/review/",
	"review_keyed.json":                "/api/v2.2/attempts/1/review/",
	"review_keyless.json":              "/api/v2.2/attempts/1/review/",
	"review_scoreless.json":            "/api/v2.2/attempts/1/review/",
	"student_course_jee.json":          "/api/v2.5/courses/1/contents/",
	"student_exam_algebra.json":        "/api/v2.2/exams/algebra/",
	"student_exam_neet_mock.json":      "/api/v2.2/exams/neet-mock/",
	"student_exams_available.json":     "/api/v2.2/exams/available/",
	"student_exams_jee.json":           "/api/v2.2/exams/",
	"user_2.json":                      "/api/v2.5/admin/users/2/",
	"user_5.json":                      "/api/v2.5/admin/users/5/",
	"users_all.json":                   "/api/v2.5/admin/users/",
	"users_page2.json":                 "/api/v2.5/admin/users/?page_size=2&q=a&page=2",
	"users_last.json":                  "/api/v2.5/admin/users/?page_size=2&page=last",
	"users_email.json":                 "/api/v2.5/admin/users/?email=ASHA@example.com",
}

// TestOpenAPIGoldens validates every golden response in testdata against
// the response schema of the operation that gives it; a golden file with
// no entry in goldenOperations fails.
func TestOpenAPIGoldens(t *testing.T) {
	router := openAPIRouter(t)
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < len(goldenOperations) {
		t.Fatalf("found %d golden files, want at least %d", len(files), len(goldenOperations))
	}
	for _, file := range files {
		name := filepath.Base(file)
		target, ok := goldenOperations[name]
		if !ok {
			t.Errorf("testdata/%s: no operation mapped in goldenOperations", name)
			continue
		}
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodGet, baseURL+target, nil)
		header := http.Header{"Content-Type": {"application/json"}}
		for _, p := range checkExchange(router, r, nil, http.StatusOK, header, body) {
			t.Errorf("testdata/%s (GET %s): %s", name, target, p)
		}
	}
}

// TestOpenAPIValidatorCatchesDrift: the checks fail on a body that breaks
// the document, so the traffic and golden checks cannot pass vacuously.
func TestOpenAPIValidatorCatchesDrift(t *testing.T) {
	router := openAPIRouter(t)
	header := http.Header{"Content-Type": {"application/json"}}
	get := httptest.NewRequest(http.MethodGet, baseURL+"/api/v2.5/me/", nil)
	good := `{"id":2,"username":"asha","email":"asha@example.com","name":"Asha Rao","role":"student"}`
	if p := checkExchange(router, get, nil, 200, header, []byte(good)); len(p) > 0 {
		t.Fatalf("a good body was refused: %v", p)
	}
	for _, tt := range []struct {
		name   string
		status int
		body   string
	}{
		{"id as string", 200, `{"id":"2","username":"asha","email":"asha@example.com","name":"Asha Rao","role":"student"}`},
		{"role unknown", 200, `{"id":2,"username":"asha","email":"asha@example.com","name":"Asha Rao","role":"guest"}`},
		{"field missing", 200, `{"id":2,"username":"asha","email":"asha@example.com","name":"Asha Rao"}`},
		{"undocumented success status", 201, good},
		{"error without detail", 404, `{"error":"nope"}`},
	} {
		if p := checkExchange(router, get, nil, tt.status, header, []byte(tt.body)); len(p) == 0 {
			t.Errorf("%s: passed validation", tt.name)
		}
	}
	page := httptest.NewRequest(http.MethodGet, baseURL+"/api/v2.2/exams/", nil)
	if p := checkExchange(router, page, nil, 200, header, []byte(`{"count":0,"next":null,"previous":null,"results":[]}`)); len(p) == 0 {
		t.Error("an envelope without per_page passed validation")
	}
	post := httptest.NewRequest(http.MethodPost, baseURL+"/api/v2.5/admin/users/", nil)
	post.Header.Set("Content-Type", "application/json")
	created := []byte(`{"id":5,"url":"https://exams.example.com/api/v2.5/admin/users/5/","username":"x","email":"","first_name":"","last_name":"","name":null,"phone":"","role":"student","is_active":true,"is_blocked":false,"date_joined":"2026-01-05T10:00:00+05:30","batches":[]}`)
	if p := checkExchange(router, post, []byte(`{"username":5}`), 201, header, created); len(p) == 0 {
		t.Error("a request body the document rejects passed when the server said 201")
	}
	if p := checkExchange(router, post, []byte(`{"username":5}`), 400, header, []byte(`{"username":["Not a valid string."]}`)); len(p) > 0 {
		t.Errorf("a refused bad request was reported: %v", p)
	}
	unknown := httptest.NewRequest(http.MethodGet, baseURL+"/api/v2.5/nothing/", nil)
	if p := checkExchange(router, unknown, nil, 200, header, []byte(`{}`)); len(p) == 0 {
		t.Error("a 200 on a path the document lacks passed")
	}
}

// TestOpenAPISchemaServed: GET /api/schema/ is the document as JSON without
// authentication; /api/docs/ is the Redoc page with its script, under a CSP
// that allows only what Redoc needs.
func TestOpenAPISchemaServed(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		got := a.do("GET", "/api/schema", "", "", "")
		if got.status != 200 || got.header.Get("Content-Type") != "application/json" {
			t.Fatalf("GET /api/schema: %d %q", got.status, got.header.Get("Content-Type"))
		}
		var served struct {
			OpenAPI string                    `json:"openapi"`
			Paths   map[string]map[string]any `json:"paths"`
		}
		if err := json.Unmarshal([]byte(got.body), &served); err != nil {
			t.Fatal(err)
		}
		doc, err := httpapi.OpenAPIDocument()
		if err != nil {
			t.Fatal(err)
		}
		if served.OpenAPI != "3.1.0" || len(served.Paths) != doc.Paths.Len() {
			t.Errorf("served openapi %q with %d paths, want 3.1.0 with %d", served.OpenAPI, len(served.Paths), doc.Paths.Len())
		}
		if op, ok := served.Paths["/api/v2.5/admin/users/"]["get"].(map[string]any); !ok || op["operationId"] != "listUsers" {
			t.Errorf("served paths lack listUsers: %v", served.Paths["/api/v2.5/admin/users/"])
		}

		const csp = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; worker-src blob:; " +
			"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
		page := a.do("GET", "/api/docs/", "", "", "")
		if page.status != 200 || page.header.Get("Content-Type") != "text/html; charset=utf-8" || page.header.Get("Content-Security-Policy") != csp {
			t.Errorf("GET /api/docs/: %d %q CSP %q", page.status, page.header.Get("Content-Type"), page.header.Get("Content-Security-Policy"))
		}
		for _, want := range []string{`<redoc spec-url="/api/schema/"></redoc>`, `<script src="/api/docs/redoc.standalone.js"></script>`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("docs page lacks %s:\n%s", want, page.body)
			}
		}
		if strings.Contains(page.body, "http") {
			t.Errorf("docs page refers to another origin:\n%s", page.body)
		}
		script := a.do("GET", "/api/docs/redoc.standalone.js", "", "", "")
		vendored, err := os.ReadFile(filepath.Join("apidocs", "redoc.standalone.js"))
		if err != nil {
			t.Fatal(err)
		}
		if script.status != 200 || script.header.Get("Content-Type") != "text/javascript; charset=utf-8" || script.body != string(vendored) {
			t.Errorf("GET the Redoc script: %d %q, %d bytes (want %d)", script.status, script.header.Get("Content-Type"), len(script.body), len(vendored))
		}
		post := a.do("POST", "/api/schema/", "", "application/json", "{}")
		if post.status != 405 || post.header.Get("Allow") != "GET, HEAD, OPTIONS" || post.body != `{"detail":"Method \"POST\" not allowed."}` {
			t.Errorf("POST /api/schema/: %d Allow %q %s", post.status, post.header.Get("Allow"), post.body)
		}
	})
}
