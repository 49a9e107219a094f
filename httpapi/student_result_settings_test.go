package httpapi_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// TestStudentResultSettings: a student's own attempt shows its score,
// percentage, percentile and rank only as the exam's show_score,
// show_percentile and enable_ranks allow, in every view of it (detail, list,
// the end step); staff see everything (issue 10, fault 9's kind: exam
// settings that were not enforced).
func TestStudentResultSettings(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		a.addUser("sunil", examhall.RoleStaff)
		admin := a.token("admin")
		// The student sits first (population 1), then the staff member (2).
		const (
			all      = `{"score":"1.00","percentage":100,"percentile":100.0,"rank":1,"max_rank":1}`
			allStaff = `{"score":"1.00","percentage":100,"percentile":100.0,"rank":1,"max_rank":2}`
			noRanks  = `{"score":"1.00","percentage":100,"percentile":100.0,"rank":"NA","max_rank":"NA"}`
			hidden   = `{"score":null,"percentage":null,"percentile":null,"rank":"NA","max_rank":"NA"}`
			noPct    = `{"score":"1.00","percentage":100,"percentile":null,"rank":1,"max_rank":1}`
		)
		for i, tt := range []struct {
			settings       map[string]any
			student, staff string
		}{
			{map[string]any{}, all, allStaff},
			{map[string]any{"enable_ranks": false}, noRanks, noRanks},
			{map[string]any{"show_score": false}, hidden, allStaff},
			{map[string]any{"show_percentile": false}, noPct, allStaff},
			{map[string]any{"show_score": false, "show_percentile": false, "enable_ranks": false}, hidden, noRanks},
		} {
			slug := fmt.Sprintf("e%d", i)
			body := map[string]any{"slug": slug, "title": slug, "published": true,
				"sections": []map[string]any{{"name": "A", "questions": []map[string]any{
					{"type": "numerical", "question_html": "q", "numerical_min": "1", "numerical_max": "1"}}}}}
			for k, v := range tt.settings {
				body[k] = v
			}
			a.must(201, "POST", "/api/v2.5/admin/exams/", admin, body, nil)
			for _, who := range []struct {
				name, want string
			}{{fmt.Sprintf("s%d", i), tt.student}, {"sunil", tt.staff}} {
				if _, ok := a.users[who.name]; !ok {
					a.addUser(who.name, examhall.RoleStudent)
				}
				token := a.token(who.name)
				id := a.sit(token, slug, map[string]any{"numeric_value": "1"})
				for _, path := range []string{fmt.Sprintf("/api/v2.2/attempts/%d/", id), fmt.Sprintf("/api/v2.2/attempts/%d/end/", id)} {
					method := "GET"
					if path[len(path)-4:] == "end/" {
						method = "PUT"
					}
					got := a.do(method, path, "JWT "+token, "", "")
					if shown := resultFields(t, got.body); got.status != 200 || shown != who.want {
						t.Errorf("%v, %s: %s %s: %d %s\nwant %s", tt.settings, who.name, method, path, got.status, shown, who.want)
					}
				}
				var list struct{ Results []json.RawMessage }
				a.must(200, "GET", "/api/v2.2/attempts/", token, nil, &list)
				if shown := resultFields(t, string(list.Results[0])); shown != who.want {
					t.Errorf("%v, %s: attempts list: %s\nwant %s", tt.settings, who.name, shown, who.want)
				}
			}
		}
	})
}

// resultFields picks the result fields of a student attempt body.
func resultFields(t *testing.T, body string) string {
	t.Helper()
	var v struct {
		Score      json.RawMessage `json:"score"`
		Percentage json.RawMessage `json:"percentage"`
		Percentile json.RawMessage `json:"percentile"`
		Rank       json.RawMessage `json:"rank"`
		MaxRank    json.RawMessage `json:"max_rank"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return fmt.Sprintf(`{"score":%s,"percentage":%s,"percentile":%s,"rank":%s,"max_rank":%s}`, v.Score, v.Percentage, v.Percentile, v.Rank, v.MaxRank)
}
