package httpapi_test

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// TestTextBounds: names and keys are bounded (Django's max_length where it
// has one), with a 400 naming the field, the same on both engines: a
// 6,000-character username, email or batch used to be a 500 on PostgreSQL
// (an index entry too large) and stored on SQLite (issue 10, faults 5 and 7).
func TestTextBounds(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		admin := "JWT " + a.token("admin")
		// Random letters: PostgreSQL compresses a repeated letter below its
		// index limit.
		rng := rand.New(rand.NewPCG(1, 2))
		var b strings.Builder
		for range 6000 {
			b.WriteByte(byte('a' + rng.IntN(26)))
		}
		long := b.String()
		more := func(n int) string {
			return `["Ensure this field has no more than ` + strconv.Itoa(n) + ` characters."]`
		}
		section := `"sections": [{"name": "A", "questions": [{"type": "essay", "question_html": "e"}]}]`
		for _, tt := range []struct {
			name, method, path, token, body string
			status                          int
			want                            string
		}{
			{"login, long username", "POST", "/api/v2.5/auth-token/", "", `{"username": "` + long + `", "password": "x"}`, 400,
				`{"non_field_errors":["Unable to log in with provided credentials."]}`},
			{"login, long username again", "POST", "/api/v2.5/auth-token/", "", `{"username": "` + long + `", "password": "x"}`, 400,
				`{"non_field_errors":["Unable to log in with provided credentials."]}`},
			{"user, long email", "POST", "/api/v2.5/admin/users/", admin, `{"username": "u1", "email": "a@` + long + `"}`, 400,
				`{"email":` + more(254) + `}`},
			{"user, long names and phone", "POST", "/api/v2.5/admin/users/", admin,
				`{"username": "u1", "first_name": "` + long + `", "last_name": "` + long + `", "phone": "` + long + `"}`, 400,
				`{"first_name":` + more(150) + `,"last_name":` + more(150) + `,"phone":` + more(32) + `}`},
			{"user, long batch", "POST", "/api/v2.5/admin/users/", admin, `{"username": "u1", "batches": ["ok", "` + long + `"]}`, 400,
				`{"batches[1]":` + more(100) + `}`},
			{"user, long username", "POST", "/api/v2.5/admin/users/", admin, `{"username": "` + long + `"}`, 400,
				`{"username":` + more(150) + `}`},
			{"exam, long slug and title", "POST", "/api/v2.5/admin/exams/", admin,
				`{"slug": "` + long + `", "title": "` + long + `", ` + section + `}`, 400,
				`{"slug":` + more(100) + `,"title":` + more(255) + `}`},
			{"exam, long batch", "POST", "/api/v2.5/admin/exams/", admin,
				`{"slug": "e", "title": "E", "batches": ["` + long + `"], ` + section + `}`, 400, `{"batches[0]":` + more(100) + `}`},
			{"course, long slug", "POST", "/api/v2.5/admin/courses/", admin, `{"slug": "` + long + `", "title": "C"}`, 400,
				`{"slug":` + more(100) + `}`},
			{"subject, long name", "POST", "/api/v2.5/admin/subjects/", admin, `{"name": "` + long + `"}`, 400,
				`{"name":` + more(255) + `}`},
			{"bundle, long subject key", "POST", "/api/v2.5/admin/import/", admin,
				`{"format": "examhall-bundle/1", "subjects": [{"key": "` + long + `", "name": "S"}]}`, 400,
				`{"subjects[0] \"` + long + `\".key":` + more(100) + `}`},
			{"bundle, long question key", "POST", "/api/v2.5/admin/import/", admin,
				`{"format": "examhall-bundle/1", "exams": [{"slug": "b", "title": "B", "sections": [{"name": "A", "questions": [
					{"key": "` + long + `", "type": "essay", "question_html": "e"}]}]}]}`, 400,
				`{"exams[0] \"b\".sections[0].questions[0] \"` + long + `\".key":` + more(100) + `}`},
		} {
			got := a.do(tt.method, tt.path, tt.token, "application/json", tt.body)
			if got.status != tt.status || got.body != tt.want {
				t.Errorf("%s: %d %.400s\nwant %d %.400s", tt.name, got.status, got.body, tt.status, tt.want)
			}
		}
		var users struct{ Count int }
		a.must(200, "GET", "/api/v2.5/admin/users/", a.token("admin"), nil, &users)
		if users.Count != 1 {
			t.Errorf("%d users after refused creations, want 1", users.Count)
		}
	})
}
