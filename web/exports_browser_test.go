package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/web/browsertest"
	"github.com/xuri/excelize/v2"
)

// download fetches an export's file with c (the admin's session, as the
// browser's link does) and returns its bytes and Content-Type.
func (s *site) download(c *http.Client, link string) ([]byte, string) {
	s.t.Helper()
	resp, err := c.Get(link)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		s.t.Fatalf("download %s: %d %v %s", link, resp.StatusCode, err, b)
	}
	return b, resp.Header.Get("Content-Type")
}

// apiRows is the attempts list for query (every page) as the export's
// rows: the §8.1 keys as header, then each result's JSON values as text
// (strings unquoted, null empty).
func (s *site) apiRows(c *http.Client, query string) [][]string {
	s.t.Helper()
	status, _, body := s.get(c, "/api/v2.5/admin/attempts/?page_size=1000&"+query)
	if status != 200 {
		s.t.Fatalf("attempts ?%s: %d %s", query, status, body)
	}
	var page struct {
		Next    *string           `json:"next"`
		Results []json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal([]byte(body), &page); err != nil || page.Next != nil || len(page.Results) == 0 {
		s.t.Fatalf("attempts ?%s: %v %s", query, err, body)
	}
	var out [][]string
	for _, raw := range page.Results {
		// The keys in the API's order: a decoder's tokens keep it.
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var keys, cells []string
		if _, err := dec.Token(); err != nil {
			s.t.Fatal(err)
		}
		for dec.More() {
			key, _ := dec.Token()
			var v any
			if err := dec.Decode(&v); err != nil {
				s.t.Fatal(err)
			}
			keys = append(keys, key.(string))
			switch v := v.(type) {
			case nil:
				cells = append(cells, "")
			case string:
				cells = append(cells, v)
			default:
				cells = append(cells, fmt.Sprint(v))
			}
		}
		if out == nil {
			out = append(out, keys)
		}
		out = append(out, cells)
	}
	return out
}

// xlsxDates is rows as an XLSX export shows them: its datetimes are date
// cells, read back as the institute's wall time (the API's offset).
func xlsxDates(t *testing.T, rows [][]string) [][]string {
	out := [][]string{rows[0]}
	for _, r := range rows[1:] {
		r = slices.Clone(r)
		for i, col := range rows[0] {
			if (col == "date" || strings.HasSuffix(col, "_time")) && strings.Contains(r[i], "T") {
				at, err := time.Parse(time.RFC3339Nano, r[i])
				if err != nil {
					t.Fatal(err)
				}
				r[i] = at.Format("2006-01-02 15:04:05")
			}
		}
		out = append(out, r)
	}
	return out
}

// TestExportsInBrowser: the attempts page's export buttons start a CSV and
// an XLSX export of the list as filtered there; the exports page shows each
// one's progress bar until done, then a download link; the files hold the
// rows the API lists for the same query (parsed back: encoding/csv and
// excelize).
func TestExportsInBrowser(t *testing.T) {
	t.Parallel()
	s := newSite(t, sqlstore.SQLite)
	s.importBundle(dashboardBundle)
	ctx := browsertest.New(t)
	admin := s.client("root")
	mock := s.examIDs(admin)["Mock Test 1"]
	query := fmt.Sprintf("exams=%d&state=1&ordering=-id", mock)
	want := s.apiRows(admin, query)
	if len(want) != 4 {
		t.Fatalf("the API lists %d rows, want a header and Asha's, Ravi's and Kiran's", len(want))
	}

	logIn(t, ctx, s, "root", "/admin/attempts/?"+query, "#attempt-table table")

	for _, format := range []string{"csv", "xlsx"} {
		do(t, ctx, chromedp.Click(chromedp.CSS("#export-"+format)))
		// The job this click started is the one ?job= names (the list also
		// holds the earlier one, maybe done already).
		until(t, ctx, `location.pathname === '/admin/exports/' && new URLSearchParams(location.search).get('job') !== null &&
			document.querySelector('#job-' + new URLSearchParams(location.search).get('job') + '[data-state=done] a[download]') !== null`)
		job := eval[struct {
			Title    string
			Progress string
			Link     string
			Status   string
		}](t, ctx, `(() => { const j = document.getElementById('job-' + new URLSearchParams(location.search).get('job')); return {
			title: j.querySelector('h3').textContent, progress: j.querySelector('progress').getAttribute('value'),
			link: j.querySelector('a[download]').href, status: document.getElementById('export-status').textContent }; })()`)
		wantTitle := fmt.Sprintf("%s export #", strings.ToUpper(format))
		if !strings.HasPrefix(job.Title, wantTitle) || !strings.HasSuffix(job.Title, "("+query+")") || job.Progress != "100" {
			t.Errorf("%s job shows %+v", format, job)
		}
		if !strings.HasSuffix(job.Status, "is ready: 3 rows.") && !strings.HasSuffix(job.Status, "started.") {
			t.Errorf("%s status %q", format, job.Status)
		}
		body, contentType := s.download(admin, job.Link)
		var got [][]string
		switch format {
		case "csv":
			rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
			if err != nil || contentType != "text/csv; charset=utf-8" {
				t.Fatalf("csv %q: %v", contentType, err)
			}
			got = rows
		case "xlsx":
			f, err := excelize.OpenReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("xlsx %q: %v", contentType, err)
			}
			rows, err := f.GetRows(f.GetSheetList()[0])
			if err != nil {
				t.Fatal(err)
			}
			got = rows
			wantXLSX := xlsxDates(t, want)
			if fmt.Sprint(got) != fmt.Sprint(wantXLSX) {
				t.Errorf("xlsx file holds\n%q\nwant the API's\n%q", got, wantXLSX)
			}
			got = want // compared
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s file holds\n%q\nwant the API's\n%q", format, got, want)
		}
		browsertest.RequireAccessible(t, ctx)
		if format == "xlsx" {
			browsertest.Screenshot(t, ctx, "exports")
			break
		}
		do(t, ctx, chromedp.Navigate(s.URL+"/admin/attempts/?"+query), chromedp.WaitVisible(chromedp.CSS("#attempt-table table")))
	}
	browsertest.RequireNoConsoleErrors(t, ctx)
}
