package httpapi_test

import (
	"fmt"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/httpapi"
	"github.com/examhall/examhall/metrics"
	"github.com/examhall/examhall/sqlstore"
)

// BenchmarkSaveAnswerMetrics is the answer save over HTTP (SQLite) without
// and with the metrics middleware, to see that counting a request by its
// route costs nothing measurable beside the request itself (no timing is
// asserted; compare the two lines).
func BenchmarkSaveAnswerMetrics(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run(fmt.Sprintf("metrics=%v", on), func(b *testing.B) {
			a := newTestAPIWith(b, sqlstore.SQLite, func(s *httpapi.Server) {
				if on {
					s.Metrics = metrics.New(nil)
				}
			})
			a.addUser("admin", examhall.RoleAdmin)
			a.addUser("asha", examhall.RoleStudent)
			admin, student := a.token("admin"), a.token("asha")
			a.must(201, "POST", "/api/v2.5/admin/exams/", admin, map[string]any{
				"slug": "hot", "title": "Hot", "duration": "100:00:00", "published": true,
				"sections": []map[string]any{{"name": "One", "questions": []map[string]any{
					{"type": "numerical", "question_html": "<p>q</p>", "numerical_min": "1", "numerical_max": "1"},
				}}},
			}, nil)
			var attempt struct{ ID int64 }
			a.must(201, "POST", "/api/v2.2/exams/hot/attempts/", student, nil, &attempt)
			var page struct{ Results []e2eItem }
			a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/questions/", attempt.ID), student, nil, &page)
			path := fmt.Sprintf("/api/v2.2/attempts/%d/questions/%d/", attempt.ID, page.Results[0].ID)
			body := map[string]any{"numeric_value": "1"}
			b.ResetTimer()
			for b.Loop() {
				a.must(200, "PUT", path, student, body, nil)
			}
		})
	}
}
