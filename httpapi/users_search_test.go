package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// TestUserSearchBounds: the users list's ?q= and ?email= are bounded (a
// 49,999-character q used to be a SQLite 500, "LIKE or GLOB pattern too
// complex"), and % and _ in q match themselves (issue 10, fault 6).
func TestUserSearchBounds(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		a.addUser("under_score", examhall.RoleStudent)
		a.addUser("underxscore", examhall.RoleStudent)
		token := "JWT " + a.token("admin")
		const (
			tooLongQ     = `{"q":["Ensure this field has no more than 100 characters."]}`
			tooLongEmail = `{"email":["Ensure this field has no more than 254 characters."]}`
		)
		tests := []struct {
			query  string
			status int
			want   string // the body, or the usernames found
		}{
			{"q=" + strings.Repeat("a", 49999), 400, tooLongQ},
			{"q=" + strings.Repeat("%25", 101), 400, tooLongQ},
			{"q=" + strings.Repeat("é", 101), 400, tooLongQ},
			{"q=" + strings.Repeat("é", 100), 200, ""},
			{"q=" + strings.Repeat("a", 100), 200, ""},
			{"email=" + strings.Repeat("a", 243) + "@example.com", 400, tooLongEmail},
			{"q=_", 200, "under_score"},
			{"q=r_s", 200, "under_score"},
			{"q=%25", 200, ""},
			{"q=under%25score", 200, ""},
			{"q=UNDER", 200, "under_score underxscore"},
		}
		for _, tt := range tests {
			got := a.do("GET", "/api/v2.5/admin/users/?"+tt.query, token, "", "")
			if got.status != tt.status {
				t.Errorf("%.40s: %d %.200s, want %d", tt.query, got.status, got.body, tt.status)
				continue
			}
			if tt.status != 200 {
				if got.body != tt.want {
					t.Errorf("%.40s: %s, want %s", tt.query, got.body, tt.want)
				}
				continue
			}
			var page struct{ Results []struct{ Username string } }
			if err := json.Unmarshal([]byte(got.body), &page); err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, u := range page.Results {
				names = append(names, u.Username)
			}
			if strings.Join(names, " ") != tt.want {
				t.Errorf("%.40s: found %v, want %q", tt.query, names, tt.want)
			}
		}
	})
}
