package examhall

import (
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/examhall/examhall/decimal"
)

// WebhookEvent is the kind of a webhook delivery, sent as the
// X-Examhall-Event header (issue 13).
type WebhookEvent string

// The webhook events. The exam events go to the exam webhook URL, the content
// event to the content webhook URL (SPEC §10); graded and regraded are
// examhall's own, opt-in with WebhookConfig.Events.
const (
	EventExamStarted         WebhookEvent = "exam.started"
	EventExamCompleted       WebhookEvent = "exam.completed"
	EventExamGraded          WebhookEvent = "exam.graded"   // the last pending essay of an attempt was graded
	EventExamRegraded        WebhookEvent = "exam.regraded" // a regrade changed a completed attempt's score
	EventContentStateChanged WebhookEvent = "content.state_changed"
)

// WebhookEventNames are the names --webhook-events takes, by the exam event
// each selects.
var WebhookEventNames = map[string]WebhookEvent{
	"started":   EventExamStarted,
	"completed": EventExamCompleted,
	"graded":    EventExamGraded,
	"regraded":  EventExamRegraded,
}

// webhookEventOrder is the order in which event names are listed.
var webhookEventOrder = []string{"started", "completed", "graded", "regraded"}

// WebhookEventList names the exam events in events, in the order started,
// completed, graded, regraded (never nil).
func WebhookEventList(events map[WebhookEvent]bool) []string {
	names := []string{}
	for _, name := range webhookEventOrder {
		if events[WebhookEventNames[name]] {
			names = append(names, name)
		}
	}
	return names
}

// DefaultWebhookEvents is --webhook-events' default: what Testpress sends.
const DefaultWebhookEvents = "started,completed"

// ParseWebhookEvents reads a comma-separated list of WebhookEventNames.
// Returns EINVALID naming the first unknown name.
func ParseWebhookEvents(list string) (map[WebhookEvent]bool, error) {
	events := map[WebhookEvent]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		ev, ok := WebhookEventNames[name]
		if !ok {
			return nil, Errorf(EINVALID, "unknown webhook event %q (want started, completed, graded or regraded)", name)
		}
		events[ev] = true
	}
	return events, nil
}

// WebhookConfig is where and how events are sent. An empty URL sends no
// event of its kind; Events selects the exam events (content events go
// whenever ContentURL is set).
type WebhookConfig struct {
	ExamURL    string
	ContentURL string
	PublicKey  string // the payloads' key field
	PrivateKey string // the HMAC key of their hash; never logged nor shown
	Events     map[WebhookEvent]bool
}

// URLFor is the URL an event goes to, "" when it is not sent.
func (c WebhookConfig) URLFor(ev WebhookEvent) string {
	if ev == EventContentStateChanged {
		return c.ContentURL
	}
	if !c.Events[ev] {
		return ""
	}
	return c.ExamURL
}

// WebhookConfigSource gives the webhook configuration in force now; the
// store asks it in every transaction that may cause an event.
type WebhookConfigSource interface {
	WebhookConfig() WebhookConfig
}

// The settings keys of the webhook configuration stored through the admin
// API (issue 13). A stored value wins over its flag; a key with no row falls
// back to the flag, so the flags are the defaults.
const (
	SettingExamWebhookURL    = "exam_webhook_url"
	SettingContentWebhookURL = "content_webhook_url"
	SettingWebhookPublicKey  = "webhook_public_key"
	SettingWebhookPrivateKey = "webhook_private_key"
	SettingWebhookEvents     = "webhook_events" // WebhookEventList joined with ","
)

// WebhookSettingKeys are the settings keys above.
var WebhookSettingKeys = []string{SettingExamWebhookURL, SettingContentWebhookURL, SettingWebhookPublicKey,
	SettingWebhookPrivateKey, SettingWebhookEvents}

// WithSettings returns c with the stored values of WebhookSettingKeys (by
// key) in place of its own. A stored events value that does not parse
// selects no exam event (SetWebhookSettings stores none such).
func (c WebhookConfig) WithSettings(stored map[string]string) WebhookConfig {
	for key, value := range stored {
		switch key {
		case SettingExamWebhookURL:
			c.ExamURL = value
		case SettingContentWebhookURL:
			c.ContentURL = value
		case SettingWebhookPublicKey:
			c.PublicKey = value
		case SettingWebhookPrivateKey:
			c.PrivateKey = value
		case SettingWebhookEvents:
			c.Events, _ = ParseWebhookEvents(value)
		}
	}
	return c
}

// CheckWebhookURL returns why s cannot be a webhook URL, "" when it can:
// an absolute http:// or https:// URL with a host, or "" (send none).
func CheckWebhookURL(s string) string {
	if s == "" {
		return ""
	}
	if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "Enter a valid http:// or https:// URL."
	}
	return ""
}

// CheckWebhookEvent returns why name is not a WebhookEventNames name, ""
// when it is.
func CheckWebhookEvent(name string) string {
	if _, ok := WebhookEventNames[name]; ok {
		return ""
	}
	return fmt.Sprintf("%q is not a valid event; valid events are %s.", name, strings.Join(webhookEventOrder, ", "))
}

// WebhookSettingsStore keeps the webhook configuration the admin API sets,
// shared by every replica.
type WebhookSettingsStore interface {
	// WebhookConfig is the configuration in force: the stored settings over
	// the flags. A change made on any replica is in force here from this
	// replica's next authenticated request (or sweep) on.
	WebhookConfigSource
	// SetWebhookSettings changes the stored settings in one transaction:
	// each key of changes (one of WebhookSettingKeys) is stored with its
	// value, or deleted when the value is nil (its flag applies again); keys
	// not in changes keep their values. Returns EINVALID, with fields named
	// by key, for an unknown key, a URL CheckWebhookURL refuses or an events
	// value ParseWebhookEvents refuses; nothing is then changed.
	SetWebhookSettings(ctx context.Context, changes map[string]*string) error
}

// WebhookAdminStore is what the admin API needs of webhooks: the delivery
// log and the settings.
type WebhookAdminStore interface {
	WebhookLog
	WebhookSettingsStore
}

// StaticWebhookConfig is a WebhookConfigSource that never changes (the
// command-line flags).
type StaticWebhookConfig WebhookConfig

// WebhookConfig returns c.
func (c StaticWebhookConfig) WebhookConfig() WebhookConfig { return WebhookConfig(c) }

// DeliveryState is where a webhook delivery stands.
type DeliveryState int

// The delivery states; the numbers are stored.
const (
	DeliveryPending   DeliveryState = 0
	DeliveryDelivered DeliveryState = 1
	DeliveryFailed    DeliveryState = 2
)

var deliveryStateNames = [...]string{"pending", "delivered", "failed"}

// String is the state as the delivery log shows it.
func (s DeliveryState) String() string { return deliveryStateNames[s] }

// ParseDeliveryState reads a state's name; ok is false for another.
func ParseDeliveryState(name string) (DeliveryState, bool) {
	for i, n := range deliveryStateNames {
		if n == name {
			return DeliveryState(i), true
		}
	}
	return 0, false
}

// WebhookDelivery is one event in the outbox with the outcome of its tries.
type WebhookDelivery struct {
	ID               int64 // also the X-Examhall-Delivery header: the same on every try
	Event            WebhookEvent
	AttemptID        int64 // the exam attempt of an exam event, 0 for a content event
	ContentAttemptID int64 // the content attempt of a content event, 0 for an exam event
	URL              string
	Payload          json.RawMessage
	State            DeliveryState
	Tries            int
	LastStatus       *int   // the receiver's last HTTP status; nil before an answer
	LastError        string // why the last try failed, "" when it did not
	Created          time.Time
	Queued           time.Time // created, or the last redelivery: give-up counts from it
	NextTry          time.Time
	DeliveredAt      *time.Time
}

// WebhookOutcome is what one try of a delivery came to.
type WebhookOutcome struct {
	Status    int    // the HTTP status, 0 when no answer came
	Error     string // "" when delivered
	Delivered bool
	Duration  time.Duration // how long the try took
	// NextTry is when to try again; zero gives up (the delivery fails).
	NextTry time.Time
}

// WebhookDeliveryFilter selects a page of the delivery log.
type WebhookDeliveryFilter struct {
	State     *DeliveryState
	Event     WebhookEvent // "": any
	AttemptID int64        // 0: any
	Offset    int
	Limit     int
}

// WebhookOutbox is the durable outbox of webhook deliveries. The events are
// written by the store in the transactions of the changes that cause them;
// these methods serve the delivery worker and the delivery log.
type WebhookOutbox interface {
	// ClaimWebhookDeliveries leases up to limit pending deliveries that are
	// due and are the earliest pending of their attempt, to owner until
	// lease from now, oldest first. A delivery leased to another owner is
	// not claimed until its lease ends (then it may be sent twice: at least
	// once).
	ClaimWebhookDeliveries(ctx context.Context, owner string, limit int, lease time.Duration) ([]WebhookDelivery, error)
	// FinishWebhookDelivery records the outcome of owner's try of the
	// delivery id and ends its lease. A delivery no longer leased to owner
	// records the outcome all the same (its try happened).
	FinishWebhookDelivery(ctx context.Context, id int64, owner string, o WebhookOutcome) error
	WebhookLog
	// PruneWebhookDeliveries deletes the deliveries delivered before
	// before, and returns how many.
	PruneWebhookDeliveries(ctx context.Context, before time.Time) (int64, error)
}

// WebhookLog is the delivery log: what was queued, how its tries went.
type WebhookLog interface {
	// WebhookDeliveries returns a page of the delivery log, newest first,
	// and how many deliveries f selects.
	WebhookDeliveries(ctx context.Context, f WebhookDeliveryFilter) ([]WebhookDelivery, int, error)
	// RedeliverWebhook queues the delivery id again, due now, with the same
	// id and payload. Returns ENOTFOUND if there is no such delivery.
	RedeliverWebhook(ctx context.Context, id int64) (*WebhookDelivery, error)
}

// WebhookExam is the exam as the exam payload shows it.
type WebhookExam struct {
	ID        int64   `json:"id"`
	Title     string  `json:"title"`
	Duration  *string `json:"duration"`
	StartDate *string `json:"start_date"`
	EndDate   *string `json:"end_date"`
}

// SubjectStat is one row of an attempt's subject_stats, as the admin attempt
// detail (SPEC §8.2) and the exam webhook payload show it.
type SubjectStat struct {
	SubjectID                  *int64          `json:"subject_id"`
	SubjectName                string          `json:"subject_name"`
	TotalCount                 int             `json:"total_count"`
	CorrectAnswersCount        int             `json:"correct_answers_count"`
	UnansweredCount            int             `json:"unanswered_count"`
	IncorrectAnswersCount      int             `json:"incorrect_answers_count"`
	ParentSubjectID            *int64          `json:"parent_subject_id"`
	IsLeaf                     bool            `json:"is_leaf"`
	Score                      decimal.Decimal `json:"score"`
	PartialCorrectAnswersCount int             `json:"partial_correct_answers_count"`
}

// DifficultyStat is one value of an attempt's difficulty_level_stats, keyed
// by level ("uncategorized" for questions without one).
type DifficultyStat struct {
	CorrectAnswersCount        int `json:"correct_answers_count"`
	IncorrectAnswersCount      int `json:"incorrect_answers_count"`
	PartialCorrectAnswersCount int `json:"partial_correct_answers_count"`
	UnansweredCount            int `json:"unanswered_count"`
	TotalCount                 int `json:"total_count"`
}

// ExamPayload is the exam webhook's body: fields and order as SPEC §10 lists
// them. Datetimes and durations are in the wire format (SPEC §2), score a
// two-decimal string, percentage a JSON number.
type ExamPayload struct {
	Username                   string                    `json:"username"`
	Accuracy                   int                       `json:"accuracy"`
	Hash                       string                    `json:"hash"`
	Exam                       WebhookExam               `json:"exam"`
	SubjectStats               []SubjectStat             `json:"subject_stats"`
	Email                      string                    `json:"email"`
	PartialCorrectAnswersCount int                       `json:"partial_correct_answers_count"`
	AttemptID                  int64                     `json:"attempt_id"`
	AttemptState               string                    `json:"attempt_state"` // started or completed
	IncorrectAnswersCount      int                       `json:"incorrect_answers_count"`
	DifficultyLevelStats       map[string]DifficultyStat `json:"difficulty_level_stats"`
	CompletedOn                *string                   `json:"completed_on"`
	UnansweredAnswersCount     int                       `json:"unanswered_answers_count"`
	Key                        string                    `json:"key"`
	AttemptStartTime           string                    `json:"attempt_start_time"`
	UserID                     int64                     `json:"user_id"`
	Percentage                 json.Number               `json:"percentage"`
	Score                      decimal.Decimal           `json:"score"`
	Speed                      int                       `json:"speed"`
	InstituteAttemptID         *string                   `json:"institute_attempt_id"`
	CorrectAnswersCount        int                       `json:"correct_answers_count"`
}

// WireFormat renders instants and durations as the API does (SPEC §2); the
// store passes drf's functions with the institute's time zone.
type WireFormat struct {
	Time     func(time.Time) string
	Duration func(time.Duration) string
}

func (f WireFormat) timePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := f.Time(*t)
	return &s
}

// ExamPayloadInput is what an exam payload is made of.
type ExamPayloadInput struct {
	Attempt              *Attempt
	Exam                 *Exam
	Username, Email      string
	SubjectStats         []SubjectStat             // nil: none (a started attempt)
	DifficultyLevelStats map[string]DifficultyStat // nil: none
}

// NewExamPayload builds the exam payload of an attempt as it stands, signed
// with c's keys.
func NewExamPayload(in ExamPayloadInput, c WebhookConfig, f WireFormat) *ExamPayload {
	a, exam := in.Attempt, in.Exam
	p := &ExamPayload{
		Username: in.Username, Accuracy: a.Accuracy,
		Exam:         WebhookExam{ID: exam.ID, Title: exam.Title, StartDate: f.timePtr(exam.StartDate), EndDate: f.timePtr(exam.EndDate)},
		SubjectStats: in.SubjectStats, Email: in.Email, PartialCorrectAnswersCount: a.Partial, AttemptID: a.ID,
		AttemptState: "started", IncorrectAnswersCount: a.Incorrect, DifficultyLevelStats: in.DifficultyLevelStats,
		CompletedOn: f.timePtr(a.CompletedOn), UnansweredAnswersCount: a.Unanswered, Key: c.PublicKey,
		AttemptStartTime: f.Time(a.Date), UserID: a.UserID,
		Percentage: json.Number(strconv.FormatFloat(a.Percentage.Float64(), 'f', -1, 64)),
		Score:      a.Score, Speed: a.Speed, CorrectAnswersCount: a.Correct,
	}
	if exam.Duration != nil {
		d := f.Duration(*exam.Duration)
		p.Exam.Duration = &d
	}
	if a.State == AttemptCompleted {
		p.AttemptState = "completed"
	}
	if a.InstituteAttemptID != "" {
		id := a.InstituteAttemptID
		p.InstituteAttemptID = &id
	}
	if p.SubjectStats == nil {
		p.SubjectStats = []SubjectStat{}
	}
	if p.DifficultyLevelStats == nil {
		p.DifficultyLevelStats = map[string]DifficultyStat{}
	}
	p.Hash = WebhookHash(c.PrivateKey, c.PublicKey, strconv.FormatInt(p.AttemptID, 10),
		strconv.Itoa(p.CorrectAnswersCount), c.PrivateKey, strconv.Itoa(p.IncorrectAnswersCount),
		strconv.Itoa(p.UnansweredAnswersCount), p.Percentage.String(), p.Score.String(), strconv.FormatInt(p.UserID, 10))
	return p
}

// WebhookChapterContent is the content as the content payload shows it;
// content_type is its capitalised name (Exam, Quiz, Video, …) and exam the
// id of its exam or null.
type WebhookChapterContent struct {
	ID          int64  `json:"id"`
	Title       string `json:"title"`
	ContentType string `json:"content_type"`
	Exam        *int64 `json:"exam"`
}

// WebhookCourse is the course as the content payload shows it.
type WebhookCourse struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
}

// ContentPayload is the chapter-content webhook's body: fields and order as
// SPEC §10 lists them. assessment, user_video and user_video_conference are
// the ids of the records the attempt points at (the exam attempt, the
// user's video, the user's conference), null when it points at none; state
// is the state's name (Started, Completed, Pending Evaluation, Evaluation
// Completed).
type ContentPayload struct {
	AttemptID           int64                 `json:"attempt_id"`
	UserID              int64                 `json:"user_id"`
	ChapterContent      WebhookChapterContent `json:"chapter_content"`
	Course              WebhookCourse         `json:"course"`
	Assessment          *int64                `json:"assessment"`
	UserVideo           *int64                `json:"user_video"`
	UserVideoConference *int64                `json:"user_video_conference"`
	State               string                `json:"state"`
	Created             string                `json:"created"`
	CompletedOn         *string               `json:"completed_on"`
	Key                 string                `json:"key"`
	Hash                string                `json:"hash"`
}

func idPtr(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// NewContentPayload builds the content payload of a content attempt as it
// stands, signed with c's keys.
func NewContentPayload(ca *ContentAttempt, contentTitle string, courseTitle string, c WebhookConfig, f WireFormat) *ContentPayload {
	p := &ContentPayload{
		AttemptID: ca.ID, UserID: ca.UserID,
		ChapterContent: WebhookChapterContent{ID: ca.ChapterContentID, Title: contentTitle, ContentType: ca.Type.Name(),
			Exam: idPtr(ca.ExamID)},
		Course:     WebhookCourse{ID: ca.CourseID, Title: courseTitle},
		Assessment: idPtr(ca.AttemptID), UserVideo: idPtr(ca.UserVideoID), UserVideoConference: idPtr(ca.UserVideoConferenceID),
		State: ca.State.String(), Created: f.Time(ca.Created), CompletedOn: f.timePtr(ca.CompletedOn), Key: c.PublicKey,
	}
	p.Hash = WebhookHash(c.PrivateKey, c.PublicKey, strconv.FormatInt(p.AttemptID, 10),
		strconv.FormatInt(p.ChapterContent.ID, 10), strconv.FormatInt(p.UserID, 10), strconv.FormatInt(p.Course.ID, 10),
		c.PrivateKey, p.State)
	return p
}

// WebhookHash is the hash field of a payload (SPEC §10): hex HMAC-SHA512,
// keyed with privateKey, of values percent-encoded (PercentEncode) and joined
// with "|". A value is its text in the payload: a string as is, a number as
// its JSON text, null as "".
func WebhookHash(privateKey string, values ...string) string {
	encoded := make([]string, len(values))
	for i, v := range values {
		encoded[i] = PercentEncode(v)
	}
	mac := hmac.New(sha512.New, []byte(privateKey))
	mac.Write([]byte(strings.Join(encoded, "|")))
	return hex.EncodeToString(mac.Sum(nil))
}

// PercentEncode encodes every byte of s's UTF-8 but the RFC 3986 unreserved
// characters (A–Z a–z 0–9 - . _ ~) as %XX, upper-case: what Python's
// urllib.parse.quote(s, safe="") does.
func PercentEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}
