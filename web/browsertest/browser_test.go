package browsertest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestNewWithoutBrowser: no browser skips, or fails under
// EXAMHALL_REQUIRE_BROWSER=1; a wrong EXAMHALL_TEST_CHROMIUM always fails.
func TestNewWithoutBrowser(t *testing.T) {
	empty := t.TempDir()
	notExec := filepath.Join(empty, "chromium")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, browser, require string
		wantSkip, wantFail     bool
		wantMsg                string
	}{
		{"none found", "", "", true, false, "no browser found"},
		{"none found, required", "", "1", false, true, "no browser found"},
		{"missing binary", filepath.Join(empty, "nope"), "", false, true, "no such file"},
		{"not executable", notExec, "", false, true, "not an executable file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// PATH holds only an empty dir: nothing can be found there
			// (notExec is not on it: it is in the same dir but not executable).
			t.Setenv("PATH", empty)
			t.Setenv(EnvBrowser, tc.browser)
			t.Setenv(EnvRequireBrowser, tc.require)
			returned := false
			f := runFake(t, func(tb testing.TB) {
				New(tb)
				returned = true
			})
			if returned {
				t.Fatalf("New returned normally; messages: %q", f.text())
			}
			if f.skipped != tc.wantSkip || f.failed != tc.wantFail {
				t.Fatalf("skipped=%t failed=%t, want skipped=%t failed=%t; messages: %q",
					f.skipped, f.failed, tc.wantSkip, tc.wantFail, f.text())
			}
			if !strings.Contains(f.text(), tc.wantMsg) {
				t.Fatalf("message %q does not say %q", f.text(), tc.wantMsg)
			}
		})
	}
}

// TestConsoleErrors: console.error, an uncaught exception, a failed load and
// a CSP violation are collected; console.log and warnings are not; Clear
// forgets them and RequireNoConsoleErrors reports them.
func TestConsoleErrors(t *testing.T) {
	p := &pages{
		html: map[string]string{
			"/noisy": `<!doctype html><html lang="en"><head><title>Noisy</title></head><body>
<img src="/missing.png" alt="missing">
<script>
console.log("just a log");
console.warn("just a warning");
console.error("boom from page", 42);
setTimeout(() => { throw new Error("uncaught boom"); }, 0);
Promise.reject(new Error("rejected boom"));
</script></body></html>`,
			"/csp": `<!doctype html><html lang="en"><head><title>CSP</title></head><body>
<script>document.title = "inline ran";</script></body></html>`,
			"/quiet": `<!doctype html><html lang="en"><head><title>Quiet</title></head><body><p>ok</p></body></html>`,
		},
		csp: map[string]bool{"/csp": true},
	}
	srv := serve(t, p)
	ctx := New(t)

	navigate(t, ctx, srv.URL+"/noisy")
	errs := ConsoleErrors(ctx)
	want := []string{
		"error: boom from page 42",
		"exception: Uncaught Error: uncaught boom",
		"exception: Uncaught (in promise) Error: rejected boom",
		"error: Failed to load resource: the server responded with a status of 404 (Not Found) (" + srv.URL + "/missing.png:1)",
	}
	for _, w := range want {
		if !slices.ContainsFunc(errs, func(e string) bool { return strings.HasPrefix(e, w) }) {
			t.Errorf("console errors lack %q; got:\n  %s", w, strings.Join(errs, "\n  "))
		}
	}
	if len(errs) != len(want) {
		t.Errorf("got %d console errors, want %d (logs and warnings are not errors):\n  %s", len(errs), len(want), strings.Join(errs, "\n  "))
	}

	f := runFake(t, func(tb testing.TB) { RequireNoConsoleErrors(tb, ctx) })
	if !f.failed || !strings.Contains(f.text(), "4 console error(s)") || !strings.Contains(f.text(), "uncaught boom") {
		t.Errorf("RequireNoConsoleErrors with errors: failed=%t, message %q", f.failed, f.text())
	}

	ClearConsoleErrors(ctx)
	navigate(t, ctx, srv.URL+"/quiet")
	if errs := ConsoleErrors(ctx); len(errs) != 0 {
		t.Errorf("after Clear and a quiet page: %q, want none", errs)
	}
	if f := runFake(t, func(tb testing.TB) { RequireNoConsoleErrors(tb, ctx) }); f.failed {
		t.Errorf("RequireNoConsoleErrors on a quiet page failed: %q", f.text())
	}

	// The web UI's CSP forbids inline scripts: a page that has one shows up.
	navigate(t, ctx, srv.URL+"/csp")
	errs = ConsoleErrors(ctx)
	if len(errs) != 1 || !strings.Contains(errs[0], "Content Security Policy") {
		t.Errorf("CSP violation: got %q, want one error naming the Content Security Policy", errs)
	}
}
