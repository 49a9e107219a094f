package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/examhall/examhall/sqlstore"
)

// FuzzQueryFilters sends arbitrary query strings to every list endpoint that
// reads filters, ordering, paging or cursors, on SQLite and (when
// EXAMHALL_TEST_POSTGRES is set) PostgreSQL: whatever the query, the answer
// is never a 5xx (nor a panic, which the server turns into a 500).
//
// Run it with: go test -run '^$' -fuzz '^FuzzQueryFilters$' -fuzztime 60s ./httpapi/
func FuzzQueryFilters(f *testing.F) {
	fixtures := []*inputFixture{newInputFixture(f, sqlstore.SQLite)}
	if os.Getenv("EXAMHALL_TEST_POSTGRES") != "" {
		fixtures = append(fixtures, newInputFixture(f, sqlstore.Postgres))
	}
	type endpoint struct {
		path  string
		admin bool
		seed  string
	}
	x := fixtures[0]
	endpoints := []endpoint{
		{"/api/v2.5/admin/attempts/", true, "users=2&exams=1&state=0&date_0=2026-01-01&date_1=2026-01-31&ordering=-id,date&page_size=5&page=2&snapshot=9&cursor=3.1"},
		{"/api/v2.5/admin/attempts/", true, "ordering=correct_answers_count,-unanswered_count&page=last&page_size=1000"},
		{"/api/v3/admin/chapter-content-attempts/", true, "user_ids=1,2&chapter_ids=1&course_ids=1&chapter_content_ids=1&exam_id=1&content_type=3&state=1&completed_date=2026-01-02&completed_before=2026-02-01&completed_after=2025-12-31&cursor=1&page=2&page_size=1"},
		{"/api/v2.5/admin/exams/", true, "ordering=-start_date&start_date=2026-01-01&end_date=2026-12-31&status=running&subject=1&batch=NEET%202027&page_size=2"},
		{"/api/v2.5/admin/users/", true, "q=a%25_&email=asha@example.com&page=1&page_size=1"},
		{fmt.Sprintf("/api/v3/admin/attempts/%d/user_answers/", x.importedAttempt), true, "page=2&page_size=1"},
		{"/api/v3/admin/attempts/1/video-conference/", true, "page=1"},
		{"/api/v2.2/exams/", false, "page=1&page_size=100"},
		{"/api/v2.2/exams/available/", false, "page=last"},
		{"/api/v2.2/attempts/", false, "page=2&page_size=1"},
		{fmt.Sprintf("/api/v2.2/attempts/%d/questions/", x.attemptID), false, "page=1&page_size=250"},
		{"/api/v2.5/courses/", false, "page=1"},
		{"/api/v2.5/content-attempts/", false, "course_ids=1&state=1&content_type=3&page_size=1&page=2"},
		{"/api/v2.2/exams/history/", false, "page=1&page_size=1"},
	}
	for i, e := range endpoints {
		f.Add(uint8(i), e.seed)
	}
	f.Fuzz(func(t *testing.T, which uint8, query string) {
		e := endpoints[int(which)%len(endpoints)]
		for _, x := range fixtures {
			req, err := http.NewRequest("GET", x.a.server.URL+e.path+"?"+query, nil)
			if err != nil {
				return // not a request a client can send
			}
			token := x.asha
			if e.admin {
				token = x.admin
			}
			req.Header.Set("Authorization", "JWT "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			answer, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode >= 500 {
				t.Fatalf("GET %s?%s: %d %s", e.path, query, resp.StatusCode, answer)
			}
		}
	})
}
