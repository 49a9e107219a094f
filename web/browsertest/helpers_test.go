package browsertest

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// fakeTB records what the harness reports to a test. Fatalf and Skipf end
// the goroutine, as they do on a real test; run the code under test with
// runFake.
type fakeTB struct {
	testing.TB
	mu      sync.Mutex
	failed  bool
	skipped bool
	msgs    []string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) record(failed, skipped bool, format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed = f.failed || failed
	f.skipped = f.skipped || skipped
	f.msgs = append(f.msgs, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Errorf(format string, args ...any) { f.record(true, false, format, args...) }
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.record(true, false, format, args...)
	runtime.Goexit()
}
func (f *fakeTB) Skipf(format string, args ...any) {
	f.record(false, true, format, args...)
	runtime.Goexit()
}

func (f *fakeTB) text() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.msgs, "\n")
}

// runFake runs fn with a fakeTB in its own goroutine and waits for it. The
// fake's Cleanup is t's.
func runFake(t *testing.T, fn func(tb testing.TB)) *fakeTB {
	t.Helper()
	f := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f
}

// pages serves each body as text/html at its path; cspPages also get a
// strict Content-Security-Policy like the web UI's (no inline script).
// /ping answers "pong" and counts its hits.
type pages struct {
	html map[string]string
	csp  map[string]bool
	mu   sync.Mutex
	hits int
}

// strictCSP forbids inline scripts, as the web UI's policy does; inline
// styles and data: images keep the test pages short.
const strictCSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'"

func (p *pages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/ping" {
		p.mu.Lock()
		p.hits++
		p.mu.Unlock()
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprint(w, "pong")
		return
	}
	if r.URL.Path == "/favicon.ico" {
		// Chrome asks for it after the load; a 404 would be a console error
		// arriving at a random time.
		w.Header().Set("Content-Type", "image/png")
		w.Write(onePixelPNG)
		return
	}
	body, ok := p.html[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if p.csp[r.URL.Path] {
		w.Header().Set("Content-Security-Policy", strictCSP)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, body)
}

func (p *pages) pings() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits
}

// onePixelPNG is a 1×1 transparent PNG.
var onePixelPNG, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")

// serve starts p on 127.0.0.1 (httptest's default) for the test.
func serve(t *testing.T, p *pages) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv
}

// navigate loads url in the tab and waits for its load event.
func navigate(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigate %s: %v", url, err)
	}
}
