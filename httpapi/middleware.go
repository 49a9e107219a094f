package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/examhall/examhall"
)

type contextKey int

const (
	requestIDKey contextKey = iota
	userKey
)

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
	clientGone error  // why the handler stopped when its client went away (status 499)
	route      string // the ServeMux pattern that served the request (recordRoute); "" before routing
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequests gives each request an id (the client's X-Request-Id when sent),
// returns it in X-Request-Id and logs the request when it ends; a request
// whose client went away is logged with status 499 and client_gone=true.
// Headers and bodies, which hold tokens and passwords, are never logged.
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
		start := time.Now()
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
		if s.Metrics != nil {
			s.Metrics.ObserveRequest(rec.route, r.Method, rec.status, time.Since(start))
		}
		if rec.clientGone != nil {
			s.Logger.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
				"duration", time.Since(start), "request_id", id, "client_gone", true, "err", rec.clientGone)
			return
		}
		s.Logger.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
			"duration", time.Since(start), "request_id", id)
	})
}

// recordRoute keeps the pattern that mux routed the request to in the
// request's statusRecorder, for the metrics: ServeMux sets r.Pattern on the
// request it is given. Deferred, so that a handler that panics is counted
// under its route too.
func recordRoute(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rec, ok := w.(*statusRecorder); ok {
			defer func() { rec.route = r.Pattern }()
		}
		mux.ServeHTTP(w, r)
	})
}

// recoverPanics turns a panicking handler into a logged 500 with a safe body.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Logger.Error("panic", "value", v, "method", r.Method, "path", r.URL.Path,
					"request_id", requestID(r.Context()))
				writeDetail(w, http.StatusInternalServerError, "A server error occurred.")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// withTrailingSlash routes /a/b as /a/b/: every route is written with the slash.
func withTrailingSlash(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/") {
			r2 := *r
			u := *r.URL
			u.Path += "/"
			if u.RawPath != "" {
				u.RawPath += "/"
			}
			r2.URL = &u
			r = &r2
		}
		next.ServeHTTP(w, r)
	})
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
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := guarded.handler(r.Method); !ok {
			notAllowed(w, r)
			return
		}
		guarded.ServeHTTP(w, r)
	})
}

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
		if p := strings.TrimSuffix(r.URL.Path, "/"); p == "/healthz" || p == "/readyz" {
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
