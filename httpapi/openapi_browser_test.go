package httpapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/web/browsertest"
)

// TestAPIDocsPageRenders opens /api/docs/ in a real browser: Redoc loads
// the schema and renders its operations under the page's CSP, with no
// console error (a CSP violation would be one) but the blocked CDN logo.
func TestAPIDocsPageRenders(t *testing.T) {
	ctx := browsertest.New(t)
	a := newTestAPI(t, sqlstore.SQLite) // the page reads no data: one engine
	rendered := `[...document.querySelectorAll("h1")].some(h => h.textContent.includes("examhall API")) && document.body.innerText.includes("Users, paged")`
	if err := chromedp.Do(ctx, chromedp.Navigate(a.server.URL+"/api/docs/"),
		chromedp.Poll[chromedp.Void](rendered, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText.slice(0, 500)`))
		t.Fatalf("the docs page did not render: %v\n%s\nconsole: %v", err, text, browsertest.ConsoleErrors(ctx))
	}
	body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.title + "\n" + document.body.innerText`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"examhall API\n", "Log in: a JWT for username and password", "Save an answer", "/api/v2.2/attempts/{id}/questions/{item}/"} {
		if !strings.Contains(body, want) {
			t.Errorf("rendered page lacks %q", want)
		}
	}
	// Redoc's sidebar always tries its logo from cdn.redoc.ly (and hides it
	// when it fails to load): the CSP blocks it, which is what keeps the page
	// off any CDN. Every other console error fails the test.
	for _, e := range browsertest.ConsoleErrors(ctx) {
		if !strings.Contains(e, "'https://cdn.redoc.ly/redoc/logo-mini.svg' violates the following Content Security Policy") {
			t.Errorf("console error: %s", e)
		}
	}
}
