package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/examhall/examhall/web/browsertest"
)

// do runs chromedp actions in the test's tab; a failure ends the test.
func do(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// eval is the value of a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// text is the text of the first element that matches the CSS selector.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return v
}

// apiGet reads path from the API with c into v and fails on any status
// but 200.
func (s *site) apiGet(c *http.Client, path string, v any) {
	s.t.Helper()
	status, _, body := s.get(c, path)
	if status != 200 {
		s.t.Fatalf("GET %s: %d %s", path, status, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		s.t.Fatalf("GET %s: %v", path, err)
	}
}

// apiList is a DRF list page with results of T.
type apiList[T any] struct {
	Count   int `json:"count"`
	Results []T `json:"results"`
}

// idsByTitle maps each exam's title to its id, as the admin API lists them.
func (s *site) examIDs(c *http.Client) map[string]int64 {
	var exams apiList[struct {
		ID    int64  `json:"id"`
		Title string `json:"title"`
	}]
	s.apiGet(c, "/api/v2.5/admin/exams/", &exams)
	out := map[string]int64{}
	for _, e := range exams.Results {
		out[e.Title] = e.ID
	}
	return out
}

type attemptRow struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Score  string `json:"score"`
	Result string `json:"result"`
	State  string `json:"state"`
}

// tableCells is the text of each body row's cells of the table in holder.
func tableCells(t *testing.T, ctx context.Context, holder string) [][]string {
	t.Helper()
	return eval[[][]string](t, ctx, fmt.Sprintf(`[...document.querySelectorAll(%q)].map(tr => [...tr.children].map(c => c.textContent.trim()))`, holder+" tbody tr"))
}

// waitFor waits until the JavaScript expression is true in the page.
func waitFor(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(10*time.Second))
}

// until waits up to 10 s for the JavaScript expression to be true, also
// across a navigation (which ends the page a poll runs in).
func until(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s (last error: %v)", expr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// noSidewaysScroll fails the test if the page is wider than a 375 px phone.
func noSidewaysScroll(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	if err := browsertest.Mobile(ctx); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.Reload(), chromedp.WaitReady(chromedp.CSS("#main")), waitFor(`document.readyState === 'complete'`),
		chromedp.Sleep(300*time.Millisecond)) // the page's data arrives after load
	if eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth`) {
		t.Errorf("%s: the page scrolls sideways on a 375 px phone", page)
	}
	if err := browsertest.Desktop(ctx); err != nil {
		t.Fatal(err)
	}
}

// logIn logs the tab in as username through the login form, asked for
// next (a path on the site), and waits until the page shows sel.
func logIn(t *testing.T, ctx context.Context, s *site, username, next, sel string) {
	t.Helper()
	do(t, ctx, chromedp.Navigate(s.URL+"/login/?next="+url.QueryEscape(next)), chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), username), chromedp.SendKeys(chromedp.CSS("#password"), "pw-"+username),
		chromedp.Click(chromedp.CSS(`#login-form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(sel)))
}
