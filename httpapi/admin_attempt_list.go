package httpapi

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/drf"
)

// Page sizes of the admin attempts list (SPEC §8.1).
const (
	attemptsPageSize    = 200
	attemptsMaxPageSize = 1000
)

// adminAttempt is one result of GET /api/v2.5/admin/attempts/, fields in
// the seed's order.
type adminAttempt struct {
	ID                    int64           `json:"id"`
	Date                  string          `json:"date"`
	ExamID                int64           `json:"exam_id"`
	UserID                int64           `json:"user_id"`
	Email                 string          `json:"email"`
	Name                  *string         `json:"name"`
	Phone                 *string         `json:"phone"`
	CorrectAnswersCount   int             `json:"correct_answers_count"`
	IncorrectAnswersCount int             `json:"incorrect_answers_count"`
	UnansweredCount       int             `json:"unanswered_count"`
	Score                 decimal.Decimal `json:"score"`
	Percentage            float64         `json:"percentage"`
	TimeTaken             string          `json:"time_taken"`
	RemainingTime         *string         `json:"remaining_time"`
	Result                string          `json:"result"`
	State                 string          `json:"state"`
	LastStartedTime       *string         `json:"last_started_time"`
	LastAnswerUpdatedTime *string         `json:"last_answer_updated_time"`
	Speed                 int             `json:"speed"`
	ExamURL               string          `json:"exam_url"`
	UserURL               string          `json:"user_url"`
}

// attemptStates are the state filter's choices.
var attemptStates = map[string]examhall.AttemptState{
	"0": examhall.AttemptRunning, "1": examhall.AttemptCompleted, "3": examhall.AttemptNotStarted,
}

// parseAttemptFilter reads the list's query parameters as django-filter and
// DRF's OrderingFilter do: bad values are field errors, unknown ordering
// terms are ignored, dates are days in the institute's time zone.
func parseAttemptFilter(q url.Values, loc *time.Location) (examhall.AttemptFilter, error) {
	var f examhall.AttemptFilter
	errs := examhall.FieldErrors{}
	number := func(name string) *int64 {
		v := drf.Param(q, name)
		if v == "" {
			return nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs.Add(name, "Enter a number.")
		}
		return &n
	}
	f.UserID, f.ExamID = number("users"), number("exams")
	// The snapshot is examhall's own, carried by next links: a value that is
	// not one is ignored, as DRF ignores parameters it does not know.
	if n, err := strconv.ParseInt(drf.Param(q, "snapshot"), 10, 64); err == nil && n > 0 {
		f.Snapshot = n
	}
	if v := drf.Param(q, "state"); v != "" {
		if state, ok := attemptStates[v]; ok {
			f.State = &state
		} else {
			errs.Add("state", fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", v))
		}
	}
	day := func(name string) *time.Time {
		v := drf.Param(q, name)
		if v == "" {
			return nil
		}
		t, err := drf.ParseDate(v, loc)
		if err != nil {
			errs.Add("date", "Enter a valid date.") // django-filter's range field is "date"
			return nil
		}
		return &t
	}
	f.StartedFrom = day("date_0")
	if to := day("date_1"); to != nil { // on or before that day: before the next one starts
		next := time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, loc)
		f.StartedBefore = &next
	}
	for _, term := range strings.Split(drf.Param(q, "ordering"), ",") {
		term = strings.TrimSpace(term)
		field := examhall.AttemptOrderField(strings.TrimPrefix(term, "-"))
		switch field {
		case examhall.OrderByDate, examhall.OrderByID, examhall.OrderByCorrect, examhall.OrderByIncorrect, examhall.OrderByUnanswered:
			f.Order = append(f.Order, examhall.AttemptOrder{Field: field, Desc: strings.HasPrefix(term, "-")})
		}
	}
	if len(f.Order) == 0 {
		f.Order = []examhall.AttemptOrder{{Field: examhall.OrderByDate, Desc: true}}
	}
	// The cursor is examhall's own, carried by next links; one that does not
	// parse is ignored and the page is found by its number.
	if c := drf.Param(q, "cursor"); c != "" {
		for _, part := range strings.Split(c, ".") {
			n, err := strconv.ParseInt(part, 10, 64)
			if err != nil {
				f.After = nil
				break
			}
			f.After = append(f.After, n)
		}
		// A cursor places a page only when it holds a value of every term of
		// an ordering that runs one way; any other is ignored, as one that
		// does not parse.
		if _, ok := f.CursorKey(&examhall.Attempt{}); !ok || len(f.After) != len(f.OrderKey()) {
			f.After = nil
		}
	}
	return f, errs.Err()
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
	var snapshot int64
	list := func() (int, error) {
		var err error
		rows, count, snapshot, err = s.Reports.AttemptList(r.Context(), f)
		// A page read again (page=last, once the count is known) is read at
		// the first read's snapshot.
		f.Snapshot = snapshot
		return count, err
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
// adminAttempt is one row of the list; examURLs and userURLs are the
// absolute prefixes of the exam and user links.
func (s *Server) adminAttempt(row *examhall.AttemptRow, now time.Time, examURLs, userURLs string) adminAttempt {
	a := row.Attempt
	exam := &examhall.Exam{Duration: row.ExamDuration, EndDate: row.ExamEndDate}
	a.Clock(now, exam, examhall.DefaultIdleTimeout)
	u := examhall.User{FirstName: row.FirstName, LastName: row.LastName}
	return adminAttempt{
		ID: a.ID, Date: s.formatTime(a.Date), ExamID: a.ExamID, UserID: a.UserID, Email: row.Email,
		Name: nonEmpty(u.FullName()), Phone: nonEmpty(row.Phone), CorrectAnswersCount: a.Correct,
		IncorrectAnswersCount: a.Incorrect, UnansweredCount: a.Unanswered, Score: a.Score,
		Percentage: a.Percentage.Float64(), TimeTaken: drf.FormatDuration(a.TimeTaken),
		RemainingTime: drf.FormatDurationPtr(a.RemainingTime(exam)), Result: a.Result, State: a.State.String(),
		LastStartedTime: s.timePtr(a.LastStartedTime), LastAnswerUpdatedTime: s.timePtr(a.LastAnswerUpdatedTime),
		Speed: a.Speed, ExamURL: examURLs + strconv.FormatInt(a.ExamID, 10) + "/",
		UserURL: userURLs + strconv.FormatInt(a.UserID, 10) + "/",
	}
}

// examURL is the admin API address of an exam: the exam_url of attempts.
func (s *Server) examURL(r *http.Request, id int64) string {
	return s.absoluteURL(r, "/api/v2.5/admin/exams/"+strconv.FormatInt(id, 10)+"/", nil).String()
}
