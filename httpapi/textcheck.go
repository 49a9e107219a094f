package httpapi

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/drf"
)

// checked is h behind checkText.
func checked(h http.HandlerFunc) http.HandlerFunc { return checkText(h).ServeHTTP }

// checkText refuses, with a 400 and before the handler runs (after
// authentication and permissions, where DRF would read the input), a request
// whose path or query holds text that no engine stores as it was sent:
// invalid UTF-8 or NUL (PostgreSQL's text refuses both with a 500-making
// "invalid byte sequence"; SQLite would keep them). A bad query value is a
// field error of its parameter, a bad path or parameter name a detail.
// Bodies are checked where they are decoded (decodeJSON, readBody).
func checkText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := requestText(r); err != nil {
			var e *examhall.Error
			if errors.As(err, &e) && len(e.Fields) > 0 {
				writeJSON(w, http.StatusBadRequest, e.Fields)
			} else {
				writeDetail(w, http.StatusBadRequest, err.Error())
			}
			return
		}
		next.ServeHTTP(w, r)
	})
}

// pathError is a path or query parameter name that is not text.
type pathError struct{ detail string }

func (e *pathError) Error() string { return e.detail }

// requestText checks the decoded path and every query name and value.
// Malformed query pairs are skipped here as handlers skip them (url.Values
// drops them).
func requestText(r *http.Request) error {
	if err := drf.CheckText(r.URL.Path); err != nil {
		return &pathError{"The URL path " + textProblem(err) + "."}
	}
	query, _ := url.ParseQuery(r.URL.RawQuery)
	errs := examhall.FieldErrors{}
	for name, values := range query {
		if err := drf.CheckText(name); err != nil {
			return &pathError{"A query parameter name " + textProblem(err) + "."}
		}
		for _, v := range values {
			if err := drf.CheckText(v); err != nil {
				errs.Add(name, drf.TextMessage(err))
				break
			}
		}
	}
	return errs.Err()
}

// textProblem says what is wrong with text that drf.CheckText refused.
func textProblem(err error) string {
	if errors.Is(err, drf.ErrNullCharacter) {
		return "holds a null character"
	}
	return "is not valid UTF-8 text"
}
