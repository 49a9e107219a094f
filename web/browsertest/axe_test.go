package browsertest

import (
	"slices"
	"strings"
	"testing"
)

const cleanPage = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Clean</title></head>
<body><main><h1>Exam room</h1><p>Question 1 of 3</p>
<label for="a">Answer</label> <input id="a" type="text">
<button type="button">Save</button></main></body></html>`

// badPage fails image-alt and button-name (critical), color-contrast
// (serious), and region (moderate: content outside landmarks).
const badPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bad</title></head>
<body><h1>Exam room</h1>
<img id="logo" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<button id="next" type="button"></button>
<p id="faint" style="color:#ccc;background:#fff">Time left: 10 minutes</p>
</body></html>`

// TestAxe: a page with known serious and critical violations reports them,
// with their nodes, and leaves out the moderate one; a clean page reports
// none. Both pages have a strict CSP, as the web UI's will.
func TestAxe(t *testing.T) {
	p := &pages{
		html: map[string]string{"/clean": cleanPage, "/bad": badPage},
		csp:  map[string]bool{"/clean": true, "/bad": true},
	}
	srv := serve(t, p)
	ctx := New(t)

	navigate(t, ctx, srv.URL+"/bad")
	all, err := runAxe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(all, func(v Violation) bool { return v.ID == "region" && v.Impact == "moderate" }) {
		t.Fatalf("the bad page should also fail the moderate rule region (to show it is filtered out); got %v", all)
	}
	got := map[string]Violation{}
	for _, v := range Axe(t, ctx) {
		got[v.ID] = v
	}
	want := map[string]struct{ impact, target string }{
		"image-alt":      {"critical", "#logo"},
		"button-name":    {"critical", "#next"},
		"color-contrast": {"serious", "#faint"},
	}
	if len(got) != len(want) {
		t.Errorf("Axe returned %d violations, want %d: %v", len(got), len(want), got)
	}
	for id, w := range want {
		v, ok := got[id]
		if !ok {
			t.Errorf("no %s violation; got %v", id, got)
			continue
		}
		if v.Impact != w.impact || !slices.Equal(v.Targets, []string{w.target}) || v.Help == "" || !strings.HasPrefix(v.HelpURL, "https://") {
			t.Errorf("%s: got %+v, want impact %s, targets [%s], a help text and URL", id, v, w.impact, w.target)
		}
	}

	f := runFake(t, func(tb testing.TB) { RequireAccessible(tb, ctx) })
	msg := f.text()
	if !f.failed || !strings.Contains(msg, "3 serious or critical violation(s) on "+srv.URL+"/bad") ||
		!strings.Contains(msg, "image-alt [critical]") || !strings.Contains(msg, "#logo") {
		t.Errorf("RequireAccessible on the bad page: failed=%t, message:\n%s", f.failed, msg)
	}

	navigate(t, ctx, srv.URL+"/clean")
	if vs := Axe(t, ctx); len(vs) != 0 {
		t.Errorf("clean page: %v, want no violations", vs)
	}
	if f := runFake(t, func(tb testing.TB) { RequireAccessible(tb, ctx) }); f.failed {
		t.Errorf("RequireAccessible on the clean page failed: %s", f.text())
	}
	// Injecting axe must not trip the page's CSP.
	RequireNoConsoleErrors(t, ctx)
}
