package browsertest

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core, vendored by scripts/vendor-web.sh (see axe/VENDORED.md).
//
//go:embed axe/axe.min.js
var axeSource string

// Violation is one axe-core rule that a page fails.
type Violation struct {
	ID      string   `json:"id"`      // axe rule id, e.g. "image-alt"
	Impact  string   `json:"impact"`  // "minor", "moderate", "serious" or "critical"
	Help    string   `json:"help"`    // one-line description of the rule
	HelpURL string   `json:"helpUrl"` // Deque's page on the rule
	Targets []string `json:"targets"` // CSS selector of each failing node
}

func (v Violation) String() string {
	return fmt.Sprintf("%s [%s] %s: %s (%s)", v.ID, v.Impact, v.Help, strings.Join(v.Targets, ", "), v.HelpURL)
}

// axeRun runs axe-core's default rule set (WCAG 2.x A and AA plus best
// practices) on the document and keeps the fields of Violation. A target is
// a list of selectors when the node is inside an iframe or a shadow root;
// it is joined with " >>> ".
const axeRun = `(async () => {
	const r = await axe.run(document, {resultTypes: ["violations"]});
	return r.violations.map(v => ({
		id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
		targets: v.nodes.map(n => n.target.map(s => Array.isArray(s) ? s.join(" >>> ") : s).join(" >>> ")),
	}));
})()`

// runAxe injects axe-core into the current page (once per page) and returns
// all its violations, of any impact.
func runAxe(ctx context.Context) ([]Violation, error) {
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err != nil {
		return nil, err
	}
	if !loaded {
		// Runtime.evaluate is not subject to the page's CSP, so pages keep
		// their strict script-src.
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
			return nil, fmt.Errorf("injecting axe-core: %w", err)
		}
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]Violation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("running axe-core: %w", err)
	}
	return vs, nil
}

// Axe runs axe-core in the tab's current page and returns its violations of
// impact serious or critical (the bar of issue 14), in axe's order. Failing
// to run axe ends the test.
func Axe(t testing.TB, ctx context.Context) []Violation {
	t.Helper()
	all, err := runAxe(ctx)
	if err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	var out []Violation
	for _, v := range all {
		if v.Impact == "serious" || v.Impact == "critical" {
			out = append(out, v)
		}
	}
	return out
}

// RequireAccessible fails the test, listing each rule with its failing
// nodes, if [Axe] reports any serious or critical violation on the current
// page.
func RequireAccessible(t testing.TB, ctx context.Context) {
	t.Helper()
	vs := Axe(t, ctx)
	if len(vs) == 0 {
		return
	}
	url, _ := chromedp.Run(ctx, chromedp.Location())
	lines := make([]string, len(vs))
	for i, v := range vs {
		lines[i] = v.String()
	}
	t.Errorf("browsertest: axe-core: %d serious or critical violation(s) on %s:\n  %s", len(vs), url, strings.Join(lines, "\n  "))
}
