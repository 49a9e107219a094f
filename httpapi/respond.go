package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/examhall/examhall"
)

// writeJSON writes v as compact JSON without HTML escaping, as DRF's renderer does.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"detail":"A server error occurred."}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))) //nolint:errcheck // the client went away
}

// writeDetail writes DRF's {"detail": "…"} error body.
func writeDetail(w http.ResponseWriter, status int, detail string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `JWT realm="api"`)
	}
	writeJSON(w, status, map[string]string{"detail": detail})
}

// writeError answers with the status and body that err's code calls for.
// Internal errors are logged with the request's id and shown to the client
// only as a generic message. An error that only says the client went away
// is no failure of ours: it is recorded as 499 and nothing is written.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if clientGone(r, err) {
		recordClientGone(w, err)
		return
	}
	var se *statusError
	if errors.As(err, &se) {
		writeDetail(w, se.status, se.detail)
		return
	}
	var e *examhall.Error
	if !errors.As(err, &e) || e.Code == examhall.EINTERNAL {
		s.Logger.Error("request failed", "err", err, "method", r.Method, "path", r.URL.Path,
			"request_id", requestID(r.Context()))
		writeDetail(w, http.StatusInternalServerError, "A server error occurred.")
		return
	}
	switch e.Code {
	case examhall.EINVALID:
		if len(e.Fields) > 0 {
			writeJSON(w, http.StatusBadRequest, e.Fields)
		} else {
			writeDetail(w, http.StatusBadRequest, e.Message)
		}
	case examhall.ENOTFOUND:
		writeDetail(w, http.StatusNotFound, e.Message)
	case examhall.EUNAUTHORIZED:
		writeDetail(w, http.StatusUnauthorized, e.Message)
	case examhall.EFORBIDDEN:
		writeDetail(w, http.StatusForbidden, e.Message)
	case examhall.ECONFLICT:
		writeDetail(w, http.StatusConflict, e.Message)
	case examhall.EGONE:
		writeDetail(w, http.StatusGone, e.Message)
	case examhall.ETHROTTLED:
		if e.RetryAfter > 0 { // none when waiting would not help (a client event past its attempt's bound)
			w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds())))
		}
		writeDetail(w, http.StatusTooManyRequests, e.Message)
	case examhall.EUNAVAILABLE:
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(e.RetryAfter.Seconds())))))
		writeDetail(w, http.StatusServiceUnavailable, e.Message)
	default:
		writeDetail(w, http.StatusInternalServerError, "A server error occurred.")
	}
}

// statusClientClosedRequest is nginx's 499: the client closed the connection
// before it was answered. The request log records it; no client sees it.
const statusClientClosedRequest = 499

// clientGone reports whether err only tells that the request's own context
// ended because its client went away (net/http cancels it when the
// connection closes). A deadline of the server's, on a context of its own,
// leaves the request's context alive and stays an error.
func clientGone(r *http.Request, err error) bool {
	return errors.Is(r.Context().Err(), context.Canceled) &&
		(errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))
}

// recordClientGone tells the request log (logRequests) that the client went
// away while err was being waited for. Nothing is written: it is gone.
func recordClientGone(w http.ResponseWriter, err error) {
	for {
		switch v := w.(type) {
		case *statusRecorder:
			v.status, v.clientGone = statusClientClosedRequest, err
			return
		case interface{ Unwrap() http.ResponseWriter }:
			w = v.Unwrap()
		default:
			return
		}
	}
}

// absoluteURL is the public URL of path (with query, if any): on BaseURL when
// one is configured, else on the request's own scheme (as a trusted proxy
// reports it) and host.
func (s *Server) absoluteURL(r *http.Request, path string, query url.Values) *url.URL {
	u := &url.URL{Scheme: s.scheme(r), Host: r.Host, Path: path, RawQuery: query.Encode()}
	if s.BaseURL != nil {
		u.Scheme, u.Host = s.BaseURL.Scheme, s.BaseURL.Host
		u.Path = s.BaseURL.Path + path
	}
	return u
}

// requestURL is the public URL of the request itself.
func (s *Server) requestURL(r *http.Request) *url.URL {
	return s.absoluteURL(r, r.URL.Path, r.URL.Query())
}

// pyFloat is a number as Python's json writes a float: 100.0, 33.33 (a whole
// number keeps its ".0", which clients in Python read as a float).
type pyFloat float64

func (f pyFloat) MarshalJSON() ([]byte, error) {
	s := strconv.FormatFloat(float64(f), 'f', -1, 64)
	if !strings.ContainsAny(s, ".eEn") { // not NaN/Inf, which never arise here
		s += ".0"
	}
	return []byte(s), nil
}
