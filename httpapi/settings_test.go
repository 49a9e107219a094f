package httpapi_test

import (
	"fmt"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// TestInstituteSettingsApplyAtOnce imports a bundle that changes the
// institute's time zone through one replica; both replicas render dates and
// read date-only filters in the new zone on their very next request (issue
// 10, fault 1: they used to keep the zone read at start-up).
func TestInstituteSettingsApplyAtOnce(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine) // Asia/Kolkata
		b := a.replica()
		admin := a.addUser("admin", examhall.RoleAdmin)
		token := "JWT " + a.token("admin")
		// Started 2026-01-06 00:30 UTC: Jan 6 06:00 in Kolkata, Jan 5 21:30 in São Paulo.
		bundle := func(tz string) string {
			return `{"format": "examhall-bundle/1", "institute": {"name": "Academy ` + tz + `", "timezone": "` + tz + `"},
				"users": [{"username": "asha", "email": "asha@example.com", "role": "student"}],
				"exams": [{"slug": "m", "title": "M", "published": true, "sections": [{"name": "A", "questions": [
					{"key": "q", "type": "numerical", "question_html": "q", "numerical_min": "1", "numerical_max": "1"}]}]}],
				"attempts": [{"exam": "m", "user": "asha", "started": "2026-01-06T00:30:00Z", "completed": "2026-01-06T00:40:00Z",
					"answers": [{"question": "q", "value": "1"}]}]}`
		}
		dates := func(api *testAPI, query string) string {
			t.Helper()
			var page struct {
				Count   int
				Results []struct{ Date string }
			}
			api.must(200, "GET", "/api/v2.5/admin/attempts/?"+query, a.token("admin"), nil, &page)
			s := fmt.Sprint(page.Count)
			for _, r := range page.Results {
				s += " " + r.Date
			}
			return s
		}
		joined := func(api *testAPI) string {
			t.Helper()
			var u struct {
				DateJoined string `json:"date_joined"`
			}
			api.must(200, "GET", fmt.Sprintf("/api/v2.5/admin/users/%d/", admin.ID), a.token("admin"), nil, &u)
			return u.DateJoined
		}
		for _, step := range []struct {
			tz, joined, attempt string
			on6, on5            string // counts and dates for date_0=date_1=2026-01-06 and 2026-01-05
		}{
			{"America/Sao_Paulo", "2026-01-05T01:30:00.250000-03:00", "2026-01-05T21:30:00-03:00",
				"0", "1 2026-01-05T21:30:00-03:00"},
			{"Asia/Kolkata", "2026-01-05T10:00:00.250000+05:30", "2026-01-06T06:00:00+05:30",
				"1 2026-01-06T06:00:00+05:30", "0"},
		} {
			if got := a.do("POST", "/api/v2.5/admin/import/", token, "application/json", bundle(step.tz)); got.status != 200 {
				t.Fatalf("import %s: %d %s", step.tz, got.status, got.body)
			}
			for name, api := range map[string]*testAPI{"importing replica": a, "other replica": b} {
				if got := joined(api); got != step.joined {
					t.Errorf("%s after import of %s: date_joined %s, want %s", name, step.tz, got, step.joined)
				}
				if got := dates(api, "date_0=2026-01-06&date_1=2026-01-06"); got != step.on6 {
					t.Errorf("%s after import of %s: attempts of 2026-01-06: %s, want %s", name, step.tz, got, step.on6)
				}
				if got := dates(api, "date_0=2026-01-05&date_1=2026-01-05"); got != step.on5 {
					t.Errorf("%s after import of %s: attempts of 2026-01-05: %s, want %s", name, step.tz, got, step.on5)
				}
			}
		}
	})
}
