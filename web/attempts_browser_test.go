package web_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/web/browsertest"
)

// TestAttemptsInBrowser: the admin finds attempts with a filter whose query
// string is the API's and survives a reload (a bookmark), then opens one:
// sections, subjects and difficulty (§8.2) and each answer (§8.3). SQLite
// is enough: the pages only call the API, whose engines httpapi tests.
func TestAttemptsInBrowser(t *testing.T) {
	t.Parallel()
	s := newSite(t, sqlstore.SQLite)
	s.importBundle(dashboardBundle)
	ctx := browsertest.New(t)
	admin := s.client("root")
	mock := s.examIDs(admin)["Mock Test 1"]
	logIn(t, ctx, s, "root", "/admin/attempts/", "#attempt-table table")

	// Filter the attempts: the form writes §8.1's query string.
	do(t, ctx, waitFor(`document.querySelectorAll('#f-exams option').length === 3`),
		chromedp.SetValue(chromedp.CSS("#f-exams"), fmt.Sprint(mock)), chromedp.SetValue(chromedp.CSS("#f-state"), "1"),
		chromedp.SetValue(chromedp.CSS("#f-order"), "-correct_answers_count"), chromedp.SetValue(chromedp.CSS("#f-order2"), "id"),
		chromedp.Click(chromedp.CSS(`#attempt-filter button[type=submit]`)))
	query := fmt.Sprintf("exams=%d&state=1&ordering=-correct_answers_count,id", mock)
	until(t, ctx, fmt.Sprintf(`location.search === %q && document.querySelector('#attempt-table table') !== null`, "?"+query))
	var want apiList[attemptRow]
	s.apiGet(admin, "/api/v2.5/admin/attempts/?"+query, &want)
	checkRows := func(when string) {
		t.Helper()
		rows := tableCells(t, ctx, "#attempt-table")
		var got, wantRows []string
		for _, r := range rows {
			got = append(got, r[0]+" "+r[3]+" "+r[4]+" "+r[6])
		}
		for _, a := range want.Results {
			wantRows = append(wantRows, fmt.Sprintf("#%d %s%s@example.com %s %s", a.ID, a.Name, strings.ToLower(strings.Fields(a.Name)[0]), a.State, a.Score))
		}
		if !slices.Equal(got, wantRows) || len(got) != 3 || !strings.Contains(got[0], "Asha") || !strings.Contains(got[1], "Kiran") || !strings.Contains(got[2], "Ravi") {
			t.Errorf("%s: attempts table\n%q\nwant the API's\n%q", when, got, wantRows)
		}
	}
	checkRows("filtered")
	// The filtered view is its address: a reload shows the same rows and
	// the form as it was sent.
	do(t, ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#attempt-table table")))
	form := eval[[]string](t, ctx, `['f-exams','f-users','f-state','f-date0','f-date1','f-order','f-order2'].map(id => document.getElementById(id).value)`)
	if wantForm := []string{fmt.Sprint(mock), "", "1", "", "", "-correct_answers_count", "id"}; !slices.Equal(form, wantForm) {
		t.Errorf("form after reload %q, want %q", form, wantForm)
	}
	checkRows("reloaded")
	browsertest.RequireAccessible(t, ctx)
	noSidewaysScroll(t, ctx, "attempts")

	// Open Asha's attempt.
	asha := want.Results[0].ID
	do(t, ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#attempt-table a[href="/admin/attempts/%d/"]`, asha))), chromedp.WaitVisible(chromedp.CSS("#h-answers")))
	heading := text(t, ctx, "#attempt-heading")
	if heading != fmt.Sprintf("Attempt #%d: Asha Rao, Mock Test 1", asha) {
		t.Errorf("heading %q", heading)
	}
	// The breakdown is §8.2's, with the exam's section names.
	var detail struct {
		SubjectStats []struct {
			Name       string `json:"subject_name"`
			Total      int    `json:"total_count"`
			Correct    int    `json:"correct_answers_count"`
			Partial    int    `json:"partial_correct_answers_count"`
			Incorrect  int    `json:"incorrect_answers_count"`
			Unanswered int    `json:"unanswered_count"`
			Score      string
		} `json:"subject_stats"`
		Difficulty map[string]struct {
			Total      int `json:"total_count"`
			Correct    int `json:"correct_answers_count"`
			Partial    int `json:"partial_correct_answers_count"`
			Incorrect  int `json:"incorrect_answers_count"`
			Unanswered int `json:"unanswered_count"`
		} `json:"difficulty_level_stats"`
	}
	s.apiGet(admin, fmt.Sprintf("/api/v2.5/admin/attempts/%d/", asha), &detail)
	var wantSubjects, wantLevels [][]string
	for _, st := range detail.SubjectStats {
		wantSubjects = append(wantSubjects, []string{st.Name, fmt.Sprint(st.Total), fmt.Sprint(st.Correct), fmt.Sprint(st.Partial), fmt.Sprint(st.Incorrect), fmt.Sprint(st.Unanswered), st.Score})
	}
	for _, level := range []string{"easy", "hard", "medium"} {
		d := detail.Difficulty[level]
		wantLevels = append(wantLevels, []string{level, fmt.Sprint(d.Total), fmt.Sprint(d.Correct), fmt.Sprint(d.Partial), fmt.Sprint(d.Incorrect), fmt.Sprint(d.Unanswered)})
	}
	breakdown := "#attempt section:nth-of-type(2) .table-wrap"
	if got := tableCells(t, ctx, breakdown+":nth-of-type(1)"); fmt.Sprint(got) != "[[Part A 0:00:40 2 0 0 8.00] [Part B 0:00:00 0 0 0 7.00]]" {
		t.Errorf("sections %q", got)
	}
	if got := tableCells(t, ctx, breakdown+":nth-of-type(2)"); fmt.Sprint(got) != fmt.Sprint(wantSubjects) || len(got) != 3 {
		t.Errorf("subjects %q, want %q", got, wantSubjects)
	}
	if got := tableCells(t, ctx, breakdown+":nth-of-type(3)"); fmt.Sprint(got) != fmt.Sprint(wantLevels) || len(detail.Difficulty) != 3 {
		t.Errorf("difficulty %q, want %q", got, wantLevels)
	}
	// Each answer as §8.3 gives it; the chosen answer and the key marked.
	if results := eval[[]string](t, ctx, `[...document.querySelectorAll('.answer .badge')].map(b => b.textContent)`); !slices.Equal(results, []string{"Correct", "Correct", "Partially Correct"}) {
		t.Errorf("answers %q", results)
	}
	if choices := eval[[]string](t, ctx, `[...document.querySelectorAll('.answer .choices li')].map(li => li.textContent)`); !slices.Equal(choices, []string{"Newton (chosen, correct answer)", "Joule"}) {
		t.Errorf("choices %q", choices)
	}
	browsertest.RequireAccessible(t, ctx)
	browsertest.Screenshot(t, ctx, "attempt")

	browsertest.RequireAccessible(t, ctx)
	browsertest.Screenshot(t, ctx, "attempt")
	browsertest.RequireNoConsoleErrors(t, ctx)
}
