package httpapi

import (
	"net/http"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/drf"
)

// batchOutput is a batch as the admin API shows it.
type batchOutput struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Users int    `json:"users_count"`
}

// Page sizes of the admin batches list.
const (
	batchesPageSize    = 200
	batchesMaxPageSize = 1000
)

// listBatches is GET /api/v2.5/admin/batches/: the batches by name, paginated.
func (s *Server) listBatches(w http.ResponseWriter, r *http.Request) {
	page, err := drf.ParsePage(r.URL.Query(), batchesPageSize, batchesMaxPageSize)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var batches []examhall.Batch
	var count int
	resolved, err := fetchPage(page, func(offset int) (int, error) {
		batches, count, err = s.Users.Batches(r.Context(), offset, page.Size)
		return count, err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	results := make([]batchOutput, len(batches))
	for i, b := range batches {
		results[i] = batchOutput{ID: b.ID, Name: b.Name, Users: b.Users}
	}
	writeJSON(w, http.StatusOK, drf.NewEnvelope(s.requestURL(r), resolved, count, results))
}

// createBatch is POST /api/v2.5/admin/batches/ {"name"}.
func (s *Server) createBatch(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	b := &examhall.Batch{Name: in.Name}
	if err := s.Users.CreateBatch(r.Context(), b); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, batchOutput{ID: b.ID, Name: b.Name, Users: b.Users})
}

// renameBatch is PATCH /api/v2.5/admin/batches/<id>/ {"name"}: the users,
// exams and courses in the batch keep it under its new name.
func (s *Server) renameBatch(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	var in struct {
		Name *string `json:"name"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Name == nil {
		s.writeError(w, r, fieldErr("name", "This field is required."))
		return
	}
	b, err := s.Users.RenameBatch(r.Context(), id, *in.Name)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, batchOutput{ID: b.ID, Name: b.Name, Users: b.Users})
}
