package httpapi_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/sqlstore"
)

// TestItemStatisticsEndpoint reads dashboardBundle's item analysis. Its
// ranking population (first) is asha's first attempt (14.00) and dev's
// (1.00); bala's and chitra's await grading: attempts 2, pending 2, mean
// and median 7.5, sd √(2·6.5²/1) = 9.1924, skewness 0, kurtosis
// 6.5⁴/(6.5²)² − 3 = −2. A grading changes it; the cached answer does not
// outlive the change.
func TestItemStatisticsEndpoint(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newDashboardFixture(t, engine)
		path := fmt.Sprintf("/api/v2.5/admin/exams/%d/statistics/", f.dash)
		ctx := context.Background()
		before, err := f.db.ItemStatisticsVersion(ctx, f.dash)
		if err != nil {
			t.Fatal(err)
		}

		r := f.do("GET", path, "Bearer "+f.admin, "", "")
		if r.status != 200 || r.header.Get("Content-Type") != "application/json" {
			t.Fatalf("GET: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
		}
		golden(t, "item_statistics_first.json", strings.TrimSpace(r.body))
		if again := f.do("GET", path+"?population=first", "Bearer "+f.admin, "", ""); again.body != r.body {
			t.Errorf("cached, ?population=first: %s", again.body)
		}
		golden(t, "item_statistics_all.json", strings.TrimSpace(f.do("GET", path+"?population=all", "Bearer "+f.admin, "", "").body))

		// The CSV is the JSON's per-question table.
		c := f.do("GET", path+"?format=csv&population=all", "Bearer "+f.admin, "", "")
		if c.status != 200 || c.header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			c.header.Get("Content-Disposition") != fmt.Sprintf(`attachment; filename="exam-%d-statistics-all.csv"`, f.dash) {
			t.Fatalf("CSV: %d %v", c.status, c.header)
		}
		rows, err := csv.NewReader(strings.NewReader(c.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var all struct{ Questions []map[string]any }
		if err := json.Unmarshal([]byte(f.do("GET", path+"?population=all", "Bearer "+f.admin, "", "").body), &all); err != nil {
			t.Fatal(err)
		}
		header := []string{"exam_question_id", "question_id", "section_id", "type", "marks", "attempts",
			"facility_index", "sd_percent", "discrimination_index", "discriminative_efficiency"}
		if len(rows) != 1+len(all.Questions) || strings.Join(rows[0], ",") != strings.Join(header, ",") {
			t.Fatalf("CSV rows: %q", rows)
		}
		for i, q := range all.Questions {
			for j, name := range header {
				want := ""
				switch v := q[name].(type) {
				case float64:
					want = strconv.FormatFloat(v, 'f', -1, 64)
				case string:
					want = v
				}
				got := rows[1+i][j]
				if n, err := strconv.ParseFloat(got, 64); err == nil && name != "marks" {
					got = strconv.FormatFloat(n, 'f', -1, 64)
				}
				if got != want {
					t.Errorf("CSV row %d %s = %q, JSON %v", i+1, name, rows[1+i][j], q[name])
				}
			}
		}

		// Bad input: 400 naming the field, nothing changed.
		for query, want := range map[string]string{
			"?population=bogus":             `{"population":["\"bogus\" is not a valid choice: use first, all, last or best."]}`,
			"?format=xml":                   `{"format":["\"xml\" is not a valid choice: use json or csv."]}`,
			"?population=First&format=json": `{"population":["\"First\" is not a valid choice: use first, all, last or best."]}`,
		} {
			if r := f.do("GET", path+query, "Bearer "+f.admin, "", ""); r.status != 400 || strings.TrimSpace(r.body) != want {
				t.Errorf("%s: %d %s, want 400 %s", query, r.status, r.body, want)
			}
		}
		if r := f.do("GET", "/api/v2.5/admin/exams/9999/statistics/", "Bearer "+f.admin, "", ""); r.status != 404 ||
			strings.TrimSpace(r.body) != `{"detail":"Not found."}` {
			t.Errorf("unknown exam: %d %s", r.status, r.body)
		}
		for _, who := range []string{f.student, f.staff} {
			r := f.do("GET", path, "Bearer "+who, "", "")
			users := f.do("GET", "/api/v2.5/admin/users/", "Bearer "+who, "", "") // another admin-only endpoint
			if r.status != 403 || r.body != users.body {
				t.Errorf("not an admin: %d %s, want 403 %s", r.status, r.body, users.body)
			}
		}
		if r := f.do("GET", path, "", "", ""); r.status != 401 {
			t.Errorf("anonymous: %d %s", r.status, r.body)
		}
		if after, err := f.db.ItemStatisticsVersion(ctx, f.dash); err != nil || after != before {
			t.Errorf("version %d after reads, was %d: %v", after, before, err)
		}

		// Bala's essay graded 6: bala (−1 + 0 + 6 = 5.00) joins the population.
		if _, _, err := f.db.GradeAnswer(ctx, 1, f.attempts["bala"], f.essays["bala"], decimal.Decimal(600)); err != nil {
			t.Fatal(err)
		}
		var graded struct {
			Attempts, Pending int64
			Mean              float64
		}
		f.must(200, "GET", path, f.admin, nil, &graded)
		if graded.Attempts != 3 || graded.Pending != 1 || graded.Mean != 6.6667 {
			t.Errorf("after a grading: %+v, want 3 attempts, 1 pending, mean 6.6667", graded)
		}
	})
}
