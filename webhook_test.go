package examhall_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
)

func TestPercentEncode(t *testing.T) {
	for in, want := range map[string]string{
		"":                "",
		"AZaz09-._~":      "AZaz09-._~",
		"pub key/1":       "pub%20key%2F1",
		"é~a b+c_-.!*'()": "%C3%A9~a%20b%2Bc_-.%21%2A%27%28%29", // Python: quote(v, safe="")
		"a|b%":            "a%7Cb%25",
	} {
		if got := examhall.PercentEncode(in); got != want {
			t.Errorf("PercentEncode(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWebhookHashPinned pins one vector computed outside Go, with Python:
// hmac.new(b"s3cr&t", "|".join(quote(v, safe="") for v in values).encode(),
// hashlib.sha512).hexdigest(), over the message
// pub%20key%2F1|42|3|s3cr%26t|1|0|75|7.50|9.
func TestWebhookHashPinned(t *testing.T) {
	got := examhall.WebhookHash("s3cr&t", "pub key/1", "42", "3", "s3cr&t", "1", "0", "75", "7.50", "9")
	const want = "8bb29031ed972823437fe99cde15f0e5366c6c0aed5114acda378702e1951f6e716e6b9c5b114dd905a5115e13d76a8608c26e63e99fe5440d3b6d6b3e5c5bb5"
	if got != want {
		t.Errorf("hash = %s, want %s", got, want)
	}
}

var testFormat = examhall.WireFormat{
	Time:     func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") },
	Duration: func(d time.Duration) string { return d.String() },
}

// keys returns the keys of the JSON object b, in order.
func keys(t *testing.T, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return names
}

func TestExamPayload(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	done := start.Add(time.Hour)
	hour := time.Hour
	a := &examhall.Attempt{ID: 42, UserID: 9, State: examhall.AttemptCompleted, Date: start, CompletedOn: &done,
		Correct: 3, Incorrect: 1, Partial: 0, Unanswered: 0, Score: decimal.Decimal(750), Percentage: decimal.Decimal(7500),
		Accuracy: 75, Speed: 4, InstituteAttemptID: "crm-1"}
	exam := &examhall.Exam{ID: 5, Title: "Mock", Duration: &hour}
	c := examhall.WebhookConfig{PublicKey: "pub key/1", PrivateKey: "s3cr&t"}
	p := examhall.NewExamPayload(examhall.ExamPayloadInput{Attempt: a, Exam: exam, Username: "asha", Email: "a@x.in"}, c, testFormat)
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	want := "username accuracy hash exam subject_stats email partial_correct_answers_count attempt_id attempt_state " +
		"incorrect_answers_count difficulty_level_stats completed_on unanswered_answers_count key attempt_start_time " +
		"user_id percentage score speed institute_attempt_id correct_answers_count"
	if got := strings.Join(keys(t, b), " "); got != want {
		t.Errorf("fields:\n got %s\nwant %s", got, want)
	}
	// The same values as the pinned vector: percentage 75, score "7.50".
	const hash = "8bb29031ed972823437fe99cde15f0e5366c6c0aed5114acda378702e1951f6e716e6b9c5b114dd905a5115e13d76a8608c26e63e99fe5440d3b6d6b3e5c5bb5"
	wantJSON := `{"username":"asha","accuracy":75,"hash":"` + hash + `","exam":{"id":5,"title":"Mock","duration":"1h0m0s",` +
		`"start_date":null,"end_date":null},"subject_stats":[],"email":"a@x.in","partial_correct_answers_count":0,` +
		`"attempt_id":42,"attempt_state":"completed","incorrect_answers_count":1,"difficulty_level_stats":{},` +
		`"completed_on":"2026-01-02T04:04:05Z","unanswered_answers_count":0,"key":"pub key/1",` +
		`"attempt_start_time":"2026-01-02T03:04:05Z","user_id":9,"percentage":75,"score":"7.50","speed":4,` +
		`"institute_attempt_id":"crm-1","correct_answers_count":3}`
	if string(b) != wantJSON {
		t.Errorf("payload:\n got %s\nwant %s", b, wantJSON)
	}
}

func TestContentPayload(t *testing.T) {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ca := &examhall.ContentAttempt{ID: 7, UserID: 9, ChapterContentID: 11, CourseID: 3, Type: examhall.ContentVideo,
		State: examhall.ContentCompleted, Created: created, CompletedOn: &created, UserVideoID: 4}
	c := examhall.WebhookConfig{PublicKey: "pk", PrivateKey: "sk"}
	p := examhall.NewContentPayload(ca, "Intro", "Physics", c, testFormat)
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	// Python: hmac.new(b"sk", b"pk|7|11|9|3|sk|Completed", hashlib.sha512).hexdigest()
	const hash = "f30eeb220ce93b17b7e3b5019cdd1aa5f9d579f94c1173383fa77ad733b18a0ba4ce045bf695fd36b84c3b691159e65e9367a43f5239a655294807a641cb2206"
	wantJSON := `{"attempt_id":7,"user_id":9,"chapter_content":{"id":11,"title":"Intro","content_type":"Video","exam":null},` +
		`"course":{"id":3,"title":"Physics"},"assessment":null,"user_video":4,"user_video_conference":null,` +
		`"state":"Completed","created":"2026-01-02T03:04:05Z","completed_on":"2026-01-02T03:04:05Z","key":"pk","hash":"` + hash + `"}`
	if string(b) != wantJSON {
		t.Errorf("payload:\n got %s\nwant %s", b, wantJSON)
	}
}

func TestParseWebhookEvents(t *testing.T) {
	got, err := examhall.ParseWebhookEvents(examhall.DefaultWebhookEvents)
	if err != nil || len(got) != 2 || !got[examhall.EventExamStarted] || !got[examhall.EventExamCompleted] {
		t.Errorf("default = %v, %v", got, err)
	}
	if _, err := examhall.ParseWebhookEvents("started,finished"); examhall.ErrorCodeOf(err) != examhall.EINVALID {
		t.Errorf("unknown event: err = %v, want EINVALID", err)
	}
}
