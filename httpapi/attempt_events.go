package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/drf"
)

// Page sizes of an attempt's timeline.
const (
	eventsPageSize    = 100
	eventsMaxPageSize = 1000
)

// maxClientEventBytes bounds the body of a client event ({"type": …} is
// some 30 bytes): a larger one is 413 before it is read.
const maxClientEventBytes = 1024

// eventOutput is one event of an attempt's timeline (issue 16 §3).
type eventOutput struct {
	ID     int64           `json:"id"`
	Type   string          `json:"type"`
	At     string          `json:"at"`
	Source string          `json:"source"`
	Data   json.RawMessage `json:"data"`
}

func (s *Server) eventOutput(e *examhall.AttemptEvent) eventOutput {
	return eventOutput{ID: e.ID, Type: string(e.Type), At: drf.FormatTime(e.At, s.location()),
		Source: string(e.Source), Data: e.Data}
}

// listAttemptEvents is GET /api/v3/admin/attempts/<id>/events/: a page of
// the attempt's timeline, by time then id.
func (s *Server) listAttemptEvents(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	page, err := drf.ParsePage(r.URL.Query(), eventsPageSize, eventsMaxPageSize)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var events []examhall.AttemptEvent
	var count int
	resolved, err := fetchPage(page, func(offset int) (int, error) {
		events, count, err = s.Timeline.AttemptEvents(r.Context(), id, offset, page.Size)
		return count, err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	results := make([]eventOutput, len(events))
	for i := range events {
		results[i] = s.eventOutput(&events[i])
	}
	writeJSON(w, http.StatusOK, drf.NewEnvelope(s.requestURL(r), resolved, count, results))
}

// recordClientEvent is POST /api/v2.2/attempts/<id>/events/ with
// {"type": …}: the exam room reports an integrity signal of the caller's
// running attempt; 201 with the event as stored.
func (s *Server) recordClientEvent(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxClientEventBytes)
	var in struct {
		Type *string `json:"type"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Type == nil {
		s.writeError(w, r, fieldErr("type", "This field is required."))
		return
	}
	if !examhall.IsClientEvent(examhall.AttemptEventType(*in.Type)) {
		s.writeError(w, r, fieldErr("type", fmt.Sprintf(`"%s" is not a valid choice.`, *in.Type)))
		return
	}
	e, err := s.Timeline.RecordClientEvent(r.Context(), caller(r).ID, id, examhall.AttemptEventType(*in.Type))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, s.eventOutput(e))
}
