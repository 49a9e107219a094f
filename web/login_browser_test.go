package web_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/web/browsertest"
)

// TestLoginPage is the login page in a real browser: a wrong password is
// said in the page and logs no one in; the right one lands on the page the
// visitor asked for; an open redirect in ?next= is not followed; the page is
// accessible; log-out returns to it.
func TestLoginPage(t *testing.T) {
	s := newSite(t, sqlstore.SQLite)
	s.addUser("asha", examhall.RoleStudent)
	ctx := browsertest.New(t)

	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/exams/"), // not logged in: sent to log in, and back after
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("username"), "asha"),
		chromedp.SendKeys(chromedp.ID("password"), "wrong"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.ID("login-error")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if text, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("login-error"))); err != nil || text != "Unable to log in with provided credentials." {
		t.Errorf("wrong password says %q (%v)", text, err)
	}
	browsertest.RequireAccessible(t, ctx)
	browsertest.ClearConsoleErrors(ctx) // the browser logs the 400 of the wrong password

	if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("password").value = ""`)); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("password"), "pw-asha"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".who-name")),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Read once the navigation has settled (a node found mid-navigation may
	// be gone when its text is asked for).
	var landed string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		landed, err = chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === 'complete' ?
			location.pathname + location.search + ' | ' + (document.querySelector('.who-name')?.textContent ?? '') : ''`))
		if err == nil && landed == "/exams/ | Asha Rao" {
			break
		}
	}
	if landed != "/exams/ | Asha Rao" {
		t.Errorf("after login: %q (%v), want /exams/ with Asha Rao in the header", landed, err)
	}

	// Log out, then log in with a ?next= that leaves the site, in each
	// spelling a browser reads as another host: it is not followed.
	for _, next := range []string{"%2F%2Fevil.example%2Fx", "%2F%09%2Fevil.example", "%2F%0A%2Fevil.example", "%2F%5Cevil.example",
		"https%3A%2F%2Fevil.example%2F", "javascript%3Aalert(1)"} {
		err = chromedp.Do(ctx,
			chromedp.Click(chromedp.ID("logout")),
			chromedp.WaitVisible(chromedp.ID("login-form")),
			chromedp.Navigate(s.URL+"/login/?next="+next),
			chromedp.WaitVisible(chromedp.ID("login-form")),
			chromedp.SendKeys(chromedp.ID("username"), "asha"),
			chromedp.SendKeys(chromedp.ID("password"), "pw-asha"),
			chromedp.Click(chromedp.CSS("button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(".who-name")),
		)
		if err != nil {
			t.Fatalf("next=%s: %v", next, err)
		}
		if href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`)); err != nil || href != s.URL+"/exams/" {
			t.Errorf("?next=%s took the browser to %q (%v)", next, href, err)
		}
	}
	browsertest.RequireNoConsoleErrors(t, ctx)
}
