package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/drf"
)

// The change feed of the admin attempts list (issue 16).
const (
	// changesCursorHeader carries, on every page of the list, the feed's
	// cursor at the snapshot the page was read at.
	changesCursorHeader = "X-Examhall-Changes-Cursor"
	changesPageSize     = 1000
	// changesCursorPrefix versions the cursor, opaque to clients: "1." and
	// the sequence value.
	changesCursorPrefix = "1."
)

// attemptChange is one change of GET /api/v2.5/admin/attempts/changes/.
type attemptChange struct {
	Seq     int64         `json:"seq"`
	ID      int64         `json:"id"`
	Deleted bool          `json:"deleted"`
	Attempt *adminAttempt `json:"attempt"` // null when deleted
}

type attemptChanges struct {
	Changes []attemptChange `json:"changes"`
	Next    string          `json:"next"`
	HasMore bool            `json:"has_more"`
}

func formatChangesCursor(seq int64) string {
	return changesCursorPrefix + strconv.FormatInt(seq, 10)
}

// parseChangesCursor reads a cursor formatChangesCursor wrote; ok is false
// for anything else.
func parseChangesCursor(s string) (seq int64, ok bool) {
	digits, found := strings.CutPrefix(s, changesCursorPrefix)
	if !found || digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, false
	}
	seq, err := strconv.ParseInt(digits, 10, 64)
	return seq, err == nil
}

// listAttemptChanges is GET /api/v2.5/admin/attempts/changes/?since=&limit=:
// the changes after the cursor since (absent: from the start of what is
// kept), oldest first, each attempt with its §8.1 row as the list shows it,
// or null when it was deleted. A cursor past retention or ahead of the feed
// is 410 (examhall.EGONE): the client walks the list again.
func (s *Server) listAttemptChanges(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	errs := examhall.FieldErrors{}
	since := int64(-1)
	if v, given := q["since"]; given {
		var ok bool
		if since, ok = parseChangesCursor(v[len(v)-1]); !ok {
			errs.Add("since", "Invalid cursor.")
		}
	}
	limit := changesPageSize
	if v := drf.Param(q, "limit"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			errs.Add("limit", "A valid integer is required.")
		case n < 1:
			errs.Add("limit", "Ensure this value is greater than or equal to 1.")
		case n > changesPageSize:
			errs.Add("limit", "Ensure this value is less than or equal to 1000.")
		}
		limit = n
	}
	if err := errs.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := s.Changes.AttemptChanges(r.Context(), since, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.Auth.Clock.Now()
	examURLs := s.absoluteURL(r, "/api/v2.5/admin/exams/", nil).String()
	userURLs := s.absoluteURL(r, "/api/v2.5/admin/users/", nil).String()
	body := attemptChanges{Changes: make([]attemptChange, len(page.Changes)), Next: formatChangesCursor(page.Next),
		HasMore: page.HasMore}
	for i, c := range page.Changes {
		body.Changes[i] = attemptChange{Seq: c.Seq, ID: c.ID, Deleted: c.Deleted}
		if c.Row != nil {
			row := s.adminAttempt(c.Row, now, examURLs, userURLs)
			body.Changes[i].Attempt = &row
		}
	}
	writeJSON(w, http.StatusOK, body)
}
