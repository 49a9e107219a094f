// Package browsertest drives a real headless Chromium for the tests of the web
// UI (issue 14): it starts the browser, collects the console errors of pages,
// runs axe-core in a page, writes screenshots, and emulates a phone and the
// network going away.
//
// A test starts a browser with [New] and drives it with chromedp:
//
//	ctx := browsertest.New(t)
//	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/exam/1")); err != nil {
//		t.Fatal(err)
//	}
//	browsertest.RequireAccessible(t, ctx)
//	browsertest.Screenshot(t, ctx, "exam-room")
//	browsertest.RequireNoConsoleErrors(t, ctx)
//
// The browser is $EXAMHALL_TEST_CHROMIUM, else the first of chromium,
// chromium-browser and google-chrome on PATH. Without one the test is skipped,
// or fails when EXAMHALL_REQUIRE_BROWSER=1 (scripts/test.sh sets both, after
// installing Debian's chromium if it is missing).
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Environment variables read by [New].
const (
	// EnvBrowser names the browser binary to use instead of a search of PATH.
	EnvBrowser = "EXAMHALL_TEST_CHROMIUM"
	// EnvRequireBrowser set to "1" turns "no browser" from a skip into a failure.
	EnvRequireBrowser = "EXAMHALL_REQUIRE_BROWSER"
)

// browserNames are searched on PATH, in this order, when EnvBrowser is unset.
var browserNames = []string{"chromium", "chromium-browser", "google-chrome"}

// errNoBrowser is returned by findBrowser when no browser is found on PATH.
var errNoBrowser = errors.New("no browser found")

// findBrowser returns the path of the browser binary: $EXAMHALL_TEST_CHROMIUM
// when set (an error if it is not an executable file), else the first of
// browserNames on PATH. Returns errNoBrowser (wrapped) if there is none.
func findBrowser() (path string, explicit bool, err error) {
	if p := os.Getenv(EnvBrowser); p != "" {
		fi, err := os.Stat(p)
		if err != nil {
			return "", true, fmt.Errorf("%s=%s: %w", EnvBrowser, p, err)
		}
		if fi.IsDir() || fi.Mode()&0o111 == 0 {
			return "", true, fmt.Errorf("%s=%s: not an executable file", EnvBrowser, p)
		}
		return p, true, nil
	}
	for _, name := range browserNames {
		if p, err := exec.LookPath(name); err == nil {
			return p, false, nil
		}
	}
	return "", false, fmt.Errorf("%w: none of %v on PATH and %s is unset", errNoBrowser, browserNames, EnvBrowser)
}

// session is what New attaches to the context: the console errors seen so far.
type session struct {
	mu      sync.Mutex
	errors  []string
	markers map[string]chan struct{} // console.debug markers ConsoleErrors waits for
	seq     int
}

type sessionKey struct{}

func sessionOf(ctx context.Context) *session {
	s, _ := ctx.Value(sessionKey{}).(*session)
	return s
}

// New starts a headless browser for the test and returns a chromedp context
// for one tab in it; the browser is closed by t.Cleanup. The tab has a desktop
// viewport of [DesktopWidth]×[DesktopHeight] CSS pixels at scale 1 (see
// [Mobile] and [Desktop]). The context's deadline is shortly before the
// test's, so a hung step fails the test instead of the whole binary.
//
// Console errors, failed loads, CSP violations and uncaught exceptions of the
// tab's pages are collected from the start; see [ConsoleErrors].
//
// With no browser found, New skips the test, or fails it when
// EXAMHALL_REQUIRE_BROWSER=1; a wrong EXAMHALL_TEST_CHROMIUM always fails it.
// It returns nil only after t.Skip or t.Fatal, which end a real test.
func New(t testing.TB) context.Context {
	t.Helper()
	path, explicit, err := findBrowser()
	if err != nil {
		if explicit || os.Getenv(EnvRequireBrowser) == "1" {
			t.Fatalf("browsertest: %v (install Debian's chromium, or run scripts/test.sh, which does)", err)
		} else {
			t.Skipf("browsertest: %v; skipping (set %s=1 to fail instead)", err, EnvRequireBrowser)
		}
		return nil
	}

	parent, cancelParent := context.Background(), context.CancelFunc(func() {})
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if deadline, ok := d.Deadline(); ok {
			// Leave time for the failure to be reported and the cleanup to run.
			parent, cancelParent = context.WithDeadline(parent, deadline.Add(-5*time.Second))
		}
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.WindowSize(DesktopWidth, DesktopHeight),
	)
	if os.Geteuid() == 0 {
		// Chromium refuses to start its sandbox as root (containers, CI).
		opts = append(opts, chromedp.NoSandbox)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(parent, opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	s := &session{markers: map[string]chan struct{}{}}
	ctx = context.WithValue(ctx, sessionKey{}, s)

	collected := make(chan struct{})
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc() // waits for the browser process to exit
		cancelParent()
		<-collected
	})

	// The first action starts the browser and opens the tab.
	if err := Desktop(ctx); err != nil {
		close(collected)
		t.Fatalf("browsertest: starting %s: %v", path, err)
		return nil
	}
	messages := chromedp.Console(ctx)
	go func() {
		defer close(collected)
		for m, err := range messages {
			if err != nil {
				return // the context ended
			}
			s.record(m)
		}
	}()
	return ctx
}

func (s *session) record(m chromedp.ConsoleMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.Type == chromedp.ConsoleDebug {
		if ch, ok := s.markers[m.Text]; ok {
			close(ch)
			delete(s.markers, m.Text)
		}
		return
	}
	if m.Type != chromedp.ConsoleError && m.Type != chromedp.ConsoleException {
		return
	}
	text := m.String()
	if m.URL != "" {
		text += fmt.Sprintf(" (%s:%d)", m.URL, m.Line+1)
	}
	s.errors = append(s.errors, text)
}

// sync waits until every console message the page sent before the call has
// been recorded: it logs a marker and waits for it to come back (the protocol
// keeps the order of events). Gives up after 5 s or when ctx ends.
func (s *session) sync(ctx context.Context) {
	s.mu.Lock()
	s.seq++
	marker := fmt.Sprintf("examhall-browsertest-sync-%d", s.seq)
	done := make(chan struct{})
	s.markers[marker] = done
	s.mu.Unlock()

	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf("console.debug(%q)", marker))); err != nil {
		return
	}
	select {
	case <-done:
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
	}
}

// ConsoleErrors returns the console errors of the tab's pages since [New] or
// the last [ClearConsoleErrors], oldest first, each as "error: <text>" or
// "exception: <text>", followed by " (<url>:<line>)" when the browser names
// the source. They include console.error calls, uncaught exceptions and
// unhandled rejections, and browser log errors (a failed load, a CSP
// violation). Returns nil for a context not made by New.
func ConsoleErrors(ctx context.Context) []string {
	s := sessionOf(ctx)
	if s == nil {
		return nil
	}
	s.sync(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.errors)
}

// ClearConsoleErrors forgets the errors collected so far, e.g. after a step
// that is expected to log some (requests failing while offline).
func ClearConsoleErrors(ctx context.Context) {
	s := sessionOf(ctx)
	if s == nil {
		return
	}
	s.sync(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errors = nil
}

// RequireNoConsoleErrors fails the test, listing them, if [ConsoleErrors] is
// not empty.
func RequireNoConsoleErrors(t testing.TB, ctx context.Context) {
	t.Helper()
	if errs := ConsoleErrors(ctx); len(errs) > 0 {
		t.Errorf("browsertest: %d console error(s):\n  %s", len(errs), strings.Join(errs, "\n  "))
	}
}
