// Package web is examhall's web UI: the exam room and courses for students,
// the results dashboard for staff. Pages are server-rendered shells
// (html/template) whose small ES-module scripts read and write through the
// same JSON API that integrations use, authenticated by the HttpOnly session
// cookie the API sets (httpapi.SessionCookie). Everything a page needs is
// embedded in the binary: no CDN, no network at run time, no build step.
package web

import (
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/examhall/examhall"
)

//go:embed templates
var templateFS embed.FS

// Pages serves the web UI.
type Pages struct {
	// Viewer is the user whose session cookie r carries
	// (httpapi.Server.SessionUser). It returns an EUNAUTHORIZED error when
	// there is none.
	Viewer func(r *http.Request) (*examhall.User, error)
	// Institute names the institute in page titles.
	Institute examhall.InstituteSource
	Logger    *slog.Logger

	templates map[string]*template.Template
	static    *assets
}

// page is one server-rendered page: a template under templates/ (besides
// layout.html), the module script that brings it to life, and who may open it.
type page struct {
	name   string // templates/<name>.html
	title  string
	script string // static/js/<script>; "" for none
	style  string // static/css/<style> besides app.css; "" for none
	roles  []examhall.Role
}

var (
	everyone  = []examhall.Role{examhall.RoleAdmin, examhall.RoleStaff, examhall.RoleStudent}
	staff     = []examhall.Role{examhall.RoleAdmin, examhall.RoleStaff}
	adminOnly = []examhall.Role{examhall.RoleAdmin}
)

// view is what every template gets.
type view struct {
	Title     string
	Institute string
	Script    string
	Style     string
	Viewer    *examhall.User
	// Params are the path's wildcards ({id}, {slug}), for data-* attributes.
	Params map[string]string
}

// IsStaff tells the layout whether to show the dashboard's navigation.
func (v view) IsStaff() bool {
	return v.Viewer != nil && slices.Contains(staff, v.Viewer.Role)
}

// IsAdmin tells the layout whether to show admin-only navigation.
func (v view) IsAdmin() bool { return v.Viewer != nil && v.Viewer.Role == examhall.RoleAdmin }

// Handler returns the pages and their assets. It panics if a template does
// not parse, which the tests catch.
func (p *Pages) Handler() http.Handler {
	p.templates = mustParseTemplates()
	p.static = mustLoadAssets()
	mux := http.NewServeMux()
	mux.Handle("GET /static/", p.static)
	mux.HandleFunc("GET /{$}", p.home)
	mux.HandleFunc("GET /favicon.ico/{$}", func(w http.ResponseWriter, r *http.Request) { // asked for by browsers regardless of <link rel=icon>
		http.Redirect(w, r, "/static/favicon.svg", http.StatusMovedPermanently)
	})
	mux.Handle("GET /login/{$}", p.render(page{name: "login", title: "Log in", script: "login.js"}))
	p.routes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		p.renderError(w, r, http.StatusNotFound, "Page not found", "There is no page at this address.")
	})
	return securityHeaders(mux)
}

// routes registers the pages of pageTable.
func (p *Pages) routes(mux *http.ServeMux) {
	for _, r := range pageTable {
		mux.Handle("GET "+r.pattern, p.render(r.page))
	}
}

// home sends a visitor where they start: the login page, a student's exams,
// or the staff dashboard.
func (p *Pages) home(w http.ResponseWriter, r *http.Request) {
	u, err := p.Viewer(r)
	switch {
	case err != nil:
		http.Redirect(w, r, "/login/", http.StatusSeeOther)
	case slices.Contains(staff, u.Role):
		http.Redirect(w, r, "/admin/", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/exams/", http.StatusSeeOther)
	}
}

// render serves pg: a visitor without a session goes to the login page
// (which returns here after), one whose role may not open it gets 403.
func (p *Pages) render(pg page) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := view{Title: pg.title, Institute: p.Institute.Institute().Name, Script: pg.script, Style: pg.style, Params: map[string]string{}}
		if pg.roles != nil {
			u, err := p.Viewer(r)
			if err != nil {
				var e *examhall.Error
				if errors.As(err, &e) && e.Code == examhall.EUNAUTHORIZED {
					http.Redirect(w, r, "/login/?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
					return
				}
				p.Logger.Error("page: session", "err", err)
				p.renderError(w, r, http.StatusInternalServerError, "Something went wrong", "Please try again in a moment.")
				return
			}
			if !slices.Contains(pg.roles, u.Role) {
				v.Viewer = u
				p.renderError(w, r, http.StatusForbidden, "Not allowed", "Your account may not open this page.")
				return
			}
			v.Viewer = u
		} else if u, err := p.Viewer(r); err == nil {
			v.Viewer = u
		}
		for name, valid := range pathParams {
			value := r.PathValue(name)
			if value == "" {
				continue
			}
			// Scripts put these in API paths: a decoded "../" must not
			// steer them to another endpoint.
			if !valid.MatchString(value) {
				p.renderError(w, r, http.StatusNotFound, "Page not found", "There is no page at this address.")
				return
			}
			v.Params[name] = value
		}
		p.execute(w, http.StatusOK, pg.name, v)
	})
}

// pathParams are the wildcards a page's path may have, with what each may
// hold: an id is a positive integer, a slug Django's slug characters.
var pathParams = map[string]*regexp.Regexp{
	"id":   regexp.MustCompile(`^[1-9][0-9]{0,17}$`),
	"slug": regexp.MustCompile(`^[-a-zA-Z0-9_]{1,255}$`),
}

// renderError answers with the error page.
func (p *Pages) renderError(w http.ResponseWriter, r *http.Request, status int, title, message string) {
	v := view{Title: title, Institute: p.Institute.Institute().Name, Params: map[string]string{"message": message}}
	if u, err := p.Viewer(r); err == nil {
		v.Viewer = u
	}
	p.execute(w, status, "error", v)
}

func (p *Pages) execute(w http.ResponseWriter, status int, name string, v view) {
	var b strings.Builder
	if err := p.templates[name].ExecuteTemplate(&b, "layout.html", v); err != nil {
		p.Logger.Error("page: template", "page", name, "err", err)
		http.Error(w, "page failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store") // pages hold a user's data
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// mustParseTemplates parses layout.html with each page's template.
func mustParseTemplates() map[string]*template.Template {
	layout := template.Must(template.New("layout.html").ParseFS(templateFS, "templates/layout.html"))
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, file := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(file, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		out[name] = template.Must(template.Must(layout.Clone()).ParseFS(templateFS, file))
	}
	return out
}

// contentSecurityPolicy allows scripts and styles from this server only: no
// inline script runs, so HTML that slipped through escaping cannot execute.
// Inline style attributes are allowed because authors' question HTML (trusted
// content, SPEC §9) carries them; images and media may come from any HTTPS
// host because questions and course videos link to them.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: https:; media-src 'self' https:; frame-src https:; connect-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every page and asset carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}
