// Package examhall holds the domain of the examhall online-examination backend:
// its types, rules and error codes, free of HTTP and SQL. The adapters live in
// sub-packages: sqlstore (SQLite and PostgreSQL storage), httpapi (the REST API),
// auth (passwords and tokens) and drf (the Django REST Framework wire format).
// A use case that spans stores has a package of its own over the interfaces
// declared here: bundleimport (loading an institute bundle).
package examhall

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ErrorCode classifies an error for its callers; the HTTP layer maps each code to
// a status in one place.
type ErrorCode string

// The error codes of examhall.
const (
	EINVALID      ErrorCode = "invalid"      // bad input; Fields say which
	ENOTFOUND     ErrorCode = "not_found"    // no such record (or not the caller's)
	EUNAUTHORIZED ErrorCode = "unauthorized" // no valid credentials
	EFORBIDDEN    ErrorCode = "forbidden"    // valid credentials, not allowed
	ECONFLICT     ErrorCode = "conflict"     // the record changed or exists already
	EGONE         ErrorCode = "gone"         // what was asked for is no longer kept (a change feed cursor)
	ETHROTTLED    ErrorCode = "throttled"    // too many requests; RetryAfter says when to retry
	EUNAVAILABLE  ErrorCode = "unavailable"  // overloaded, nothing done; RetryAfter says when to retry
	EINTERNAL     ErrorCode = "internal"     // a fault of ours; never shown in detail
)

// Error is examhall's error: a code, a message safe to show to clients, and for
// EINVALID the errors of each field, in the shape of Django REST Framework
// (field name → messages; "non_field_errors" for the whole input).
type Error struct {
	Code       ErrorCode
	Message    string
	Fields     map[string][]string
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("examhall %s: %s", e.Code, e.Message)
	}
	names := make([]string, 0, len(e.Fields))
	for name := range e.Fields {
		names = append(names, name)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = name + ": " + strings.Join(e.Fields[name], " ")
	}
	return fmt.Sprintf("examhall %s: %s", e.Code, strings.Join(parts, "; "))
}

// Errorf returns an Error with the given code and a client-safe message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCodeOf returns the code of err: the Code of an *Error in its chain, or
// EINTERNAL for any other non-nil error.
func ErrorCodeOf(err error) ErrorCode {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// FieldErrors collects validation errors field by field, so that a request is
// answered with every problem at once.
type FieldErrors map[string][]string

// Add records msg against field.
func (f FieldErrors) Add(field, msg string) {
	f[field] = append(f[field], msg)
}

// Err returns the collected errors as an EINVALID *Error, or nil when there are none.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "Invalid input.", Fields: f}
}

// PrefixFields puts prefix before every field name of a validation error,
// so that the error of a nested record names where it is
// ("exams[0] \"mock-1\".sections[0].questions[1].marks"); any other error
// is returned as it is.
func PrefixFields(prefix string, err error) error {
	var e *Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	fields := map[string][]string{}
	for field, msgs := range e.Fields {
		fields[prefix+field] = msgs
	}
	return &Error{Code: e.Code, Message: e.Message, Fields: fields}
}

// Clock tells the time. Everything that depends on time (tokens, exam timing,
// throttling) reads it from a Clock, so that tests control time.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

// ErrWritesFull answers a write that finds the write queue full (the store's
// admission control): nothing was done, and the client may send it again
// after RetryAfter. The HTTP layer gives the same answer, before any work,
// while the queue stays full.
var ErrWritesFull = &Error{Code: EUNAVAILABLE, RetryAfter: time.Second,
	Message: "The server is busy; nothing was saved. Please try again in a moment."}
