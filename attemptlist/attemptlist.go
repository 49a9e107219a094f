// Package attemptlist is the admin attempts list of SPEC §8.1 as one
// definition shared by everything that shows it: its query (ParseFilter) and
// its rows (Row, NewRow, Columns, Row.Cells). The API (httpapi) writes the
// rows as JSON and the exports (exports) as CSV and XLSX from the same Row,
// so that the two cannot drift apart.
package attemptlist

import (
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/drf"
)

// Row is one result of GET /api/v2.5/admin/attempts/, fields in the seed's
// order (SPEC §8.1). Datetimes are drf.FormatTime strings in the institute's
// time zone, durations drf.FormatDuration strings ("01:02:03"); nil pointers
// are JSON nulls.
type Row struct {
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

// Columns are the names of Row's fields in order: the JSON keys of a result,
// and the header of an export.
var Columns = func() []string {
	t := reflect.TypeFor[Row]()
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = t.Field(i).Tag.Get("json")
	}
	return names
}()

// NewRow renders row as the list shows it; a running attempt shows its clock
// as of now. Datetimes are rendered in loc (the institute's time zone);
// examURLs and userURLs are the absolute prefixes of the exam and user links
// ("https://host/api/v2.5/admin/exams/"), to which the id and "/" are added.
func NewRow(row *examhall.AttemptRow, now time.Time, loc *time.Location, examURLs, userURLs string) Row {
	a := row.Attempt
	exam := &examhall.Exam{Duration: row.ExamDuration, EndDate: row.ExamEndDate}
	a.Clock(now, exam, examhall.DefaultIdleTimeout)
	u := examhall.User{FirstName: row.FirstName, LastName: row.LastName}
	return Row{
		ID: a.ID, Date: drf.FormatTime(a.Date, loc), ExamID: a.ExamID, UserID: a.UserID, Email: row.Email,
		Name: nonEmpty(u.FullName()), Phone: nonEmpty(row.Phone), CorrectAnswersCount: a.Correct,
		IncorrectAnswersCount: a.Incorrect, UnansweredCount: a.Unanswered, Score: a.Score,
		Percentage: a.Percentage.Float64(), TimeTaken: drf.FormatDuration(a.TimeTaken),
		RemainingTime: drf.FormatDurationPtr(a.RemainingTime(exam)), Result: a.Result, State: a.State.String(),
		LastStartedTime:       drf.FormatTimePtr(a.LastStartedTime, loc),
		LastAnswerUpdatedTime: drf.FormatTimePtr(a.LastAnswerUpdatedTime, loc),
		Speed:                 a.Speed, ExamURL: examURLs + strconv.FormatInt(a.ExamID, 10) + "/",
		UserURL: userURLs + strconv.FormatInt(a.UserID, 10) + "/",
	}
}

// Cells appends to dst the text of each of r's Columns, as its JSON value
// reads: a string without its quotes, a number as JSON writes it, "" for
// null. A spreadsheet cell holds the same text as the API's JSON.
func (r *Row) Cells(dst []string) []string {
	return append(dst,
		strconv.FormatInt(r.ID, 10), r.Date, strconv.FormatInt(r.ExamID, 10), strconv.FormatInt(r.UserID, 10),
		r.Email, text(r.Name), text(r.Phone), strconv.Itoa(r.CorrectAnswersCount),
		strconv.Itoa(r.IncorrectAnswersCount), strconv.Itoa(r.UnansweredCount), r.Score.String(),
		jsonFloat(r.Percentage), r.TimeTaken, text(r.RemainingTime), r.Result, r.State, text(r.LastStartedTime),
		text(r.LastAnswerUpdatedTime), strconv.Itoa(r.Speed), r.ExamURL, r.UserURL)
}

func text(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// jsonFloat is f as encoding/json writes a float64: the shortest text that
// reads back as f, with an exponent only outside [1e-6, 1e21).
func jsonFloat(f float64) string {
	abs := f
	if abs < 0 {
		abs = -abs
	}
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		// "1e-07" → "1e-7", as encoding/json cleans it up.
		if n := len(s); n >= 4 && s[n-4] == 'e' && s[n-3] == '-' && s[n-2] == '0' {
			s = s[:n-2] + s[n-1:]
		}
		return s
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// states are the state filter's choices.
var states = map[string]examhall.AttemptState{
	"0": examhall.AttemptRunning, "1": examhall.AttemptCompleted, "3": examhall.AttemptNotStarted,
}

// ParseFilter reads the list's query parameters (SPEC §8.1) as django-filter
// and DRF's OrderingFilter do: bad values are field errors (an EINVALID
// *examhall.Error naming users, exams, state or date), unknown ordering
// terms are ignored, dates are days in loc, the institute's time zone. The
// snapshot and cursor of next links are read too; paging parameters are
// left to the caller.
func ParseFilter(q url.Values, loc *time.Location) (examhall.AttemptFilter, error) {
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
		if state, ok := states[v]; ok {
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
