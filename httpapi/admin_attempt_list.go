package httpapi

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/attemptlist"
	"github.com/examhall/examhall/drf"
)

// Page sizes of the admin attempts list (SPEC §8.1).
const (
	attemptsPageSize    = 200
	attemptsMaxPageSize = 1000
)

// adminAttempt is one result of GET /api/v2.5/admin/attempts/: the one
// rendering of a §8.1 row, shared with the exports.
type adminAttempt = attemptlist.Row

// parseAttemptFilter reads the list's query parameters (see
// attemptlist.ParseFilter, which the exports validate their query with too).
func parseAttemptFilter(q url.Values, loc *time.Location) (examhall.AttemptFilter, error) {
	return attemptlist.ParseFilter(q, loc)
}

// listAdminAttempts is GET /api/v2.5/admin/attempts/. Its next and previous
// links carry the snapshot of the first page, and next links a cursor after
// the page's last row (when the ordering runs one way), so that a client
// following them sees every attempt that existed when it began exactly once,
// even on PostgreSQL where ids may commit out of order.
func (s *Server) listAdminAttempts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, err := drf.ParsePage(q, attemptsPageSize, attemptsMaxPageSize)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := parseAttemptFilter(q, s.location())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// One row beyond the page tells whether a next page exists: the rows
	// after the cursor decide it, not page × page_size against a count that
	// shrinks when a row already walked past leaves the filter.
	f.Limit = page.Size + 1
	if page.Last {
		f.After = nil
	}
	var rows []examhall.AttemptRow
	var count int
	var snapshot, changeSeq int64
	list := func() (int, error) {
		page, err := s.Reports.AttemptList(r.Context(), f)
		rows, count, snapshot, changeSeq = page.Rows, page.Count, page.Snapshot, page.ChangeSeq
		// A page read again (page=last, once the count is known) is read at
		// the first read's snapshot.
		f.Snapshot = snapshot
		return page.Count, err
	}
	resolved := page
	if f.After != nil {
		// The cursor places the page: it exists even when rows before it
		// have left the list since.
		_, err = list()
	} else {
		resolved, err = fetchPage(page, func(offset int) (int, error) {
			f.Offset = offset
			return list()
		})
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	more := len(rows) > page.Size
	rows = rows[:min(len(rows), page.Size)]
	now := s.Auth.Clock.Now()
	// The links of every row share their prefixes: built once, not per row.
	examURLs := s.absoluteURL(r, "/api/v2.5/admin/exams/", nil).String()
	userURLs := s.absoluteURL(r, "/api/v2.5/admin/users/", nil).String()
	results := make([]adminAttempt, len(rows))
	for i := range rows {
		results[i] = s.adminAttempt(&rows[i], now, examURLs, userURLs)
	}
	link := s.requestURL(r)
	query := link.Query()
	query.Set("snapshot", strconv.FormatInt(snapshot, 10))
	query.Del("cursor")
	link.RawQuery = query.Encode()
	env := drf.NewEnvelope(link, resolved, count, results)
	// Where a client that walked the list follows the change feed from: the
	// feed's position in the snapshot this page was read at.
	w.Header().Set(changesCursorHeader, formatChangesCursor(changeSeq))
	if len(rows) > 0 {
		if key, ok := f.CursorKey(&rows[len(rows)-1].Attempt); ok {
			env.Next = nil
			if more {
				parts := make([]string, len(key))
				for i, v := range key {
					parts[i] = strconv.FormatInt(v, 10)
				}
				query.Set("cursor", strings.Join(parts, "."))
				link.RawQuery = query.Encode()
				env.Next = drf.PageLink(link, resolved.Number+1)
			}
		}
	} else if f.After != nil {
		env.Next = nil // nothing after the cursor any more
	}
	writeJSON(w, http.StatusOK, env)
}

// adminAttempt renders a row; a running attempt shows its clock as of now.
// examURLs and userURLs are the absolute prefixes of the exam and user links.
func (s *Server) adminAttempt(row *examhall.AttemptRow, now time.Time, examURLs, userURLs string) adminAttempt {
	return attemptlist.NewRow(row, now, s.location(), examURLs, userURLs)
}

// examURL is the admin API address of an exam: the exam_url of attempts.
func (s *Server) examURL(r *http.Request, id int64) string {
	return s.absoluteURL(r, "/api/v2.5/admin/exams/"+strconv.FormatInt(id, 10)+"/", nil).String()
}
