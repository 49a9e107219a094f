package httpapi

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/bundle"
	"github.com/examhall/examhall/drf"
)

// decodeJSON reads a JSON body into v with drf.DecodeJSON: exactly one JSON
// value then only whitespace, keys matched exactly, unknown and repeated
// keys refused, no NUL in strings. Errors are DRF's: a body that is not one
// JSON value is {"detail": "JSON parse error - …"}, every field problem a
// field error keyed by its path ("sections[0].questions[1].marks").
func decodeJSON(r *http.Request, v any) error {
	if media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); media != "application/json" {
		return unsupportedMedia(r.Header.Get("Content-Type"))
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return bodyReadError(err)
	}
	return jsonError(drf.DecodeJSON(body, v))
}

// jsonError turns the errors of drf.DecodeJSON into examhall's: EINVALID
// for bad input, anything else (a target drf cannot fill) as it is, which
// is internal.
func jsonError(err error) error {
	return bundle.DecodeError(err, drf.Path.String, "")
}

// decodeJSONField decodes raw, the JSON text of one field of a body (a
// json.RawMessage kept to tell null from absent), into v, recording its
// problems against field in errs. It reports whether v was set.
func decodeJSONField(errs examhall.FieldErrors, field string, raw []byte, v any) bool {
	err := drf.DecodeJSON(raw, v)
	var fields drf.FieldErrors
	switch {
	case err == nil:
		return true
	case errors.As(err, &fields):
		for _, f := range fields {
			errs.Add(append(drf.Path{field}, f.Path...).String(), f.Message)
		}
	default: // raw came out of a decoded body: it is valid JSON
		errs.Add(field, "Invalid value.")
	}
	return false
}

func fieldErr(field, msg string) error {
	return &examhall.Error{Code: examhall.EINVALID, Message: "Invalid input.", Fields: map[string][]string{field: {msg}}}
}
