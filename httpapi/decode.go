package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/examhall/examhall"
)

// decodeJSON reads a JSON body into v, refusing unknown fields. Type errors
// become DRF-style field errors keyed by the field's path.
func decodeJSON(r *http.Request, v any) error {
	if media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); media != "application/json" {
		return unsupportedMedia(r.Header.Get("Content-Type"))
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return bodyReadError(err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "non_field_errors"
		}
		return fieldErr(field, "Expected "+jsonKind(typeErr.Type.Kind().String())+", got "+typeErr.Value+".")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fieldErr("non_field_errors", "Unknown field "+strings.TrimPrefix(err.Error(), "json: unknown field ")+".")
	case strings.Contains(err.Error(), "decimal"):
		return fieldErr("non_field_errors", "A valid number with at most two decimal places is required.")
	default:
		return examhall.Errorf(examhall.EINVALID, "JSON parse error - %s", jsonProblem(err))
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice":
		return "a list"
	case "struct", "map":
		return "an object"
	default:
		return "a number"
	}
}

func fieldErr(field, msg string) error {
	return &examhall.Error{Code: examhall.EINVALID, Message: "Invalid input.", Fields: map[string][]string{field: {msg}}}
}
