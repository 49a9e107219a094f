package browsertest

import (
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"
)

// tallPage is 2000 px tall, has a viewport meta and a click counter.
const tallPage = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tall</title>
<style>body{margin:0} #box{height:2000px;background:linear-gradient(#fff,#36c)}</style></head>
<body><button id="tap" type="button" onclick="this.textContent = Number(this.textContent) + 1">0</button>
<div id="box"></div></body></html>`

// noViewportPage has no viewport meta: a phone lays it out 980 px wide.
const noViewportPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Old</title></head>
<body><p>Hello</p></body></html>`

// pngSize decodes the file as PNG and returns its size in pixels.
func pngSize(t *testing.T, path string) (w, h int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img.Bounds().Dx(), img.Bounds().Dy()
}

// TestScreenshotAndMobile: screenshots are full-page PNGs as wide as the
// viewport, 1280 on the desktop and 375 on the phone; clicks work on the
// phone; Desktop undoes Mobile.
func TestScreenshotAndMobile(t *testing.T) {
	screenshotDir = t.TempDir()
	t.Cleanup(func() { screenshotDir = "" })
	p := &pages{html: map[string]string{"/tall": tallPage, "/old": noViewportPage}}
	srv := serve(t, p)
	ctx := New(t)

	navigate(t, ctx, srv.URL+"/tall")
	path := Screenshot(t, ctx, "desktop")
	if want := filepath.Join(screenshotDir, "desktop.png"); path != want {
		t.Errorf("path %s, want %s", path, want)
	}
	if w, h := pngSize(t, path); w != DesktopWidth || h < 2000 {
		t.Errorf("desktop screenshot %d×%d, want %d wide and the whole 2000+ px page", w, h, DesktopWidth)
	}

	if err := Mobile(ctx); err != nil {
		t.Fatal(err)
	}
	navigate(t, ctx, srv.URL+"/tall")
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.innerWidth`))
	if err != nil || width != MobileWidth {
		t.Errorf("innerWidth on the phone = %d (%v), want %d", width, err, MobileWidth)
	}
	coarse, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`matchMedia("(pointer: coarse)").matches`))
	if err != nil || !coarse {
		t.Errorf("phone pointer coarse = %t (%v), want true (touch)", coarse, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("tap")), chromedp.Click(chromedp.ID("tap"))); err != nil {
		t.Fatal(err)
	}
	if n, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("tap"))); err != nil || n != "2" {
		t.Errorf("after two clicks on the phone the counter reads %q (%v), want 2", n, err)
	}
	if w, h := pngSize(t, Screenshot(t, ctx, "mobile")); w != MobileWidth || h < 2000 {
		t.Errorf("mobile screenshot %d×%d, want %d wide and 2000+ px tall", w, h, MobileWidth)
	}
	// A page without <meta name="viewport"> is laid out about 980 px wide on
	// a phone, as on a real one (Chromium says 981): the width check catches it.
	navigate(t, ctx, srv.URL+"/old")
	if w, _ := pngSize(t, Screenshot(t, ctx, "mobile-old")); w < 980 || w > 981 {
		t.Errorf("page without viewport meta on the phone: %d px wide, want 980 or 981", w)
	}

	if err := Desktop(ctx); err != nil {
		t.Fatal(err)
	}
	navigate(t, ctx, srv.URL+"/tall")
	if w, _ := pngSize(t, Screenshot(t, ctx, "desktop-again")); w != DesktopWidth {
		t.Errorf("after Desktop: %d px wide, want %d", w, DesktopWidth)
	}

	for _, bad := range []string{"../escape", "Upper", "a/b", ""} {
		f := runFake(t, func(tb testing.TB) { Screenshot(tb, ctx, bad) })
		if !f.failed {
			t.Errorf("Screenshot(%q) did not fail", bad)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(screenshotDir))
	for _, e := range entries {
		if e.Name() == "escape.png" {
			t.Errorf("Screenshot wrote outside its folder")
		}
	}
}

// TestScreenshotDir: by default screenshots go to docs/screenshots of the
// module (the folder the README names).
func TestScreenshotDir(t *testing.T) {
	got, err := ScreenshotDir()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.Abs("../../docs/screenshots")
	if got != want {
		t.Errorf("ScreenshotDir() = %s, want %s", got, want)
	}
}

// offlinePage records the online/offline events it gets.
const offlinePage = `<!doctype html><html lang="en"><head><title>Offline</title></head><body><script>
window.netEvents = [];
addEventListener("offline", () => netEvents.push("offline"));
addEventListener("online", () => netEvents.push("online"));
</script></body></html>`

// TestOffline: offline, a fetch fails without reaching the server,
// navigator.onLine is false and the page hears "offline"; back online the
// same fetch works and the page hears "online".
func TestOffline(t *testing.T) {
	p := &pages{html: map[string]string{"/app": offlinePage}}
	srv := serve(t, p)
	ctx := New(t)
	navigate(t, ctx, srv.URL+"/app")

	const ping = `fetch("/ping", {cache: "no-store"}).then(r => r.text())`
	state := func() (online bool, events []string) {
		t.Helper()
		online, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`navigator.onLine`))
		if err != nil {
			t.Fatal(err)
		}
		events, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](`netEvents`))
		if err != nil {
			t.Fatal(err)
		}
		return online, events
	}

	if body, err := chromedp.Run(ctx, chromedp.Evaluate[string](ping, chromedp.EvalAwaitPromise)); err != nil || body != "pong" {
		t.Fatalf("online at first: fetch = %q, %v", body, err)
	}
	if err := Offline(ctx, true); err != nil {
		t.Fatal(err)
	}
	hits := p.pings()
	_, err := chromedp.Run(ctx, chromedp.Evaluate[string](ping, chromedp.EvalAwaitPromise))
	var exc *chromedp.ExceptionError
	if !errors.As(err, &exc) {
		t.Fatalf("offline: fetch error = %v, want the page's fetch to reject", err)
	}
	if p.pings() != hits {
		t.Errorf("offline: the server got the request")
	}
	if online, events := state(); online || !slices.Equal(events, []string{"offline"}) {
		t.Errorf("offline: navigator.onLine=%t events=%q, want false [offline]", online, events)
	}
	t.Logf("console while offline: %q", ConsoleErrors(ctx))
	ClearConsoleErrors(ctx)

	if err := Offline(ctx, false); err != nil {
		t.Fatal(err)
	}
	if body, err := chromedp.Run(ctx, chromedp.Evaluate[string](ping, chromedp.EvalAwaitPromise)); err != nil || body != "pong" {
		t.Errorf("back online: fetch = %q, %v; want pong", body, err)
	}
	if p.pings() != hits+1 {
		t.Errorf("back online: server hits %d, want %d", p.pings(), hits+1)
	}
	if online, events := state(); !online || !slices.Equal(events, []string{"offline", "online"}) {
		t.Errorf("back online: navigator.onLine=%t events=%q, want true [offline online]", online, events)
	}
	RequireNoConsoleErrors(t, ctx)
}
