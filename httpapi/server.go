// Package httpapi is examhall's REST API: the route table, middleware, and one
// file of thin handlers per resource (read the caller, decode, validate, call the
// domain or the store, respond in Django REST Framework's wire format).
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/auth"
	"github.com/examhall/examhall/exports"
	"github.com/examhall/examhall/itemanalysis"
)

// Pinger tells whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Server holds what the handlers need.
type Server struct {
	Auth     *auth.Service
	Users    examhall.UserStore
	Exams    examhall.ExamStore
	Attempts examhall.AttemptStore
	Import   examhall.ImportStore
	Reports  examhall.ReportStore
	Courses  examhall.CourseStore
	// ContentReports serves the admin chapter content attempts list.
	ContentReports examhall.ContentReportStore
	// Webhooks serves the delivery log and the webhook settings.
	Webhooks examhall.WebhookAdminStore
	// Dashboard serves the staff dashboard's counts, exam statistics and
	// grading queue.
	Dashboard examhall.DashboardStore
	// Changes serves the change feed of the admin attempts list (issue 16).
	Changes examhall.AttemptChangeStore
	// ItemStatistics serves the exams' item analyses (issue 16 §1), cached
	// in memory (itemanalysis.Cache) until their statistics change.
	ItemStatistics examhall.ItemStatisticsStore
	// Timeline serves each attempt's events (issue 16 §3).
	Timeline examhall.TimelineStore
	// Exports runs the export jobs (issue 14, part 5); nil serves none.
	Exports *exports.Service
	DB      Pinger
	// Institute tells the institute's name and time zone as configured now
	// (the store notices a change on any replica; see sqlstore.DB.Institute).
	Institute examhall.InstituteSource
	// BaseURL is the public address used in absolute links (next, previous,
	// *_url); nil means the scheme and Host of each request.
	BaseURL *url.URL
	// AllowedHosts are the Host header values accepted besides the loopback
	// names (see checkHost): host names, ".example.com" for a domain and its
	// subdomains, or "*" for any.
	AllowedHosts []string
	// CORSOrigins are the origins whose scripts may call the API
	// ("https://app.example.com", as browsers send Origin), or ["*"] for
	// any; empty sends no CORS headers (see cors).
	CORSOrigins []string
	// TrustedProxies may set X-Forwarded-For and X-Forwarded-Proto.
	TrustedProxies []netip.Prefix
	MaxBodyBytes   int64
	// Writes, when set, tells whether the write queue is full: a write
	// request is then refused before anything is done for it (shedWrites).
	Writes interface{ WritesFull() bool }
	// MaxInFlight bounds the requests being handled at once (0: no bound);
	// one more is answered 503 with Retry-After at once (see limitInFlight).
	MaxInFlight int
	// MaxImportBytes caps the body of the bundle import, which may be large.
	MaxImportBytes int64
	// Pages, when set, serves every path outside /api/ and the health
	// checks: the web UI (package web), behind the same middleware.
	Pages  http.Handler
	Logger *slog.Logger
	// Metrics, when set, is told of every request and every request shed
	// (package metrics serves them on its own listener).
	Metrics RequestObserver

	// crossOrigin refuses unsafe requests that a browser says come from
	// another origin (Sec-Fetch-Site, else Origin against Host and BaseURL):
	// a cookie is sent by the browser on its own, so a write made with
	// SessionCookie must come from our own pages. Requests with neither
	// header are not from a browser and pass.
	crossOrigin *http.CrossOriginProtection
	// itemAnalysis computes and keeps item analyses from ItemStatistics.
	itemAnalysis *itemanalysis.Cache
}

// Handler returns the API with its middleware.
func (s *Server) Handler() http.Handler {
	s.crossOrigin = http.NewCrossOriginProtection()
	s.itemAnalysis = itemanalysis.New(s.ItemStatistics)
	if s.BaseURL != nil {
		if err := s.crossOrigin.AddTrustedOrigin(s.BaseURL.Scheme + "://" + s.BaseURL.Host); err != nil {
			s.Logger.Warn("base URL is not an origin", "base_url", s.BaseURL.String(), "err", err)
		}
	}
	mux := http.NewServeMux()
	s.routes(mux)
	return strictTransport(s.logRequests(s.recoverPanics(s.checkHost(s.cors(mux, s.shedWrites(s.limitInFlight(withTrailingSlash(s.limitBody(recordRoute(mux))))))))))
}

// routes is the table of every endpoint. Patterns end in "/{$}" (exactly this
// path, nothing below it); requests without the trailing slash are routed as if
// they had it (DRF accepts both).
func (s *Server) routes(mux interface{ Handle(string, http.Handler) }) {
	mux.Handle("/api/", methods{}) // anything else: 404 Not found.
	if s.Pages != nil {
		mux.Handle("/", s.Pages)
	} else {
		mux.Handle("/", methods{})
	}
	mux.Handle("/healthz/{$}", methods{http.MethodGet: s.healthz})
	mux.Handle("/readyz/{$}", methods{http.MethodGet: s.readyz})
	mux.Handle("/api/schema/{$}", methods{http.MethodGet: s.serveSchema})
	mux.Handle("/api/docs/{$}", methods{http.MethodGet: serveDocs("apidocs/index.html", "text/html; charset=utf-8")})
	mux.Handle("/api/docs/redoc.standalone.js/{$}", methods{http.MethodGet: serveDocs("apidocs/redoc.standalone.js", "text/javascript; charset=utf-8")})

	for _, version := range []string{"v2.2", "v2.5", "v3"} {
		mux.Handle("/api/"+version+"/auth-token/{$}", methods{http.MethodPost: checked(s.obtainToken)})
	}

	admin := s.requireRole(examhall.RoleAdmin)
	mux.Handle("/api/v2.5/admin/users/{$}", admin.methods(methods{http.MethodGet: s.listUsers, http.MethodPost: s.createUser}))
	mux.Handle("/api/v2.5/admin/users/{id}/{$}", admin.methods(methods{http.MethodGet: s.getUser,
		http.MethodPatch: s.patchUser, http.MethodDelete: s.deleteByID(s.deleteUser)}))
	mux.Handle(importPath+"{$}", admin.methods(methods{http.MethodPost: s.importBundle}))
	mux.Handle("/api/v2.5/admin/batches/{$}", admin.methods(methods{http.MethodGet: s.listBatches, http.MethodPost: s.createBatch}))
	mux.Handle("/api/v2.5/admin/batches/{id}/{$}", admin.methods(methods{http.MethodPatch: s.renameBatch}))
	mux.Handle("/api/v2.5/admin/webhook-deliveries/{$}", admin.methods(methods{http.MethodGet: s.listWebhookDeliveries}))
	mux.Handle("/api/v2.5/admin/webhook-deliveries/{id}/redeliver/{$}", admin.methods(methods{http.MethodPost: s.redeliverWebhook}))
	mux.Handle("/api/v2.5/admin/settings/webhooks/{$}", admin.methods(methods{http.MethodGet: s.getWebhookSettings,
		http.MethodPatch: s.patchWebhookSettings}))
	mux.Handle("/api/v2.5/admin/exams/{id}/statistics/{$}", admin.methods(methods{http.MethodGet: s.getItemStatistics}))
	if s.Exports != nil {
		mux.Handle(exportsPath+"{$}", admin.methods(methods{http.MethodGet: s.listExports, http.MethodPost: s.createExport}))
		mux.Handle(exportsPath+"{id}/{$}", admin.methods(methods{http.MethodGet: s.getExport}))
		mux.Handle(exportsPath+"{id}/download/{$}", admin.methods(methods{http.MethodGet: s.downloadExport}))
	}

	author := s.requireRole(examhall.RoleAdmin, examhall.RoleStaff)
	mux.Handle("/api/v2.5/admin/subjects/{$}", author.methods(methods{http.MethodGet: s.listSubjects, http.MethodPost: s.createSubject}))
	mux.Handle("/api/v2.5/admin/exams/{$}", author.methods(methods{http.MethodGet: s.listAdminExams, http.MethodPost: s.createExam}))
	mux.Handle("/api/v2.5/admin/subjects/{id}/{$}", author.methods(methods{http.MethodPatch: s.patchSubject,
		http.MethodDelete: s.deleteByID(s.deleteSubject)}))
	mux.Handle("/api/v2.5/admin/exams/{id}/{$}", author.methods(methods{http.MethodGet: s.getExam,
		http.MethodPatch: s.patchExam, http.MethodDelete: s.deleteByID(s.deleteExam)}))
	mux.Handle("/api/v2.5/admin/exams/{id}/sections/{$}", author.methods(methods{http.MethodPost: s.addSection}))
	mux.Handle("/api/v2.5/admin/exams/{id}/questions/{$}", author.methods(methods{http.MethodPost: s.addExamQuestion}))
	mux.Handle("/api/v2.5/admin/exams/{id}/questions/{question}/{$}", author.methods(methods{http.MethodPut: s.changeExamQuestion,
		http.MethodPatch: s.changeExamQuestion, http.MethodDelete: s.deleteExamQuestion}))
	mux.Handle("/api/v2.5/admin/attempts/{$}", admin.methods(methods{http.MethodGet: s.listAdminAttempts}))
	mux.Handle("/api/v2.5/admin/attempts/changes/{$}", admin.methods(methods{http.MethodGet: s.listAttemptChanges}))
	mux.Handle("/api/v2.5/admin/attempts/{id}/{$}", admin.methods(methods{http.MethodGet: s.getAdminAttempt}))
	mux.Handle("/api/v3/admin/attempts/{id}/user_answers/{$}", admin.methods(methods{http.MethodGet: s.listUserAnswers}))
	mux.Handle("/api/v3/admin/attempts/{id}/video-conference/{$}", admin.methods(methods{http.MethodGet: s.listAttendance}))
	mux.Handle("/api/v3/admin/chapter-content-attempts/{$}", admin.methods(methods{http.MethodGet: s.listContentAttempts}))
	mux.Handle("/api/v3/admin/attempts/{id}/events/{$}", admin.methods(methods{http.MethodGet: s.listAttemptEvents}))
	mux.Handle("/api/v3/admin/attempts/{id}/user_answers/{answer}/{$}", author.methods(methods{http.MethodPut: s.gradeAnswer}))
	mux.Handle("/api/v2.5/admin/exam-counts/{$}", author.methods(methods{http.MethodGet: s.listExamCounts}))
	mux.Handle("/api/v2.5/admin/exams/{id}/summary/{$}", author.methods(methods{http.MethodGet: s.getExamSummary}))
	mux.Handle("/api/v2.5/admin/grading-queue/{$}", author.methods(methods{http.MethodGet: s.listGradingQueue}))

	anyone := s.requireRole(examhall.RoleAdmin, examhall.RoleStaff, examhall.RoleStudent)
	mux.Handle("/api/v2.2/exams/{slug}/attempts/{$}", anyone.methods(methods{http.MethodPost: s.startAttempt}))
	mux.Handle("/api/v2.5/session/{$}", methods{http.MethodPost: checked(s.createSession), http.MethodDelete: s.deleteSession})
	mux.Handle("/api/v2.5/me/{$}", anyone.methods(methods{http.MethodGet: s.getMe}))
	mux.Handle("/api/v2.5/me/password/{$}", anyone.methods(methods{http.MethodPut: s.changeOwnPassword}))
	mux.Handle("/api/v2.5/admin/courses/{$}", author.methods(methods{http.MethodGet: s.listAdminCourses, http.MethodPost: s.createCourse}))
	mux.Handle("/api/v2.5/admin/courses/{id}/{$}", author.methods(methods{http.MethodGet: s.getCourse,
		http.MethodPatch: s.patchCourse, http.MethodDelete: s.deleteByID(s.deleteCourse)}))
	mux.Handle("/api/v2.5/admin/courses/{id}/chapters/{$}", author.methods(methods{http.MethodPost: s.addChapter}))
	mux.Handle("/api/v2.5/admin/chapters/{id}/{$}", author.methods(methods{http.MethodPatch: s.patchChapter,
		http.MethodDelete: s.deleteByID(s.deleteChapter)}))
	mux.Handle("/api/v2.5/admin/chapters/{id}/contents/{$}", author.methods(methods{http.MethodPost: s.addContent}))
	mux.Handle("/api/v2.5/admin/chapter-contents/{id}/{$}", author.methods(methods{http.MethodPatch: s.patchContent,
		http.MethodDelete: s.deleteByID(s.deleteContent)}))
	mux.Handle("/api/v2.5/courses/{$}", anyone.methods(methods{http.MethodGet: s.listCourses}))
	mux.Handle("/api/v2.5/courses/{id}/contents/{$}", anyone.methods(methods{http.MethodGet: s.getCourse}))
	mux.Handle("/api/v2.5/chapter-contents/{id}/attempts/{$}", anyone.methods(methods{http.MethodPost: s.openContent}))
	mux.Handle("/api/v2.5/content-attempts/{$}", anyone.methods(methods{http.MethodGet: s.listOwnContentAttempts}))
	mux.Handle("/api/v2.5/content-attempts/{id}/video-progress/{$}", anyone.methods(methods{http.MethodPut: s.contentStep(videoProgressStep)}))
	mux.Handle("/api/v2.5/content-attempts/{id}/complete/{$}", anyone.methods(methods{http.MethodPut: s.contentStep(completeStep)}))
	mux.Handle("/api/v2.5/content-attempts/{id}/join/{$}", anyone.methods(methods{http.MethodPut: s.contentStep(joinStep)}))
	mux.Handle("/api/v2.5/content-attempts/{id}/leave/{$}", anyone.methods(methods{http.MethodPut: s.contentStep(leaveStep)}))
	mux.Handle("/api/v2.2/exams/{$}", anyone.methods(methods{http.MethodGet: s.listExams(examhall.ExamsAll)}))
	mux.Handle("/api/v2.2/exams/available/{$}", anyone.methods(methods{http.MethodGet: s.listExams(examhall.ExamsAvailable)}))
	mux.Handle("/api/v2.2/exams/upcoming/{$}", anyone.methods(methods{http.MethodGet: s.listExams(examhall.ExamsUpcoming)}))
	mux.Handle("/api/v2.2/exams/history/{$}", anyone.methods(methods{http.MethodGet: s.listExams(examhall.ExamsHistory)}))
	mux.Handle("/api/v2.2/exams/{slug}/{$}", anyone.methods(methods{http.MethodGet: s.getStudentExam}))
	mux.Handle("/api/v2.2/attempts/{$}", anyone.methods(methods{http.MethodGet: s.listAttempts}))
	mux.Handle("/api/v2.2/attempts/{id}/{$}", anyone.methods(methods{http.MethodGet: s.getAttempt}))
	mux.Handle("/api/v2.2/attempts/{id}/start/{$}", anyone.methods(methods{http.MethodPut: s.attemptStep(resumeStep)}))
	mux.Handle("/api/v2.2/attempts/{id}/heartbeat/{$}", anyone.methods(methods{http.MethodPut: s.attemptStep(heartbeatStep)}))
	mux.Handle("/api/v2.2/attempts/{id}/end/{$}", anyone.methods(methods{http.MethodPut: s.attemptStep(endStep)}))
	mux.Handle("/api/v2.2/attempts/{id}/questions/{$}", anyone.methods(methods{http.MethodGet: s.listAttemptQuestions(false)}))
	mux.Handle("/api/v2.2/attempts/{id}/questions/{item}/{$}", anyone.methods(methods{http.MethodPut: s.saveAnswer}))
	mux.Handle("/api/v2.2/attempts/{id}/review/{$}", anyone.methods(methods{http.MethodGet: s.listAttemptQuestions(true)}))
	mux.Handle("/api/v2.2/attempts/{id}/events/{$}", anyone.methods(methods{http.MethodPost: s.recordClientEvent}))
}

// methods routes a path by request method; other methods get DRF's 405. HEAD is
// answered as GET, and OPTIONS as DRF's APIView answers it (options).
type methods map[string]http.HandlerFunc

func (m methods) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if len(m) == 0 {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	if r.Method == http.MethodOptions {
		m.options(w, r)
		return
	}
	h, ok := m.handler(r.Method)
	if !ok {
		w.Header().Set("Allow", strings.Join(m.allowed(), ", "))
		writeDetail(w, http.StatusMethodNotAllowed, `Method "`+r.Method+`" not allowed.`)
		return
	}
	h(w, r)
}

// allowed is the route's methods in the order and spelling of DRF's Allow
// header (APIView.allowed_methods: http_method_names order, HEAD wherever GET
// is, OPTIONS always); nil for a route that does not exist.
func (m methods) allowed() []string {
	if len(m) == 0 {
		return nil
	}
	allow := make([]string, 0, len(m)+2)
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if _, ok := m[method]; ok {
			allow = append(allow, method)
		}
	}
	if _, ok := m[http.MethodGet]; ok {
		allow = append(allow, http.MethodHead)
	}
	return append(allow, http.MethodOptions)
}

// handler is the handler of method, HEAD answered as GET.
func (m methods) handler(method string) (http.HandlerFunc, bool) {
	h, ok := m[method]
	if !ok && method == http.MethodHead {
		h, ok = m[http.MethodGet]
	}
	return h, ok
}

// location is the institute's time zone, which renders every datetime and
// interprets date-only parameters (SPEC §2).
func (s *Server) location() *time.Location { return s.Institute.Institute().Location }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if err := s.DB.Ping(r.Context()); err != nil {
		if clientGone(r, err) {
			recordClientGone(w, err)
			return
		}
		s.Logger.Error("readiness check failed", "err", err, "request_id", requestID(r.Context()))
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}
