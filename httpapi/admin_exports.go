package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/drf"
	"github.com/examhall/examhall/exports"
)

// Page sizes of the export jobs list.
const (
	exportsPageSize    = 100
	exportsMaxPageSize = 1000
)

// exportsPath is the export jobs' collection (issue 14, part 5).
const exportsPath = "/api/v2.5/admin/exports/"

// exportOutput is an export job as the API shows it: error is null unless
// the job failed, download_url null until it is done, progress a whole
// percentage (100 only when done), rows the rows written so far.
type exportOutput struct {
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

func (s *Server) exportOutput(r *http.Request, e *examhall.Export) exportOutput {
	out := exportOutput{ID: e.ID, Kind: e.Kind, Format: e.Format, Query: e.Query, State: e.State.String(),
		Progress: e.Progress, Rows: e.Rows, CreatedBy: nonZero(e.CreatedBy), Created: s.formatTime(e.Created),
		Started: s.timePtr(e.Started), Finished: s.timePtr(e.Finished)}
	if e.State == examhall.ExportFailed {
		out.Error = &e.Error
	}
	if e.State == examhall.ExportDone {
		link := s.exportURL(r, e.ID) + "download/"
		out.DownloadURL = &link
	}
	return out
}

// exportURL is the public address of an export job.
func (s *Server) exportURL(r *http.Request, id int64) string {
	return s.absoluteURL(r, exportsPath+strconv.FormatInt(id, 10)+"/", nil).String()
}

// createExport is POST /api/v2.5/admin/exports/ {"kind": "attempts",
// "format": "csv"|"xlsx", "query": "<SPEC §8.1 query string>"}: 202 with the
// queued job and its address in Location; the job runs in the background.
func (s *Server) createExport(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Kind   *string `json:"kind"`
		Format *string `json:"format"`
		Query  *string `json:"query"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	e, err := s.Exports.Create(r.Context(), exports.Request{Kind: in.Kind, Format: in.Format, Query: in.Query,
		CreatedBy: caller(r).ID, LinkBase: s.absoluteURL(r, "/api/v2.5/admin/", nil).String()})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", s.exportURL(r, e.ID))
	writeJSON(w, http.StatusAccepted, s.exportOutput(r, e))
}

// listExports is GET /api/v2.5/admin/exports/: the jobs, newest first,
// paginated.
func (s *Server) listExports(w http.ResponseWriter, r *http.Request) {
	page, err := drf.ParsePage(r.URL.Query(), exportsPageSize, exportsMaxPageSize)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var list []examhall.Export
	var count int
	resolved, err := fetchPage(page, func(offset int) (int, error) {
		list, count, err = s.Exports.List(r.Context(), offset, page.Size)
		return count, err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	results := make([]exportOutput, len(list))
	for i := range list {
		results[i] = s.exportOutput(r, &list[i])
	}
	writeJSON(w, http.StatusOK, drf.NewEnvelope(s.requestURL(r), resolved, count, results))
}

// getExport is GET /api/v2.5/admin/exports/<id>/: the job's state.
func (s *Server) getExport(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	e, err := s.Exports.Get(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.exportOutput(r, e))
}

// downloadExport is GET /api/v2.5/admin/exports/<id>/download/: a done
// job's file as an attachment (ranges served); 409 before it is done.
func (s *Server) downloadExport(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	f, e, err := s.Exports.Open(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer f.Close()
	// A large file on a slow link takes longer than the server's write
	// timeout, which is meant for API answers.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(time.Hour))
	w.Header().Set("Content-Type", exports.ContentType(e.Format))
	w.Header().Set("Content-Disposition", `attachment; filename="`+exports.FileName(e)+`"`)
	var modified time.Time
	if e.Finished != nil {
		modified = *e.Finished
	}
	http.ServeContent(w, r, exports.FileName(e), modified, f)
}
