package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/drf"
)

// Page sizes of the webhook delivery log.
const (
	deliveriesPageSize    = 100
	deliveriesMaxPageSize = 1000
)

// deliveryOutput is a webhook delivery as the delivery log shows it (issue
// 13): payload is the JSON object sent, next_try is null unless the delivery
// is pending, last_status null before a receiver answered.
type deliveryOutput struct {
	ID          int64           `json:"id"`
	Event       string          `json:"event"`
	URL         string          `json:"url"`
	State       string          `json:"state"`
	Tries       int             `json:"tries"`
	LastStatus  *int            `json:"last_status"`
	LastError   string          `json:"last_error"`
	Created     string          `json:"created"`
	NextTry     *string         `json:"next_try"`
	DeliveredAt *string         `json:"delivered_at"`
	Payload     json.RawMessage `json:"payload"`
}

func (s *Server) deliveryOutput(d *examhall.WebhookDelivery) deliveryOutput {
	loc := s.location()
	out := deliveryOutput{ID: d.ID, Event: string(d.Event), URL: d.URL, State: d.State.String(), Tries: d.Tries,
		LastStatus: d.LastStatus, LastError: d.LastError, Created: drf.FormatTime(d.Created, loc), Payload: d.Payload}
	if d.State == examhall.DeliveryPending {
		next := drf.FormatTime(d.NextTry, loc)
		out.NextTry = &next
	}
	if d.DeliveredAt != nil {
		at := drf.FormatTime(*d.DeliveredAt, loc)
		out.DeliveredAt = &at
	}
	return out
}

// webhookEvents are the values the delivery log's event filter takes.
var webhookEvents = []examhall.WebhookEvent{examhall.EventExamStarted, examhall.EventExamCompleted,
	examhall.EventExamGraded, examhall.EventExamRegraded, examhall.EventContentStateChanged}

// parseDeliveryFilter reads the delivery log's filters: state (pending,
// delivered, failed), event (an X-Examhall-Event value), attempt_id.
func parseDeliveryFilter(q url.Values) (examhall.WebhookDeliveryFilter, error) {
	var f examhall.WebhookDeliveryFilter
	errs := examhall.FieldErrors{}
	invalid := func(name, v string) {
		errs.Add(name, fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", v))
	}
	if v := drf.Param(q, "state"); v != "" {
		if state, ok := examhall.ParseDeliveryState(v); ok {
			f.State = &state
		} else {
			invalid("state", v)
		}
	}
	if v := drf.Param(q, "event"); v != "" {
		for _, ev := range webhookEvents {
			if string(ev) == v {
				f.Event = ev
			}
		}
		if f.Event == "" {
			invalid("event", v)
		}
	}
	if v := drf.Param(q, "attempt_id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs.Add("attempt_id", "Enter a number.")
		}
		f.AttemptID = n
	}
	return f, errs.Err()
}

// listWebhookDeliveries is GET /api/v2.5/admin/webhook-deliveries/: the
// delivery log, newest first, paginated.
func (s *Server) listWebhookDeliveries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, err := drf.ParsePage(q, deliveriesPageSize, deliveriesMaxPageSize)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := parseDeliveryFilter(q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Limit = page.Size
	var list []examhall.WebhookDelivery
	var count int
	resolved, err := fetchPage(page, func(offset int) (int, error) {
		f.Offset = offset
		list, count, err = s.Webhooks.WebhookDeliveries(r.Context(), f)
		return count, err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	results := make([]deliveryOutput, len(list))
	for i := range list {
		results[i] = s.deliveryOutput(&list[i])
	}
	writeJSON(w, http.StatusOK, drf.NewEnvelope(s.requestURL(r), resolved, count, results))
}

// redeliverWebhook is POST /api/v2.5/admin/webhook-deliveries/<id>/redeliver/:
// the delivery is queued again, due now, with its id and payload; the answer
// is the delivery as it now stands.
func (s *Server) redeliverWebhook(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	d, err := s.Webhooks.RedeliverWebhook(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.deliveryOutput(d))
}

// maskedKey is how a set private key is shown: never its value.
const maskedKey = "********"

// webhookSettingsOutput is GET /api/v2.5/admin/settings/webhooks/: the
// configuration in force (stored settings over the flags).
type webhookSettingsOutput struct {
	ExamURL    string   `json:"exam_webhook_url"`
	ContentURL string   `json:"content_webhook_url"`
	PublicKey  string   `json:"public_key"`
	PrivateKey string   `json:"private_key"` // maskedKey when set, "" when not
	Events     []string `json:"events"`
}

func (s *Server) webhookSettingsOutput() webhookSettingsOutput {
	c := s.Webhooks.WebhookConfig()
	out := webhookSettingsOutput{ExamURL: c.ExamURL, ContentURL: c.ContentURL, PublicKey: c.PublicKey,
		Events: examhall.WebhookEventList(c.Events)}
	if c.PrivateKey != "" {
		out.PrivateKey = maskedKey
	}
	return out
}

// getWebhookSettings is GET /api/v2.5/admin/settings/webhooks/.
func (s *Server) getWebhookSettings(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.webhookSettingsOutput())
}

// patchWebhookSettings is PATCH /api/v2.5/admin/settings/webhooks/: each
// field given is stored (a string; events a list of names), or, when null,
// cleared back to its flag's value. Fields left out keep their values. Any
// invalid field changes nothing. The answer is GET's.
func (s *Server) patchWebhookSettings(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ExamURL    json.RawMessage `json:"exam_webhook_url"`
		ContentURL json.RawMessage `json:"content_webhook_url"`
		PublicKey  json.RawMessage `json:"public_key"`
		PrivateKey json.RawMessage `json:"private_key"`
		Events     json.RawMessage `json:"events"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	errs := examhall.FieldErrors{}
	changes := map[string]*string{}
	text := func(field, key string, raw json.RawMessage, check func(string) string) {
		if len(raw) == 0 {
			return
		}
		var v *string
		if !decodeJSONField(errs, field, raw, &v) {
			return
		}
		if v != nil && check != nil {
			if msg := check(*v); msg != "" {
				errs.Add(field, msg)
				return
			}
		}
		changes[key] = v
	}
	text("exam_webhook_url", examhall.SettingExamWebhookURL, in.ExamURL, examhall.CheckWebhookURL)
	text("content_webhook_url", examhall.SettingContentWebhookURL, in.ContentURL, examhall.CheckWebhookURL)
	text("public_key", examhall.SettingWebhookPublicKey, in.PublicKey, nil)
	text("private_key", examhall.SettingWebhookPrivateKey, in.PrivateKey, nil)
	if len(in.Events) > 0 {
		var names *[]string
		if decodeJSONField(errs, "events", in.Events, &names) {
			if names == nil {
				changes[examhall.SettingWebhookEvents] = nil
			} else {
				events := map[examhall.WebhookEvent]bool{}
				for _, name := range *names {
					if msg := examhall.CheckWebhookEvent(name); msg != "" {
						errs.Add("events", msg)
					}
					events[examhall.WebhookEventNames[name]] = true
				}
				list := strings.Join(examhall.WebhookEventList(events), ",")
				changes[examhall.SettingWebhookEvents] = &list
			}
		}
	}
	if err := errs.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.Webhooks.SetWebhookSettings(r.Context(), changes); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.webhookSettingsOutput())
}
