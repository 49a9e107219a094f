package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/examhall/examhall"
)

type contextKey int

const (
	requestIDKey contextKey = iota
	userKey
	requestLogKey
)

// requestLog is what the request log line learns from inside the handler:
// the route matched (recordRoute) and the caller (noteCaller).
type requestLog struct {
	route   string // the route's pattern, "/api/v2.2/attempts/{id}/"; "" when none matched
	pattern string // the same as ServeMux wrote it ("…/{$}"), the metrics' route label
	userID  int64  // 0: anonymous
}

// noteCaller records u as the caller of r in its request log line.
func noteCaller(r *http.Request, u *examhall.User) {
	if l, ok := r.Context().Value(requestLogKey).(*requestLog); ok && u != nil {
		l.userID = u.ID
	}
}

// recordRoute records the pattern that mux matched in the request log
// line; ServeMux sets r.Pattern on the request it is given.
func recordRoute(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { // also when the handler panics
			if l, ok := r.Context().Value(requestLogKey).(*requestLog); ok {
				l.route, l.pattern = strings.TrimSuffix(r.Pattern, "{$}"), r.Pattern
			}
		}()
		mux.ServeHTTP(w, r)
	})
}

// isHealthProbe tells whether path is /healthz or /readyz, with or without
// its slash.
func isHealthProbe(path string) bool {
	p := strings.TrimSuffix(path, "/")
	return p == "/healthz" || p == "/readyz"
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// caller is the authenticated user; requireRole puts it in the context. It
// comes without batches (Batches nil): a handler that needs them loads them.
func caller(r *http.Request) *examhall.User {
	u, _ := r.Context().Value(userKey).(*examhall.User)
	return u
}

// statusRecorder remembers the status a handler wrote, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status     int
	clientGone error // why the handler stopped when its client went away (status 499)
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequests gives each request an id (the client's X-Request-Id when sent),
// returns it in X-Request-Id and logs the request when it ends: method, path,
// route pattern, status, duration, user_id (when authenticated) and
// request_id; a request whose client went away is logged with status 499 and
// client_gone=true. Health probes (/healthz, /readyz) that pass, sent every
// few seconds by load balancers and orchestrators, are logged at debug level;
// a failed probe, or one whose prober gave up waiting, is news and is logged
// at info with the rest. Headers and bodies, which hold tokens and passwords, are never logged.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			var b [8]byte
			rand.Read(b[:]) //nolint:errcheck // never fails
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		info := &requestLog{}
		start := time.Now()
		ctx := context.WithValue(context.WithValue(r.Context(), requestIDKey, id), requestLogKey, info)
		next.ServeHTTP(rec, r.WithContext(ctx))
		if s.Metrics != nil {
			s.Metrics.ObserveRequest(info.pattern, r.Method, rec.status, time.Since(start))
		}
		attrs := make([]slog.Attr, 0, 9)
		attrs = append(attrs, slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("route", info.route),
			slog.Int("status", rec.status), slog.Duration("duration", time.Since(start)), slog.String("request_id", id))
		if info.userID != 0 {
			attrs = append(attrs, slog.Int64("user_id", info.userID))
		}
		if rec.clientGone != nil {
			attrs = append(attrs, slog.Bool("client_gone", true), slog.Any("err", rec.clientGone))
		}
		level := slog.LevelInfo
		if isHealthProbe(r.URL.Path) && rec.status < 400 && rec.clientGone == nil {
			level = slog.LevelDebug
		}
		s.Logger.LogAttrs(r.Context(), level, "request", attrs...)
	})
}

// recoverPanics turns a panicking handler into a logged 500 with a safe
// body; the log holds the panic's value and the goroutine's stack.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Logger.Error("panic", "value", v, "method", r.Method, "path", r.URL.Path,
					"request_id", requestID(r.Context()), "stack", string(debug.Stack()))
				writeDetail(w, http.StatusInternalServerError, "A server error occurred.")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// strictTransport tells browsers, on every response over TLS, to use only
// HTTPS for this host for a year (HSTS, RFC 6797). Over plain HTTP it says
// nothing: a browser ignores the header there (RFC 6797 §8.1), and a
// TLS-terminating proxy in front sets its own.
func strictTransport(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil {
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// withTrailingSlash routes /a/b as /a/b/: every route is written with the slash.
func withTrailingSlash(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, slashed(r))
	})
}

// slashed is r, or a copy of r whose path ends in "/".
func slashed(r *http.Request) *http.Request {
	if strings.HasSuffix(r.URL.Path, "/") {
		return r
	}
	r2 := *r
	u := *r.URL
	u.Path += "/"
	if u.RawPath != "" {
		u.RawPath += "/"
	}
	r2.URL = &u
	return &r2
}

// importPath is the one endpoint that takes bodies above MaxBodyBytes.
const importPath = "/api/v2.5/admin/import/"

// limitBody caps request bodies at MaxBodyBytes (MaxImportBytes for imports).
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := s.MaxBodyBytes
		if r.URL.Path == importPath {
			limit = s.MaxImportBytes
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// guard wraps a handler so that only some callers reach it (requireRole).
type guard func(http.HandlerFunc) http.HandlerFunc

// methods guards every method of a route. A method the route lacks is
// guarded too: DRF authenticates and checks permissions before it looks for
// the method's handler, so an unauthenticated request gets 401 (and a
// student on an admin path 403) whatever its method, and only a caller who
// may use the route learns which methods it has (405).
func (g guard) methods(m methods) http.Handler {
	guarded := methods{}
	for method, h := range m {
		guarded[method] = g(checked(h)) // text after authentication, as DRF reads input in the view
	}
	notAllowed := g(func(w http.ResponseWriter, r *http.Request) { m.ServeHTTP(w, r) })
	return guardedRoute{route: m, serve: func(w http.ResponseWriter, r *http.Request) {
		if _, ok := guarded.handler(r.Method); !ok {
			notAllowed(w, r) // OPTIONS too: DRF answers it only to those who pass
			return
		}
		guarded.ServeHTTP(w, r)
	}}
}

// guardedRoute is a route behind a guard; it still tells its methods, for
// the CORS preflight (which carries no credentials) and the OpenAPI test's
// walk of the route table.
type guardedRoute struct {
	route methods
	serve http.HandlerFunc
}

func (g guardedRoute) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.serve(w, r) }
func (g guardedRoute) allowed() []string                                { return g.route.allowed() }

// requireRole returns a guard that lets a request through only with a valid
// token of a user with one of roles: no credentials or a refused token → 401,
// another role → 403. The Authorization header is "JWT <token>" (or "Bearer
// <token>"); its errors are those of djangorestframework-jwt.
func (s *Server) requireRole(roles ...examhall.Role) guard {
	return func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			u, session, err := s.authenticate(r)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			noteCaller(r, u)
			for _, role := range roles {
				if u.Role == role {
					ctx := context.WithValue(r.Context(), userKey, u)
					if session {
						ctx = withSession(ctx)
					}
					next(w, r.WithContext(ctx))
					return
				}
			}
			writeDetail(w, http.StatusForbidden, "You do not have permission to perform this action.")
		}
	}
}

// authenticate finds the caller from the Authorization header or, when
// there is none, from SessionCookie (session is then true).
func (s *Server) authenticate(r *http.Request) (u *examhall.User, session bool, err error) {
	header := r.Header.Get("Authorization")
	if header == "" {
		if _, err := r.Cookie(SessionCookie); err == nil {
			u, err := s.sessionUser(r)
			return u, true, err
		}
	}
	fields := strings.Fields(header)
	if len(fields) == 0 || (!strings.EqualFold(fields[0], "JWT") && !strings.EqualFold(fields[0], "Bearer")) {
		return nil, false, examhall.Errorf(examhall.EUNAUTHORIZED, "Authentication credentials were not provided.")
	}
	switch len(fields) {
	case 1:
		return nil, false, examhall.Errorf(examhall.EUNAUTHORIZED, "Invalid Authorization header. No credentials provided.")
	case 2:
		u, err := s.Auth.Authenticate(r.Context(), fields[1])
		return u, false, err
	default:
		return nil, false, examhall.Errorf(examhall.EUNAUTHORIZED, "Invalid Authorization header. Credentials string should not contain spaces.")
	}
}

// errBusy answers a request over MaxInFlight.
var errBusy = &examhall.Error{Code: examhall.EUNAVAILABLE, RetryAfter: time.Second,
	Message: "The server is busy; nothing was done. Please try again in a moment."}

// limitInFlight answers a request at once with 503 and Retry-After when
// MaxInFlight requests are being handled already: a request being handled
// holds a goroutine's deep stack and its buffers, so memory is bounded by
// this number, not by the offered load (10,000 students ending at the same
// second took 350 MB more). /healthz and /readyz are never refused.
func (s *Server) limitInFlight(next http.Handler) http.Handler {
	if s.MaxInFlight <= 0 {
		return next
	}
	slots := make(chan struct{}, s.MaxInFlight)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isHealthProbe(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			next.ServeHTTP(w, r)
		default:
			if s.Metrics != nil {
				s.Metrics.ObserveShed(ShedInFlightLimit)
			}
			s.writeError(w, r, errBusy)
		}
	})
}

// shedWrites refuses a write request (any method but GET, HEAD and
// OPTIONS; logins aside, which write only when they fail) with the store's
// 503 while the write queue is full, before authentication, decoding or
// any statement: under overload a refusal must cost next to nothing, or
// refusing is what saturates the server. The store refuses a write that
// finds the queue full anyway; this only answers sooner.
func (s *Server) shedWrites(next http.Handler) http.Handler {
	if s.Writes == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			if !strings.HasSuffix(strings.TrimSuffix(r.URL.Path, "/"), "/auth-token") && s.Writes.WritesFull() {
				if s.Metrics != nil {
					s.Metrics.ObserveShed(ShedWriteQueueFull)
				}
				s.writeError(w, r, examhall.ErrWritesFull)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
