package httpapi_test

import (
	"os"
	"strings"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

func TestImportEndpoint(t *testing.T) {
	raw, err := os.ReadFile("../sqlstore/testdata/bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		a.addUser("sunil", examhall.RoleStaff)
		admin := "JWT " + a.token("admin")
		tests := []struct {
			name, path, token, body string
			status                  int
			want                    string
		}{
			{"staff", "/api/v2.5/admin/import/", "JWT " + a.token("sunil"), string(raw), 403,
				`{"detail":"You do not have permission to perform this action."}`},
			{"bad field", "/api/v2.5/admin/import/", admin, strings.Replace(string(raw), `"duration": "3:00:00"`, `"duration": "three hours"`, 1), 400,
				`{"exams[0] \"mock-1\".duration":["Duration has wrong format. Use one of these formats instead: [DD] [HH:[MM:]]ss[.uuuuuu]."]}`},
			{"dry run", "/api/v2.5/admin/import/?dry_run=1", admin, string(raw), 200,
				`{"created":{"attempts":2,"exams":1,"subjects":2,"users":2},"updated":{},"unchanged":{},"dry_run":true}`},
			{"import", "/api/v2.5/admin/import", admin, string(raw), 200,
				`{"created":{"attempts":2,"exams":1,"subjects":2,"users":2},"updated":{},"unchanged":{},"dry_run":false}`},
			{"again", "/api/v2.5/admin/import/", admin, string(raw), 200,
				`{"created":{},"updated":{},"unchanged":{"attempts":2,"exams":1,"subjects":2,"users":2},"dry_run":false}`},
		}
		for _, tt := range tests {
			got := a.do("POST", tt.path, tt.token, "application/json", tt.body)
			if got.status != tt.status || got.body != tt.want {
				t.Errorf("%s: %d %s\nwant %d %s", tt.name, got.status, got.body, tt.status, tt.want)
			}
		}
	})
}
