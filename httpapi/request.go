package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/drf"
)

// statusError is a refusal that belongs to HTTP itself (a body too large, a
// content type we cannot read), answered with its own status and detail.
type statusError struct {
	status int
	detail string
}

func (e *statusError) Error() string { return e.detail }

// readStringFields reads the named fields of a JSON, form-encoded or multipart
// body as strings, the way DRF's CharField does: numbers become their text,
// missing, null, blank or other values are field errors. Surrounding blanks are
// trimmed from the fields in trim.
func readStringFields(r *http.Request, names []string, trim map[string]bool) (map[string]string, error) {
	raw, err := readBody(r)
	if err != nil {
		return nil, err
	}
	values := make(map[string]string, len(names))
	errs := examhall.FieldErrors{}
	for _, name := range names {
		v, present := raw[name]
		switch {
		case !present:
			errs.Add(name, "This field is required.")
			continue
		case v == nil:
			errs.Add(name, "This field may not be null.")
			continue
		}
		var s string
		switch v := v.(type) {
		case string:
			s = v
		case json.Number:
			s = v.String()
		default:
			errs.Add(name, "Not a valid string.")
			continue
		}
		if trim[name] {
			s = strings.TrimSpace(s)
		}
		if s == "" {
			errs.Add(name, "This field may not be blank.")
			continue
		}
		values[name] = s
	}
	return values, errs.Err()
}

// readBody decodes a request body into field values: JSON values for a JSON
// body, strings for forms.
func readBody(r *http.Request) (map[string]any, error) {
	ctype := r.Header.Get("Content-Type")
	media := ""
	if ctype != "" {
		var err error
		if media, _, err = mime.ParseMediaType(ctype); err != nil {
			return nil, unsupportedMedia(ctype)
		}
	}
	switch media {
	case "application/json":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, bodyReadError(err)
		}
		var v any
		if err := jsonError(drf.DecodeJSON(body, &v)); err != nil {
			return nil, err
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, &examhall.Error{Code: examhall.EINVALID, Message: "Invalid input.",
				Fields: map[string][]string{"non_field_errors": {fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", drf.PythonType(v))}}}
		}
		return obj, nil
	case "application/x-www-form-urlencoded", "multipart/form-data", "":
		var err error
		if media == "multipart/form-data" {
			err = r.ParseMultipartForm(1 << 20)
			if r.MultipartForm != nil {
				defer r.MultipartForm.RemoveAll() //nolint:errcheck // temporary files of uploads
			}
		} else {
			err = r.ParseForm()
		}
		if err != nil {
			return nil, bodyReadError(err)
		}
		obj := make(map[string]any, len(r.PostForm))
		errs := examhall.FieldErrors{}
		for k, v := range r.PostForm {
			if err := drf.CheckText(k); err != nil {
				return nil, examhall.Errorf(examhall.EINVALID, "A form field name %s.", textProblem(err))
			}
			if err := drf.CheckText(v[len(v)-1]); err != nil {
				errs.Add(k, drf.TextMessage(err))
			}
			obj[k] = v[len(v)-1]
		}
		return obj, errs.Err()
	default:
		return nil, unsupportedMedia(ctype)
	}
}

func unsupportedMedia(ctype string) error {
	return &statusError{status: http.StatusUnsupportedMediaType,
		detail: fmt.Sprintf("Unsupported media type %q in request.", ctype)}
}

func bodyReadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &statusError{status: http.StatusRequestEntityTooLarge,
			detail: fmt.Sprintf("Request body is larger than %d bytes.", tooBig.Limit)}
	}
	return examhall.Errorf(examhall.EINVALID, "Malformed request body.")
}
