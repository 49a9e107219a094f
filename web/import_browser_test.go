package web_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/web/browsertest"
)

// TestImportInBrowser: the import page previews a bundle (a dry run: the
// counts shown, nothing changed), refuses a bad one with the API's reason,
// and imports only when confirmed.
func TestImportInBrowser(t *testing.T) {
	t.Parallel()
	s := newSite(t, sqlstore.SQLite)
	s.importBundle(dashboardBundle)
	ctx := browsertest.New(t)
	admin := s.client("root")
	dir := t.TempDir()
	good := filepath.Join(dir, "new-students.json")
	bad := filepath.Join(dir, "bad.json")
	write := func(path, body string) {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(good, `{"format": "examhall-bundle/1",
	  "users": [{"username": "nina", "email": "nina@example.com", "first_name": "Nina", "last_name": "Shah", "role": "student"},
	            {"username": "asha", "email": "asha@example.com", "first_name": "Asha", "last_name": "Rao", "phone": "9000000001", "role": "student"}],
	  "subjects": [{"key": "bio", "name": "Biology", "parent": null}]}`)
	write(bad, `{"format": "examhall-bundle/1", "pupils": []}`)
	users := func() int {
		var list apiList[json.RawMessage]
		s.apiGet(admin, "/api/v2.5/admin/users/", &list)
		return list.Count
	}
	before := users()

	logIn(t, ctx, s, "root", "/admin/import/", "#bundle-file")
	browsertest.RequireAccessible(t, ctx)

	// A bad bundle: the API's reason, nothing imported.
	do(t, ctx, chromedp.SetUploadFiles(chromedp.CSS("#bundle-file"), []string{bad}), chromedp.Click(chromedp.CSS("#preview-button")),
		chromedp.WaitVisible(chromedp.CSS("#import-error")))
	reason := text(t, ctx, "#import-error")
	if !strings.Contains(reason, "pupils") {
		t.Errorf("bad bundle: %q", reason)
	}
	if errs := browsertest.ConsoleErrors(ctx); !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, "400 (Bad Request)") }) {
		t.Errorf("the refused bundle: console %q", errs)
	}
	browsertest.ClearConsoleErrors(ctx) // the browser logs the 400 it was meant to get

	// The preview: counts, and nothing changed.
	do(t, ctx, chromedp.SetUploadFiles(chromedp.CSS("#bundle-file"), []string{good}), chromedp.Click(chromedp.CSS("#preview-button")),
		chromedp.WaitVisible(chromedp.CSS("#import-preview")))
	heading := text(t, ctx, "#preview-heading")
	if fmt.Sprint(tableCells(t, ctx, "#preview-table")) != "[[subjects 1 0 0] [users 1 0 1]]" || heading != "Preview of new-students.json: nothing is imported yet" {
		t.Errorf("preview %q: %q", heading, tableCells(t, ctx, "#preview-table"))
	}
	if n := users(); n != before {
		t.Fatalf("the preview imported: %d users, were %d", n, before)
	}
	browsertest.RequireAccessible(t, ctx)

	// Confirmed: imported.
	do(t, ctx, chromedp.Click(chromedp.CSS("#confirm-import")), waitFor(`document.getElementById('import-status').textContent === 'The bundle was imported.'`))
	if fmt.Sprint(tableCells(t, ctx, "#preview-table")) != "[[subjects 1 0 0] [users 1 0 1]]" {
		t.Errorf("after import: %q", tableCells(t, ctx, "#preview-table"))
	}
	if n := users(); n != before+1 {
		t.Errorf("after import: %d users, want %d", n, before+1)
	}
	browsertest.RequireNoConsoleErrors(t, ctx)
}
