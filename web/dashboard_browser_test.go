package web_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/web/browsertest"
)

// TestDashboardInBrowser is the admin's journey through the dashboard in a
// real browser (SQLite is enough: the pages only call the API, whose
// engines are tested in httpapi): the exams with their counts; an exam's
// charts draw; grade an essay from the queue and see the API's marks
// change; the pages pass axe with no console error.
func TestDashboardInBrowser(t *testing.T) {
	t.Parallel()
	s := newSite(t, sqlstore.SQLite)
	s.importBundle(dashboardBundle)
	ctx := browsertest.New(t)
	admin := s.client("root")
	exams := s.examIDs(admin)
	mock := exams["Mock Test 1"]

	logIn(t, ctx, s, "root", "/admin/", "#exam-table table")

	// The exams with their counts, as exam-counts gives them.
	var counts struct {
		Results []struct {
			ExamID            int64 `json:"exam_id"`
			Running           int   `json:"running"`
			Completed         int   `json:"completed"`
			PendingEvaluation int   `json:"pending_evaluation"`
		} `json:"results"`
	}
	s.apiGet(admin, fmt.Sprintf("/api/v2.5/admin/exam-counts/?exams=%d,%d", mock, exams["Quick Quiz"]), &counts)
	wantCounts := map[string][3]string{}
	for _, c := range counts.Results {
		title := "Mock Test 1"
		if c.ExamID != mock {
			title = "Quick Quiz"
		}
		wantCounts[title] = [3]string{fmt.Sprint(c.Running), fmt.Sprint(c.Completed), fmt.Sprint(c.PendingEvaluation)}
	}
	if wantCounts["Mock Test 1"] != [3]string{"1", "3", "1"} || wantCounts["Quick Quiz"] != [3]string{"0", "1", "0"} {
		t.Fatalf("exam-counts: %+v", counts)
	}
	gotCounts := map[string][3]string{}
	for _, row := range tableCells(t, ctx, "#exam-table") {
		gotCounts[row[0]] = [3]string{row[3], row[4], row[5]}
	}
	if fmt.Sprint(gotCounts) != fmt.Sprint(wantCounts) {
		t.Errorf("dashboard counts %v, want %v", gotCounts, wantCounts)
	}
	browsertest.RequireAccessible(t, ctx)
	browsertest.Screenshot(t, ctx, "dashboard")
	noSidewaysScroll(t, ctx, "dashboard")

	// The exam's charts draw on their canvases.
	do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/admin/exams/%d/", s.URL, mock)), chromedp.WaitVisible(chromedp.CSS("#table-distribution table")))
	painted := eval[[]int](t, ctx, `['chart-distribution','chart-pass','chart-sections','chart-subjects'].map(id => {
		const c = document.getElementById(id); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++; return n; })`)
	if len(painted) != 4 || slices.Contains(painted, 0) {
		t.Errorf("painted pixels per chart %v: a chart is empty", painted)
	}
	if passText := text(t, ctx, "#pass-text"); passText != "100% of 2 graded attempts passed." {
		t.Errorf("pass rate %q", passText)
	}
	browsertest.RequireAccessible(t, ctx)
	browsertest.Screenshot(t, ctx, "exam-charts")

	// Grade Ravi's essay from the queue.
	var queue apiList[struct {
		AttemptID    int64  `json:"attempt_id"`
		UserAnswerID int64  `json:"user_answer_id"`
		EssayText    string `json:"essay_text"`
	}]
	s.apiGet(admin, "/api/v2.5/admin/grading-queue/", &queue)
	if queue.Count != 1 {
		t.Fatalf("grading queue: %+v", queue)
	}
	essay := queue.Results[0]
	input := fmt.Sprintf("#marks-%d", essay.UserAnswerID)
	do(t, ctx, chromedp.Navigate(s.URL+"/admin/grading/"), chromedp.WaitVisible(chromedp.CSS(input)))
	shown, bold := text(t, ctx, ".essay-text"), eval[int](t, ctx, `document.querySelectorAll('.essay-text *').length`)
	if shown != essay.EssayText || bold != 0 {
		t.Errorf("the essay shows as %q with %d elements, want the student's text as typed: %q", shown, bold, essay.EssayText)
	}
	browsertest.RequireAccessible(t, ctx)
	do(t, ctx, chromedp.SendKeys(chromedp.CSS(input), "6.5"), chromedp.Click(chromedp.CSS(".grade-form button")),
		waitFor(`document.getElementById('grading-status').textContent.startsWith('Saved')`))
	if status := text(t, ctx, "#grading-status"); status != "Saved 6.50 marks for Ravi Kumar. 0 essays left on this page." {
		t.Errorf("status after grading: %q", status)
	}
	var ravi attemptRow
	s.apiGet(admin, fmt.Sprintf("/api/v2.5/admin/attempts/%d/", essay.AttemptID), &ravi)
	if ravi.Score != "5.50" || ravi.Result != "Fail" || ravi.Name != "Ravi Kumar" {
		t.Errorf("Ravi's attempt after grading: %+v, want score 5.50 (−1 + 0 + 6.50), Fail", ravi)
	}
	s.apiGet(admin, "/api/v2.5/admin/grading-queue/", &queue)
	if queue.Count != 0 {
		t.Errorf("the graded essay is still queued: %+v", queue)
	}
	browsertest.RequireNoConsoleErrors(t, ctx)
}
