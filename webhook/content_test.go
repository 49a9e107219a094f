package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
	"github.com/examhall/examhall/webhook"
)

// essayExam is an exam of one single-choice question (4 marks, "9.8" right)
// and one essay (10 marks), so that an attempt that answers the essay waits
// for grading.
func essayExam(t *testing.T, db *sqlstore.DB) *examhall.Exam {
	t.Helper()
	hour := time.Hour
	exam := &examhall.Exam{Slug: "essay", Title: "Essay / test", Duration: &hour, Published: true,
		MarkPerQuestion: decimal.Decimal(400), Sections: []examhall.Section{{Name: "A", Questions: []examhall.ExamQuestion{
			{Marks: decimal.Decimal(400), Question: examhall.Question{Type: examhall.MCQSingle, QuestionHTML: "<p>g?</p>",
				Answers: []examhall.Answer{{TextHTML: "9.8", IsCorrect: true}, {TextHTML: "10"}}}},
			{Marks: decimal.Decimal(1000), Question: examhall.Question{Type: examhall.Essay, QuestionHTML: "<p>Explain</p>"}},
		}}}}
	if err := db.CreateExam(context.Background(), exam); err != nil {
		t.Fatal(err)
	}
	return exam
}

// answerEssayExam answers the exam's choice question right and its essay.
func answerEssayExam(t *testing.T, db *sqlstore.DB, exam *examhall.Exam, userID, attemptID int64) []*examhall.UserAnswer {
	t.Helper()
	ctx := context.Background()
	answers, err := db.Answers(ctx, userID, attemptID)
	if err != nil || len(answers) != 2 {
		t.Fatalf("answers: %d, %v", len(answers), err)
	}
	picked := []int64{exam.Sections[0].Questions[0].Question.Answers[0].ID}
	if _, _, err := db.SaveAnswer(ctx, userID, attemptID, answers[0].ID, examhall.AnswerInput{SelectedAnswerIDs: &picked}); err != nil {
		t.Fatal(err)
	}
	essay := "Because of gravity | 100%."
	if _, _, err := db.SaveAnswer(ctx, userID, attemptID, answers[1].ID, examhall.AnswerInput{EssayText: &essay}); err != nil {
		t.Fatal(err)
	}
	return answers
}

// objectKeys returns the keys of the JSON object b, in order.
func objectKeys(t *testing.T, b []byte) string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return strings.Join(keys, " ")
}

// decodePayload decodes a payload keeping numbers as their JSON text.
func decodePayload(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var p map[string]any
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		t.Fatal(err)
	}
	return p
}

// valueText is a payload value's text as the hash rule reads it (issue 13):
// a string as is, a number as its JSON text, null as "".
func valueText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	default:
		panic(fmt.Sprintf("no text for %T", v))
	}
}

// ruleHash is the SPEC §10 hash recomputed here, apart from the code under
// test: hex HMAC-SHA512 keyed with the private key over the quoted values
// joined with "|".
func ruleHash(values ...string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = quote(v)
	}
	mac := hmac.New(sha512.New, []byte(privateKey))
	mac.Write([]byte(strings.Join(quoted, "|")))
	return hex.EncodeToString(mac.Sum(nil))
}

const contentFields = "attempt_id user_id chapter_content course assessment user_video user_video_conference state " +
	"created completed_on key hash"

// TestContentDeliveries: a notes content going Started → Completed and an
// exam content with an essay going Started → Pending Evaluation →
// Evaluation Completed (after grading) deliver content.state_changed
// payloads in that order per content attempt, with SPEC §10's fields in
// order and the hash recomputed from the rule.
func TestContentDeliveries(t *testing.T) {
	sqltest.Engines(t, examhall.SystemClock{}, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		rcv := newReceiver(t, nil)
		// Three users and a course before the one taken, so that no two
		// ids the hash covers are equal: a swap of two of them would show.
		_, users := fixture(t, db, "", 3)
		other := &examhall.Course{Slug: "other", Title: "Other", Batches: []string{},
			Chapters: []examhall.Chapter{{Title: "Other", Contents: []examhall.ChapterContent{
				{Title: "a", Type: examhall.ContentNotes, Notes: &examhall.Notes{Title: "a"}},
				{Title: "b", Type: examhall.ContentNotes, Notes: &examhall.Notes{Title: "b"}},
				{Title: "c", Type: examhall.ContentNotes, Notes: &examhall.Notes{Title: "c"}},
			}}}}
		if err := db.CreateCourse(ctx, other); err != nil {
			t.Fatal(err)
		}
		// Content events only: no exam URL.
		db.SetWebhooks(examhall.StaticWebhookConfig{ContentURL: rcv.srv.URL, PublicKey: publicKey, PrivateKey: privateKey,
			Events: map[examhall.WebhookEvent]bool{examhall.EventExamStarted: true, examhall.EventExamCompleted: true}})
		exam := essayExam(t, db)
		course := &examhall.Course{Slug: "physics", Title: "Physics & more", Batches: []string{},
			Chapters: []examhall.Chapter{{Title: "Kinematics", Contents: []examhall.ChapterContent{
				{Title: "Summary notes", Type: examhall.ContentNotes, Notes: &examhall.Notes{Title: "Summary", HTML: "<p>v = u + at</p>"}},
				{Title: "Chapter test", Type: examhall.ContentExam, ExamID: exam.ID},
			}}}}
		if err := db.CreateCourse(ctx, course); err != nil {
			t.Fatal(err)
		}
		u := users[2]
		contents := course.Chapters[0].Contents
		notes, _, err := db.OpenContent(ctx, u.ID, contents[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CompleteContent(ctx, u.ID, notes.ID); err != nil {
			t.Fatal(err)
		}
		test, _, err := db.OpenContent(ctx, u.ID, contents[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		answers := answerEssayExam(t, db, exam, u.ID, test.AttemptID)
		if _, err := db.End(ctx, u.ID, test.AttemptID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.GradeAnswer(ctx, 1, test.AttemptID, answers[1].ID, decimal.Decimal(700)); err != nil {
			t.Fatal(err)
		}
		runUntil(t, db, webhook.New(db, fastOptions()), func() bool { return len(rcv.delivered()) >= 5 && pending(t, db) == 0 })

		got := rcv.delivered()
		if len(got) != 5 || len(rcv.all()) != 5 {
			t.Fatalf("delivered %d of %d requests, want 5 of 5", len(got), len(rcv.all()))
		}
		statesOf := map[string][]string{}
		for _, q := range got {
			if q.event != "content.state_changed" || q.contentType != "application/json" {
				t.Errorf("event %q, Content-Type %q", q.event, q.contentType)
			}
			if keys := objectKeys(t, q.body); keys != contentFields {
				t.Errorf("fields = %s\nwant     %s", keys, contentFields)
			}
			p := decodePayload(t, q.body)
			cc, course := p["chapter_content"].(map[string]any), p["course"].(map[string]any)
			if k := objectKeys(t, mustJSON(t, q.body, "chapter_content")); k != "id title content_type exam" {
				t.Errorf("chapter_content fields = %s", k)
			}
			if k := objectKeys(t, mustJSON(t, q.body, "course")); k != "id title" {
				t.Errorf("course fields = %s", k)
			}
			want := ruleHash(publicKey, valueText(p["attempt_id"]), valueText(cc["id"]), valueText(p["user_id"]),
				valueText(course["id"]), privateKey, valueText(p["state"]))
			if p["hash"] != want {
				t.Errorf("hash = %v, want %s", p["hash"], want)
			}
			if p["key"] != publicKey || p["user_id"] != json.Number(fmt.Sprint(u.ID)) || course["title"] != "Physics & more" ||
				p["user_video"] != nil || p["user_video_conference"] != nil {
				t.Errorf("payload %s", q.body)
			}
			id := valueText(p["attempt_id"])
			state := p["state"].(string)
			statesOf[id] = append(statesOf[id], state)
			if (state == "Started") != (p["completed_on"] == nil) {
				t.Errorf("%s: completed_on = %v", state, p["completed_on"])
			}
			switch id {
			case fmt.Sprint(notes.ID):
				if cc["content_type"] != "Notes" || cc["exam"] != nil || cc["title"] != "Summary notes" || p["assessment"] != nil {
					t.Errorf("notes payload %s", q.body)
				}
			case fmt.Sprint(test.ID):
				if cc["content_type"] != "Exam" || cc["exam"] != json.Number(fmt.Sprint(exam.ID)) ||
					p["assessment"] != json.Number(fmt.Sprint(test.AttemptID)) {
					t.Errorf("exam content payload %s", q.body)
				}
			default:
				t.Errorf("payload of an unknown content attempt %s", q.body)
			}
		}
		want := map[string][]string{
			fmt.Sprint(notes.ID): {"Started", "Completed"},
			fmt.Sprint(test.ID):  {"Started", "Pending Evaluation", "Evaluation Completed"},
		}
		if !reflect.DeepEqual(statesOf, want) {
			t.Errorf("states by content attempt = %v, want %v", statesOf, want)
		}
	})
}

// mustJSON returns the raw JSON of field in the object b.
func mustJSON(t *testing.T, b []byte, field string) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m[field]
}

// TestGradedRegradedOptIn: exam.graded (the last essay graded) and
// exam.regraded (a marks change moved a completed attempt's score) are
// delivered when --webhook-events names them, and not otherwise.
func TestGradedRegradedOptIn(t *testing.T) {
	for _, tc := range []struct {
		events string
		want   []string
	}{
		{"started,completed", []string{"exam.started", "exam.completed"}},
		{"started,completed,graded,regraded", []string{"exam.started", "exam.completed", "exam.graded", "exam.regraded"}},
		{"graded", []string{"exam.graded"}},
	} {
		t.Run(tc.events, func(t *testing.T) {
			sqltest.Engines(t, examhall.SystemClock{}, func(t *testing.T, db *sqlstore.DB) {
				ctx := context.Background()
				rcv := newReceiver(t, nil)
				_, users := fixture(t, db, "", 2)
				events, err := examhall.ParseWebhookEvents(tc.events)
				if err != nil {
					t.Fatal(err)
				}
				db.SetWebhooks(examhall.StaticWebhookConfig{ExamURL: rcv.srv.URL, PublicKey: publicKey, PrivateKey: privateKey,
					Events: events})
				exam := essayExam(t, db)
				u := users[1] // user_id 2, attempt_id 1: a swap in the hash would show
				a, err := db.StartAttempt(ctx, u.ID, exam.Slug, "")
				if err != nil {
					t.Fatal(err)
				}
				answers := answerEssayExam(t, db, exam, u.ID, a.ID)
				if a, err = db.End(ctx, u.ID, a.ID); err != nil || a.Pending != 1 || a.Score != 400 {
					t.Fatalf("end: %+v, %v", a, err)
				}
				if a, _, err = db.GradeAnswer(ctx, 1, a.ID, answers[1].ID, decimal.Decimal(700)); err != nil || a.Pending != 0 || a.Score != 1100 {
					t.Fatalf("grade: %+v, %v", a, err)
				}
				five := decimal.Decimal(500)
				if _, n, err := db.ChangeExamQuestion(ctx, exam.ID, exam.Sections[0].Questions[0].ID,
					examhall.ExamQuestionChange{Marks: &five}); err != nil || n != 1 {
					t.Fatalf("change marks: %d, %v", n, err)
				}
				// An unchanged score (the essay's title) causes no regraded event.
				title := "<p>Explain again</p>"
				if _, _, err := db.ChangeExamQuestion(ctx, exam.ID, exam.Sections[0].Questions[1].ID,
					examhall.ExamQuestionChange{QuestionHTML: &title}); err != nil {
					t.Fatal(err)
				}
				runUntil(t, db, webhook.New(db, fastOptions()), func() bool { return pending(t, db) == 0 })

				var got []string
				for _, q := range rcv.delivered() {
					got = append(got, q.event)
					p := decodePayload(t, q.body)
					state, score := "completed", map[string]string{
						"exam.started": "0.00", "exam.completed": "4.00", "exam.graded": "11.00", "exam.regraded": "12.00"}[q.event]
					if q.event == "exam.started" {
						state = "started"
					}
					if p["attempt_state"] != state || p["score"] != score || p["attempt_id"] != json.Number(fmt.Sprint(a.ID)) {
						t.Errorf("%s: attempt_state %v, score %v (want %s, %s)", q.event, p["attempt_state"], p["score"], state, score)
					}
					want := ruleHash(publicKey, valueText(p["attempt_id"]), valueText(p["correct_answers_count"]), privateKey,
						valueText(p["incorrect_answers_count"]), valueText(p["unanswered_answers_count"]),
						valueText(p["percentage"]), valueText(p["score"]), valueText(p["user_id"]))
					if p["hash"] != want {
						t.Errorf("%s: hash = %v, want %s", q.event, p["hash"], want)
					}
				}
				if !reflect.DeepEqual(got, tc.want) || len(rcv.all()) != len(tc.want) {
					t.Errorf("events %v (%d requests), want %v", got, len(rcv.all()), len(tc.want))
				}
			})
		})
	}
}
