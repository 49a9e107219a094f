package httpapi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/attemptlist"
	"github.com/examhall/examhall/exports"
	"github.com/examhall/examhall/httpapi"
	"github.com/examhall/examhall/sqlstore"
	"github.com/xuri/excelize/v2"
)

const exportsPath = "/api/v2.5/admin/exports/"

// listCells is the attempts list's answer to query (every row, on one
// page) as the cells of each row: each JSON value's text, "" for null.
func listCells(t *testing.T, a *testAPI, admin, query string) [][]string {
	t.Helper()
	res := a.do("GET", "/api/v2.5/admin/attempts/?page_size=1000&"+query, admin, "", "")
	if res.status != http.StatusOK {
		t.Fatalf("list %s: %d %s", query, res.status, res.body)
	}
	var env struct{ Results []json.RawMessage }
	if err := json.Unmarshal([]byte(res.body), &env); err != nil {
		t.Fatal(err)
	}
	rows := [][]string{}
	for _, raw := range env.Results {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var keys []string
		var cells []string
		dec.Token() //nolint:errcheck // the object's "{"
		for dec.More() {
			key, _ := dec.Token()
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			keys = append(keys, key.(string))
			switch v := v.(type) {
			case nil:
				cells = append(cells, "")
			case json.Number:
				cells = append(cells, v.String())
			default:
				cells = append(cells, v.(string))
			}
		}
		if !reflect.DeepEqual(keys, attemptlist.Columns) {
			t.Fatalf("the list's fields %v are not the export's columns %v", keys, attemptlist.Columns)
		}
		rows = append(rows, cells)
	}
	return rows
}

// exportJob is an export job as the API shows it.
type exportJob struct {
	ID          int64   `json:"id"`
	Kind        string  `json:"kind"`
	Format      string  `json:"format"`
	Query       string  `json:"query"`
	State       string  `json:"state"`
	Progress    int     `json:"progress"`
	Rows        int64   `json:"rows"`
	CreatedBy   *int64  `json:"created_by"`
	Created     string  `json:"created"`
	Started     *string `json:"started"`
	Finished    *string `json:"finished"`
	Error       *string `json:"error"`
	DownloadURL *string `json:"download_url"`
}

func decodeJob(t *testing.T, body string) exportJob {
	t.Helper()
	var j exportJob
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	return j
}

// startExport posts an export and checks the 202 and its Location.
func startExport(t *testing.T, a *testAPI, admin, format, query string) exportJob {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"kind": "attempts", "format": format, "query": query})
	res := a.do("POST", exportsPath, admin, "application/json", string(body))
	if res.status != http.StatusAccepted {
		t.Fatalf("POST %s: %d %s", body, res.status, res.body)
	}
	j := decodeJob(t, res.body)
	if j.State != "queued" || j.Progress != 0 || j.Rows != 0 || j.DownloadURL != nil || j.Error != nil || j.Query != query {
		t.Errorf("a new job: %s", res.body)
	}
	if want := fmt.Sprintf("%s%s%d/", baseURL, exportsPath, j.ID); res.header.Get("Location") != want {
		t.Errorf("Location = %q, want %q", res.header.Get("Location"), want)
	}
	return j
}

// runExport runs the queued job and returns it as GET shows it then.
func runExport(t *testing.T, a *testAPI, admin string, id int64) exportJob {
	t.Helper()
	if !a.exports.RunOnce(context.Background()) {
		t.Fatal("no job was queued")
	}
	res := a.do("GET", fmt.Sprintf("%s%d/", exportsPath, id), admin, "", "")
	if res.status != http.StatusOK {
		t.Fatalf("GET job: %d %s", res.status, res.body)
	}
	return decodeJob(t, res.body)
}

// download fetches a done job's file and checks its headers.
func download(t *testing.T, a *testAPI, admin string, j exportJob, contentType string) []byte {
	t.Helper()
	want := fmt.Sprintf("%s%s%d/download/", baseURL, exportsPath, j.ID)
	if j.DownloadURL == nil || *j.DownloadURL != want {
		t.Fatalf("download_url = %v, want %s", j.DownloadURL, want)
	}
	res := a.do("GET", strings.TrimPrefix(want, baseURL), admin, "", "")
	if res.status != http.StatusOK {
		t.Fatalf("download: %d %s", res.status, res.body)
	}
	if got := res.header.Get("Content-Type"); got != contentType {
		t.Errorf("Content-Type = %q, want %q", got, contentType)
	}
	disposition := fmt.Sprintf(`attachment; filename="attempts-%d.%s"`, j.ID, j.Format)
	if got := res.header.Get("Content-Disposition"); got != disposition {
		t.Errorf("Content-Disposition = %q, want %q", got, disposition)
	}
	return []byte(res.body)
}

// xlsxCells reads every sheet of an XLSX file back as the cells the API
// shows: numbers as JSON writes them (score with two decimals), datetimes
// as the API's strings in the institute's time zone.
func xlsxCells(t *testing.T, file []byte) (header []string, rows [][]string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		raw, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) == 0 {
			t.Fatalf("sheet %s is empty", sheet)
		}
		header = raw[0]
		for _, r := range raw[1:] {
			for len(r) < len(header) {
				r = append(r, "")
			}
			for i, name := range header {
				switch name {
				case "date", "last_started_time", "last_answer_updated_time":
					if r[i] == "" {
						continue
					}
					serial, err := strconv.ParseFloat(r[i], 64)
					if err != nil {
						t.Fatalf("%s: %q is not an Excel date", name, r[i])
					}
					wall, err := excelize.ExcelDateToTime(serial, false)
					if err != nil {
						t.Fatal(err)
					}
					// The serial holds the wall-clock time to about a
					// microsecond: rounded to the millisecond, then shown in
					// the institute's zone as the API shows it.
					wall = wall.Round(time.Millisecond)
					r[i] = time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(),
						wall.Nanosecond(), kolkata).Format("2006-01-02T15:04:05.999999-07:00")
				case "score":
					v, err := strconv.ParseFloat(r[i], 64)
					if err != nil {
						t.Fatalf("score %q: %v", r[i], err)
					}
					r[i] = strconv.FormatFloat(v, 'f', 2, 64)
				}
			}
			rows = append(rows, r)
		}
	}
	return header, rows
}

// apiDates makes the list's datetimes comparable with an XLSX file's: to
// the millisecond, which an Excel date holds.
func apiDates(t *testing.T, rows [][]string) [][]string {
	out := [][]string{}
	for _, r := range rows {
		r = append([]string(nil), r...)
		for i, name := range attemptlist.Columns {
			if (name == "date" || name == "last_started_time" || name == "last_answer_updated_time") && r[i] != "" {
				at, err := time.Parse(time.RFC3339Nano, r[i])
				if err != nil {
					t.Fatal(err)
				}
				r[i] = at.Round(time.Millisecond).In(kolkata).Format("2006-01-02T15:04:05.999999-07:00")
			}
		}
		out = append(out, r)
	}
	return out
}

// TestExportFiles: a filtered query exported as CSV and as XLSX holds the
// rows the list shows for it, in its order, column for column; the job ends
// done at 100% with rows = the list's count. The fixture's pages hold two
// rows, so each walk takes several: by keyset for an ordering that runs one
// way, by offset for a mixed one.
func TestExportFiles(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		reportFixture(t, a)
		admin := "JWT " + a.token("admin")
		for _, query := range []string{
			"exams=1&ordering=-date&page=2&page_size=1", // paging parameters are ignored
			"?date_0=2020-01-11&date_1=2021-02-03",
			"ordering=-unanswered_count,id", // mixed directions: offset pages
			"state=0",                       // the running attempts: remaining_time as of now
			"users=999",                     // nothing
		} {
			t.Run(query, func(t *testing.T) {
				listQuery := strings.NewReplacer("page=2&page_size=1", "", "?", "").Replace(query)
				want := listCells(t, a, admin, listQuery)
				for _, format := range []string{"csv", "xlsx"} {
					j := startExport(t, a, admin, format, query)
					j = runExport(t, a, admin, j.ID)
					if j.State != "done" || j.Progress != 100 || j.Rows != int64(len(want)) || j.Error != nil || j.Finished == nil {
						t.Fatalf("%s job ended %+v, want done, 100%%, %d rows", format, j, len(want))
					}
					if format == "csv" {
						file := download(t, a, admin, j, "text/csv; charset=utf-8")
						records, err := csv.NewReader(bytes.NewReader(file)).ReadAll()
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(records[0], attemptlist.Columns) {
							t.Errorf("CSV header %v", records[0])
						}
						if got := records[1:]; !reflect.DeepEqual(got, want) && len(want)+len(got) > 0 {
							t.Errorf("CSV rows\n got %q\nwant %q", got, want)
						}
						continue
					}
					file := download(t, a, admin, j, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
					header, got := xlsxCells(t, file)
					if !reflect.DeepEqual(header, attemptlist.Columns) {
						t.Errorf("XLSX header %v", header)
					}
					if want := apiDates(t, want); !reflect.DeepEqual(got, want) && len(want)+len(got) > 0 {
						t.Errorf("XLSX rows\n got %q\nwant %q", got, want)
					}
				}
			})
		}
	})
}

// TestExportValidation: a request the endpoint or the §8.1 list would
// refuse is a 400 with every field's errors, and stores no job.
func TestExportValidation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		admin := "JWT " + a.token2("admin", examhall.RoleAdmin)
		tests := []struct {
			body, want string
		}{
			{`{"kind": "attempts", "format": "pdf"}`, `{"format":["\"pdf\" is not a valid choice."]}`},
			{`{"kind": "users", "format": "csv"}`, `{"kind":["\"users\" is not a valid choice."]}`},
			{`{}`, `{"format":["This field is required."],"kind":["This field is required."]}`},
			{`{"kind": "attempts", "format": "CSV"}`, `{"format":["\"CSV\" is not a valid choice."]}`},
			{`{"kind": "attempts", "format": 1}`, `{"format":["\"1\" is not a valid choice."]}`}, // DRF reads a number as its text
			{`{"kind": "attempts", "format": ["csv"]}`, `{"format":["Not a valid string."]}`},
			{`{"kind": "attempts", "format": "csv", "query": "state=2"}`,
				`{"query.state":["Select a valid choice. 2 is not one of the available choices."]}`},
			{`{"kind": "attempts", "format": "csv", "query": "?exams=x&users=1.5&date_0=2021-13-01"}`,
				`{"query.date":["Enter a valid date."],"query.exams":["Enter a number."],"query.users":["Enter a number."]}`},
			{`{"kind": "attempts", "format": "xlsx", "query": "exams=%zz"}`, `{"query":["Enter a valid query string."]}`},
			{`{"kind": "pdf", "format": "pdf", "query": "state=9"}`, `{"format":["\"pdf\" is not a valid choice."],` +
				`"kind":["\"pdf\" is not a valid choice."],"query.state":["Select a valid choice. 9 is not one of the available choices."]}`},
			{`{"kind": "attempts", "format": "csv", "colour": "red"}`, `{"colour":["Unknown field."]}`},
		}
		for _, tt := range tests {
			res := a.do("POST", exportsPath, admin, "application/json", tt.body)
			if res.status != http.StatusBadRequest || res.body != tt.want {
				t.Errorf("POST %s: %d %s, want 400 %s", tt.body, res.status, res.body, tt.want)
			}
		}
		if res := a.do("GET", exportsPath, admin, "", ""); res.body != `{"count":0,"next":null,"previous":null,"per_page":100,"results":[]}` {
			t.Errorf("a refused request stored a job: %s", res.body)
		}
		if a.exports.RunOnce(context.Background()) {
			t.Error("a refused request queued a job")
		}
	})
}

// token2 adds a user with role and returns a token of theirs.
func (a *testAPI) token2(username string, role examhall.Role) string {
	a.addUser(username, role)
	return a.token(username)
}

// TestExportAccess: only admins; an unknown job is a 404; a file before its
// job is done is a clear 409; the list is newest first, paginated.
func TestExportAccess(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		admin := "JWT " + a.token2("admin", examhall.RoleAdmin)
		student := "JWT " + a.token2("asha", examhall.RoleStudent)
		staff := "JWT " + a.token2("sam", examhall.RoleStaff)
		first := startExport(t, a, admin, "csv", "")
		second := startExport(t, a, admin, "xlsx", "state=1")
		forbidden := `{"detail":"You do not have permission to perform this action."}`
		paths := []string{exportsPath, fmt.Sprintf("%s%d/", exportsPath, first.ID), fmt.Sprintf("%s%d/download/", exportsPath, first.ID)}
		for _, token := range []string{student, staff} {
			for _, path := range paths {
				if res := a.do("GET", path, token, "", ""); res.status != http.StatusForbidden || res.body != forbidden {
					t.Errorf("GET %s as %s: %d %s", path, token[:10], res.status, res.body)
				}
			}
			res := a.do("POST", exportsPath, token, "application/json", `{"kind": "attempts", "format": "csv"}`)
			if res.status != http.StatusForbidden || res.body != forbidden {
				t.Errorf("POST as a non-admin: %d %s", res.status, res.body)
			}
		}
		if res := a.do("GET", exportsPath, "", "", ""); res.status != http.StatusUnauthorized {
			t.Errorf("GET without a token: %d %s", res.status, res.body)
		}
		for _, path := range []string{exportsPath + "999/", exportsPath + "999/download/", exportsPath + "x/", exportsPath + "0/download/"} {
			if res := a.do("GET", path, admin, "", ""); res.status != http.StatusNotFound || res.body != `{"detail":"Not found."}` {
				t.Errorf("GET %s: %d %s", path, res.status, res.body)
			}
		}
		res := a.do("GET", fmt.Sprintf("%s%d/download/", exportsPath, first.ID), admin, "", "")
		if want := `{"detail":"This export is queued (0%); download it when its state is done."}`; res.status != http.StatusConflict || res.body != want {
			t.Errorf("download before done: %d %s, want 409 %s", res.status, res.body, want)
		}
		res = a.do("GET", exportsPath+"?page_size=1", admin, "", "")
		var env struct {
			Count   int
			Next    *string
			Results []exportJob
		}
		if err := json.Unmarshal([]byte(res.body), &env); err != nil {
			t.Fatal(err)
		}
		if env.Count != 2 || len(env.Results) != 1 || env.Results[0].ID != second.ID || env.Next == nil ||
			*env.Next != baseURL+exportsPath+"?page=2&page_size=1" {
			t.Errorf("list: %s", res.body)
		}
		adminID := a.users["admin"].ID
		if j := env.Results[0]; j.CreatedBy == nil || *j.CreatedBy != adminID || j.Kind != "attempts" || j.Format != "xlsx" ||
			j.Query != "state=1" || j.State != "queued" || j.Created != "2026-01-05T10:00:00.250000+05:30" {
			t.Errorf("listed job: %+v", j)
		}
	})
}

// TestExportRestart: a job running or queued when its process stopped is
// failed by the next process's start, with an error that says so; its file
// is refused with a 409 that says why.
func TestExportRestart(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		admin := "JWT " + a.token2("admin", examhall.RoleAdmin)
		running := startExport(t, a, admin, "csv", "")
		queued := startExport(t, a, admin, "xlsx", "")
		if e, err := a.db.ClaimExport(context.Background()); err != nil || e.ID != running.ID {
			t.Fatalf("claim: %v %v", e, err)
		}
		if err := a.db.ExportProgress(context.Background(), running.ID, 40, 400); err != nil {
			t.Fatal(err)
		}
		// The next process: its start fails what the last one left.
		b := a.replica()
		for _, j := range []exportJob{running, queued} {
			res := b.do("GET", fmt.Sprintf("%s%d/", exportsPath, j.ID), admin, "", "")
			got := decodeJob(t, res.body)
			wantProgress, wantRows := 0, int64(0)
			if j.ID == running.ID {
				wantProgress, wantRows = 40, 400 // what it had done
			}
			if got.State != "failed" || got.Error == nil || *got.Error != exports.ErrTextRestarted ||
				got.Progress != wantProgress || got.Rows != wantRows || got.Finished == nil || got.DownloadURL != nil {
				t.Errorf("after a restart: %s", res.body)
			}
			res = b.do("GET", fmt.Sprintf("%s%d/download/", exportsPath, j.ID), admin, "", "")
			if want := `{"detail":"This export failed; there is no file to download. Export again."}`; res.status != http.StatusConflict || res.body != want {
				t.Errorf("download of a failed job: %d %s", res.status, res.body)
			}
		}
		if b.exports.RunOnce(context.Background()) {
			t.Error("the new process ran a job of the old one")
		}
	})
}

// TestExportInBackground: Run picks a job up as soon as it is asked for,
// and deletes it with its file once it is past retention.
func TestExportInBackground(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		dir := t.TempDir()
		var svc *exports.Service
		a := newTestAPIWith(t, engine, func(s *httpapi.Server) {
			db := s.Reports.(*sqlstore.DB)
			svc = exports.New(db, db, db, exports.Options{Dir: dir, Retention: time.Hour,
				PruneInterval: 20 * time.Millisecond, Clock: s.Auth.Clock})
			s.Exports = svc
		})
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			svc.Run(ctx)
		}()
		t.Cleanup(func() { stop(); <-done }) // before the database closes
		reportFixture(t, a)
		admin := "JWT " + a.token("admin")
		j := startExport(t, a, admin, "csv", "exams=1")
		path := fmt.Sprintf("%s%d/", exportsPath, j.ID)
		deadline := time.Now().Add(20 * time.Second)
		for j.State != "done" {
			if time.Now().After(deadline) || j.State == "failed" {
				t.Fatalf("the job did not finish: %+v", j)
			}
			time.Sleep(10 * time.Millisecond)
			j = decodeJob(t, a.do("GET", path, admin, "", "").body)
		}
		if j.Rows != 4 || j.Progress != 100 {
			t.Errorf("done: %+v", j)
		}
		file := filepath.Join(dir, fmt.Sprintf("attempts-%d.csv", j.ID))
		if _, err := os.Stat(file); err != nil {
			t.Fatal(err)
		}
		a.clock.Advance(time.Hour + time.Second) // past retention
		admin = "JWT " + a.token("admin")        // the old token expired too
		for {
			res := a.do("GET", path, admin, "", "")
			if res.status == http.StatusNotFound {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the job outlived its retention: %d %s", res.status, res.body)
			}
			time.Sleep(10 * time.Millisecond)
		}
		if _, err := os.Stat(file); !os.IsNotExist(err) {
			t.Errorf("the file outlived its job: %v", err)
		}
	})
}
