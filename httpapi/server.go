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

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/auth"
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
	Import   Importer
	Reports  examhall.ReportStore
	Courses  examhall.CourseStore
	// ContentReports serves the admin chapter content attempts list.
	ContentReports examhall.ContentReportStore
	DB             Pinger
	Institute      examhall.Institute
	// BaseURL is the public address used in absolute links (next, previous,
	// *_url); nil means the scheme and Host of each request.
	BaseURL *url.URL
	// TrustedProxies may set X-Forwarded-For and X-Forwarded-Proto.
	TrustedProxies []netip.Prefix
	MaxBodyBytes   int64
	// MaxImportBytes caps the body of the bundle import, which may be large.
	MaxImportBytes int64
	Logger         *slog.Logger
}

// Handler returns the API with its middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	return s.logRequests(s.recoverPanics(withTrailingSlash(checkText(s.limitBody(mux)))))
}

// routes is the table of every endpoint. Patterns end in "/{$}" (exactly this
// path, nothing below it); requests without the trailing slash are routed as if
// they had it (DRF accepts both).
func (s *Server) routes(mux *http.ServeMux) {
	mux.Handle("/", methods{}) // anything else: 404 Not found.
	mux.Handle("/healthz/{$}", methods{http.MethodGet: s.healthz})
	mux.Handle("/readyz/{$}", methods{http.MethodGet: s.readyz})

	for _, version := range []string{"v2.2", "v2.5", "v3"} {
		mux.Handle("/api/"+version+"/auth-token/{$}", methods{http.MethodPost: s.obtainToken})
	}

	admin := s.requireRole(examhall.RoleAdmin)
	mux.Handle("/api/v2.5/admin/users/{$}", methods{http.MethodGet: admin(s.listUsers), http.MethodPost: admin(s.createUser)})
	mux.Handle("/api/v2.5/admin/users/{id}/{$}", methods{http.MethodGet: admin(s.getUser),
		http.MethodPatch: admin(s.patchUser), http.MethodDelete: admin(s.deleteByID(s.deleteUser))})
	mux.Handle(importPath+"{$}", methods{http.MethodPost: admin(s.importBundle)})

	author := s.requireRole(examhall.RoleAdmin, examhall.RoleStaff)
	mux.Handle("/api/v2.5/admin/subjects/{$}", methods{http.MethodGet: author(s.listSubjects), http.MethodPost: author(s.createSubject)})
	mux.Handle("/api/v2.5/admin/exams/{$}", methods{http.MethodGet: author(s.listAdminExams), http.MethodPost: author(s.createExam)})
	mux.Handle("/api/v2.5/admin/subjects/{id}/{$}", methods{http.MethodPatch: author(s.patchSubject),
		http.MethodDelete: author(s.deleteByID(s.deleteSubject))})
	mux.Handle("/api/v2.5/admin/exams/{id}/{$}", methods{http.MethodGet: author(s.getExam),
		http.MethodPatch: author(s.patchExam), http.MethodDelete: author(s.deleteByID(s.deleteExam))})
	mux.Handle("/api/v2.5/admin/exams/{id}/sections/{$}", methods{http.MethodPost: author(s.addSection)})
	mux.Handle("/api/v2.5/admin/exams/{id}/questions/{$}", methods{http.MethodPost: author(s.addExamQuestion)})
	mux.Handle("/api/v2.5/admin/exams/{id}/questions/{question}/{$}", methods{http.MethodPut: author(s.changeExamQuestion),
		http.MethodDelete: author(s.deleteExamQuestion)})
	mux.Handle("/api/v2.5/admin/attempts/{$}", methods{http.MethodGet: admin(s.listAdminAttempts)})
	mux.Handle("/api/v2.5/admin/attempts/{id}/{$}", methods{http.MethodGet: admin(s.getAdminAttempt)})
	mux.Handle("/api/v3/admin/attempts/{id}/user_answers/{$}", methods{http.MethodGet: admin(s.listUserAnswers)})
	mux.Handle("/api/v3/admin/attempts/{id}/video-conference/{$}", methods{http.MethodGet: admin(s.listAttendance)})
	mux.Handle("/api/v3/admin/chapter-content-attempts/{$}", methods{http.MethodGet: admin(s.listContentAttempts)})
	mux.Handle("/api/v3/admin/attempts/{id}/user_answers/{answer}/{$}", methods{http.MethodPut: author(s.gradeAnswer)})

	anyone := s.requireRole(examhall.RoleAdmin, examhall.RoleStaff, examhall.RoleStudent)
	mux.Handle("/api/v2.2/exams/{slug}/attempts/{$}", methods{http.MethodPost: anyone(s.startAttempt)})
	mux.Handle("/api/v2.5/admin/courses/{$}", methods{http.MethodPost: author(s.createCourse)})
	mux.Handle("/api/v2.5/admin/courses/{id}/{$}", methods{http.MethodGet: author(s.getCourse),
		http.MethodPatch: author(s.patchCourse), http.MethodDelete: author(s.deleteByID(s.deleteCourse))})
	mux.Handle("/api/v2.5/admin/courses/{id}/chapters/{$}", methods{http.MethodPost: author(s.addChapter)})
	mux.Handle("/api/v2.5/admin/chapters/{id}/{$}", methods{http.MethodPatch: author(s.patchChapter),
		http.MethodDelete: author(s.deleteByID(s.deleteChapter))})
	mux.Handle("/api/v2.5/admin/chapters/{id}/contents/{$}", methods{http.MethodPost: author(s.addContent)})
	mux.Handle("/api/v2.5/admin/chapter-contents/{id}/{$}", methods{http.MethodPatch: author(s.patchContent),
		http.MethodDelete: author(s.deleteByID(s.deleteContent))})
	mux.Handle("/api/v2.5/courses/{$}", methods{http.MethodGet: anyone(s.listCourses)})
	mux.Handle("/api/v2.5/courses/{id}/contents/{$}", methods{http.MethodGet: anyone(s.getCourse)})
	mux.Handle("/api/v2.5/chapter-contents/{id}/attempts/{$}", methods{http.MethodPost: anyone(s.openContent)})
	mux.Handle("/api/v2.5/content-attempts/{id}/video-progress/{$}", methods{http.MethodPut: anyone(s.contentStep(videoProgressStep))})
	mux.Handle("/api/v2.5/content-attempts/{id}/complete/{$}", methods{http.MethodPut: anyone(s.contentStep(completeStep))})
	mux.Handle("/api/v2.5/content-attempts/{id}/join/{$}", methods{http.MethodPut: anyone(s.contentStep(joinStep))})
	mux.Handle("/api/v2.5/content-attempts/{id}/leave/{$}", methods{http.MethodPut: anyone(s.contentStep(leaveStep))})
	mux.Handle("/api/v2.2/exams/{$}", methods{http.MethodGet: anyone(s.listExams(examhall.ExamsAll))})
	mux.Handle("/api/v2.2/exams/available/{$}", methods{http.MethodGet: anyone(s.listExams(examhall.ExamsAvailable))})
	mux.Handle("/api/v2.2/exams/upcoming/{$}", methods{http.MethodGet: anyone(s.listExams(examhall.ExamsUpcoming))})
	mux.Handle("/api/v2.2/exams/history/{$}", methods{http.MethodGet: anyone(s.listExams(examhall.ExamsHistory))})
	mux.Handle("/api/v2.2/exams/{slug}/{$}", methods{http.MethodGet: anyone(s.getStudentExam)})
	mux.Handle("/api/v2.2/attempts/{$}", methods{http.MethodGet: anyone(s.listAttempts)})
	mux.Handle("/api/v2.2/attempts/{id}/{$}", methods{http.MethodGet: anyone(s.getAttempt)})
	mux.Handle("/api/v2.2/attempts/{id}/start/{$}", methods{http.MethodPut: anyone(s.attemptStep(resumeStep))})
	mux.Handle("/api/v2.2/attempts/{id}/heartbeat/{$}", methods{http.MethodPut: anyone(s.attemptStep(heartbeatStep))})
	mux.Handle("/api/v2.2/attempts/{id}/end/{$}", methods{http.MethodPut: anyone(s.attemptStep(endStep))})
	mux.Handle("/api/v2.2/attempts/{id}/questions/{$}", methods{http.MethodGet: anyone(s.listAttemptQuestions(false))})
	mux.Handle("/api/v2.2/attempts/{id}/questions/{item}/{$}", methods{http.MethodPut: anyone(s.saveAnswer)})
	mux.Handle("/api/v2.2/attempts/{id}/review/{$}", methods{http.MethodGet: anyone(s.listAttemptQuestions(true))})
}

// methods routes a path by request method; other methods get DRF's 405. HEAD is
// answered as GET.
type methods map[string]http.HandlerFunc

func (m methods) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if len(m) == 0 {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	h, ok := m[r.Method]
	if !ok && r.Method == http.MethodHead {
		h, ok = m[http.MethodGet]
	}
	if !ok {
		allow := make([]string, 0, len(m))
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if _, ok := m[method]; ok {
				allow = append(allow, method)
			}
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeDetail(w, http.StatusMethodNotAllowed, `Method "`+r.Method+`" not allowed.`)
		return
	}
	h(w, r)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if err := s.DB.Ping(r.Context()); err != nil {
		s.Logger.Error("readiness check failed", "err", err, "request_id", requestID(r.Context()))
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}
