package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Viewports, in CSS pixels at a device scale factor of 1 (so a screenshot is
// as many PNG pixels wide as the page is CSS pixels wide).
const (
	DesktopWidth, DesktopHeight = 1280, 900
	// MobileWidth is the 375 px wide phone the issue asks the pages to work
	// on (iPhone SE/8/X class); MobileHeight is an iPhone X's.
	MobileWidth, MobileHeight = 375, 812
)

// Desktop sets the tab's viewport to [DesktopWidth]×[DesktopHeight], not
// mobile, no touch: the state [New] starts in.
func Desktop(ctx context.Context) error {
	return chromedp.Do(ctx, chromedp.EmulateViewport(DesktopWidth, DesktopHeight))
}

// Mobile makes the tab a [MobileWidth]×[MobileHeight] phone in portrait:
// mobile layout (the page's <meta name="viewport"> is honoured; without one
// the page is laid out 980 px wide, as on a real phone) and touch events.
// Clicks sent by chromedp still work. Undo with [Desktop].
func Mobile(ctx context.Context) error {
	return chromedp.Do(ctx, chromedp.EmulateViewport(MobileWidth, MobileHeight,
		chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
}

// Offline emulates the network going away (offline true) or coming back
// (false) for the tab and its service workers: requests fail with
// net::ERR_INTERNET_DISCONNECTED, navigator.onLine follows, and the page gets
// its "offline" and "online" events. Requests already answered are not
// affected. Failed requests are logged as console errors by the browser; see
// [ClearConsoleErrors].
func Offline(ctx context.Context, offline bool) error {
	// Network.emulateNetworkConditions is gone from the protocol; its
	// replacement takes rules (an empty URL pattern matches every request)
	// and leaves navigator.onLine to overrideNetworkState.
	rules := []*network.Conditions{}
	if offline {
		rules = append(rules, &network.Conditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		EmulateOfflineServiceWorker: &offline,
		MatchedNetworkConditions:    rules,
	}); err != nil {
		return fmt.Errorf("browsertest: emulating offline=%t: %w", offline, err)
	}
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Offline: offline, DownloadThroughput: -1, UploadThroughput: -1,
	}); err != nil {
		return fmt.Errorf("browsertest: setting navigator.onLine=%t: %w", !offline, err)
	}
	return nil
}

// screenshotName is what Screenshot accepts as a name: a plain file name.
var screenshotName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// screenshotDir overrides the folder of Screenshot (the harness's own tests
// write to a temp dir); empty means docs/screenshots of the module.
var screenshotDir string

// ScreenshotDir returns the folder screenshots are written to:
// docs/screenshots under the module root (the folder holding go.mod, found
// from the working directory up), created if missing.
func ScreenshotDir() (string, error) {
	if screenshotDir != "" {
		return screenshotDir, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("browsertest: no go.mod above the working directory")
		}
		dir = parent
	}
	out := filepath.Join(dir, "docs", "screenshots")
	return out, os.MkdirAll(out, 0o755)
}

// Screenshot writes a PNG of the whole page (not just the viewport) at the
// current viewport to docs/screenshots/<name>.png and returns its path. The
// image is as wide as the page's content in CSS pixels: the viewport width,
// or more if the page overflows sideways. name is lower-case letters, digits,
// '-' and '_'. Failures end the test.
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	if !screenshotName.MatchString(name) {
		t.Fatalf("browsertest: screenshot name %q: want [a-z0-9][a-z0-9_-]*", name)
	}
	dir, err := ScreenshotDir()
	if err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	// Quality 100 means PNG; the capture goes beyond the viewport.
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("browsertest: screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	return path
}
