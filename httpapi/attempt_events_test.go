package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// timelineExam creates a published exam with one single-choice question
// (A correct, B not) and, when essay, a 5-mark essay; it returns the exam's
// id, its questions' ids and the choice ids of the first.
func timelineExam(a *testAPI, admin, slug string, fields map[string]any, essay bool) (examID int64, questions []int64, choiceA, choiceB int64) {
	a.t.Helper()
	qs := []map[string]any{{"type": "mcq_single", "question_html": "<p>q1</p>", "answers": []map[string]any{
		{"text_html": "A", "is_correct": true}, {"text_html": "B", "is_correct": false}}}}
	if essay {
		qs = append(qs, map[string]any{"type": "essay", "question_html": "<p>q2</p>", "marks": "5", "negative_marks": "0"})
	}
	exam := map[string]any{"slug": slug, "title": slug, "start_date": epoch.Add(-24 * time.Hour).Format(time.RFC3339),
		"mark_per_question": "4", "negative_marks": "1", "published": true,
		"sections": []map[string]any{{"name": "All", "questions": qs}}}
	for k, v := range fields {
		exam[k] = v
	}
	var created struct {
		ID       int64 `json:"id"`
		Sections []struct {
			Questions []struct {
				ID      int64 `json:"id"`
				Answers []struct {
					ID int64 `json:"id"`
				} `json:"answers"`
			} `json:"questions"`
		} `json:"sections"`
	}
	a.must(201, "POST", "/api/v2.5/admin/exams/", admin, exam, &created)
	for _, q := range created.Sections[0].Questions {
		questions = append(questions, q.ID)
	}
	first := created.Sections[0].Questions[0].Answers
	return created.ID, questions, first[0].ID, first[1].ID
}

// eventsBody is the admin timeline of the attempt, compacted.
func eventsBody(a *testAPI, admin string, attemptID int64) string {
	a.t.Helper()
	resp := a.do("GET", fmt.Sprintf("/api/v3/admin/attempts/%d/events/", attemptID), "JWT "+admin, "", "")
	if resp.status != 200 {
		a.t.Fatalf("events of %d: %d %s", attemptID, resp.status, resp.body)
	}
	return compact(a.t, resp.body)
}

func compact(t testing.TB, text string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(text)); err != nil {
		t.Fatalf("%v in %s", err, text)
	}
	return b.String()
}

// timelineEnvelope is the expected page of all of an attempt's events: the
// events given as JSON objects, each "id" filled in from ids, the places
// (from 1) of the events in the order the test recorded them, over all
// attempts of its fresh database.
func timelineEnvelope(t testing.TB, ids []int64, events ...string) string {
	t.Helper()
	if len(ids) != len(events) {
		t.Fatalf("%d ids for %d events", len(ids), len(events))
	}
	for i, e := range events {
		events[i] = fmt.Sprintf(`{"id": %d, %s}`, ids[i], e)
	}
	return compact(t, fmt.Sprintf(`{"count": %d, "next": null, "previous": null, "per_page": 100, "results": [%s]}`,
		len(events), strings.Join(events, ", ")))
}

// TestAttemptTimeline is issue 16's e2e test of the timeline: attempts that
// are started, save (a review-only change among them), go idle past the
// limit, resume, save, run out of time (completed by time_up on the next
// touch, by the sweep, and by the exam's end date), have an essay graded and
// are regraded by a key change; each one's events read back exactly.
func TestAttemptTimeline(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		adminUser := a.addUser("admin", examhall.RoleAdmin)
		for _, name := range []string{"asha", "bala", "chitra"} {
			a.addUser(name, examhall.RoleStudent)
		}
		E := epoch // 10:00:00.25 in Asia/Kolkata
		at := func(d time.Duration) { a.clock.Set(E.Add(d)) }
		admin := a.token("admin")
		examID, qs, choiceA, choiceB := timelineExam(a, admin, "timed", map[string]any{"duration": "0:10:00"}, true)
		_, closingQs, closingA, _ := timelineExam(a, admin, "closing", map[string]any{"end_date": E.Add(40 * time.Minute).Format(time.RFC3339Nano)}, false)
		start := func(student, slug string) int64 {
			var at struct{ ID int64 }
			a.must(201, "POST", "/api/v2.2/exams/"+slug+"/attempts/", a.token(student), nil, &at)
			return at.ID
		}
		item := func(attemptID int64, position int) string {
			return fmt.Sprintf("/api/v2.2/attempts/%d/questions/%d/", attemptID, attemptID*65536+int64(position))
		}
		save := func(student string, attemptID int64, position int, body map[string]any) {
			a.must(200, "PUT", item(attemptID, position), a.token(student), body, nil)
		}
		step := func(student string, attemptID int64, what string) {
			a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/%s/", attemptID, what), a.token(student), nil, nil)
		}

		// Asha: two minutes of saves, four idle, back, and on until her ten minutes run out.
		at(0)
		asha := start("asha", "timed")
		at(time.Minute)
		save("asha", asha, 0, map[string]any{"selected_answers": []int64{choiceB}, "duration": 30})
		at(90 * time.Second)
		save("asha", asha, 0, map[string]any{"review": true}) // only the review: review_marked
		at(2 * time.Minute)
		save("asha", asha, 1, map[string]any{"essay_text": "Energy is conserved.", "review": true}) // both
		at(6 * time.Minute)
		step("asha", asha, "start") // paused at 2m (last activity), a 240 s gap, resumed
		at(7 * time.Minute)
		save("asha", asha, 0, map[string]any{"review": false})
		at(8 * time.Minute)
		save("asha", asha, 0, map[string]any{"selected_answers": []int64{choiceA}})
		for _, m := range []time.Duration{9*time.Minute + 30*time.Second, 11 * time.Minute, 12*time.Minute + 30*time.Second} {
			at(m)
			step("asha", asha, "heartbeat") // activity within the limit: no event
		}
		// 2 + 6.5 = 8.5 minutes used; the next touch finds them run out at 14m.
		at(14*time.Minute + 30*time.Second)
		resp := a.do("PUT", item(asha, 0), "JWT "+a.token("asha"), "application/json", fmt.Sprintf(`{"selected_answers": [%d]}`, choiceB))
		if resp.status != 400 || resp.body != `{"detail":"This attempt has ended: its time ran out."}` {
			t.Fatalf("save after the time ran out: %d %s", resp.status, resp.body)
		}

		// Bala: saves once, then heartbeats until the sweep finds her time run out.
		at(15 * time.Minute)
		bala := start("bala", "timed")
		at(16 * time.Minute)
		save("bala", bala, 0, map[string]any{"selected_answers": []int64{choiceA}})
		for m := 17*time.Minute + 30*time.Second; m <= 23*time.Minute+30*time.Second; m += 90 * time.Second {
			at(m)
			step("bala", bala, "heartbeat")
		}
		at(25 * time.Minute) // 1 + 7.5 + 1.5 = 10 minutes at 25m
		if n, err := a.db.ExpireAttempts(context.Background()); err != nil || n != 1 {
			t.Fatalf("ExpireAttempts = %d, %v", n, err)
		}

		// Asha's essay is graded 3 of 5 (her score 4 + 3 = 7); then the key of q1 changes to B: 7 → 2, Bala 4 → -1.
		at(26 * time.Minute)
		a.must(200, "PUT", fmt.Sprintf("/api/v3/admin/attempts/%d/user_answers/%d/", asha, asha*65536+1), admin, map[string]any{"marks": "3"}, nil)
		at(27 * time.Minute)
		a.must(200, "PUT", fmt.Sprintf("/api/v2.5/admin/exams/%d/questions/%d/", examID, qs[0]), admin,
			map[string]any{"correct_answers": []int64{choiceB}}, nil)

		// Chitra, on an exam closing at 40m: saves at 31m and is read at 45m.
		at(30 * time.Minute)
		chitra := start("chitra", "closing")
		at(31 * time.Minute)
		save("chitra", chitra, 0, map[string]any{"selected_answers": []int64{closingA}})
		at(45 * time.Minute)
		var got struct{ State string }
		a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/", chitra), a.token("chitra"), nil, &got)
		if got.State != "Completed" {
			t.Fatalf("chitra's attempt after the end date: %s", got.State)
		}

		admin = a.token("admin")
		answer := func(eq int64, selected string, essay string) string {
			return fmt.Sprintf(`"exam_question_id": %d, "answer": {"selected_answers": [%s], "short_text": null, "numeric_value": null, "essay_text": %s}`,
				eq, selected, essay)
		}
		server := func(typ, at, data string) string {
			return fmt.Sprintf(`"type": %q, "at": %q, "source": "server", "data": {%s}`, typ, at, data)
		}
		// Recorded in this order: Asha's 11 events to 14m (those of 6m
		// after those of 2m), Bala's 3, Asha's grading, the regrade (Asha,
		// Bala: by attempt id), Chitra's 4.
		if got, want := eventsBody(a, admin, asha), timelineEnvelope(t, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15, 16},
			server("started", "2026-01-05T10:00:00.250000+05:30", ``),
			server("answer_saved", "2026-01-05T10:01:00.250000+05:30", answer(qs[0], fmt.Sprint(choiceB), "null")+`, "duration_added": 30`),
			server("review_marked", "2026-01-05T10:01:30.250000+05:30", fmt.Sprintf(`"exam_question_id": %d`, qs[0])),
			server("answer_saved", "2026-01-05T10:02:00.250000+05:30", answer(qs[1], "", `"Energy is conserved."`)+`, "duration_added": 0`),
			server("review_marked", "2026-01-05T10:02:00.250000+05:30", fmt.Sprintf(`"exam_question_id": %d`, qs[1])),
			server("paused", "2026-01-05T10:02:00.250000+05:30", ``),
			server("heartbeat_gap", "2026-01-05T10:06:00.250000+05:30", `"gap": 240`),
			server("resumed", "2026-01-05T10:06:00.250000+05:30", ``),
			server("review_cleared", "2026-01-05T10:07:00.250000+05:30", fmt.Sprintf(`"exam_question_id": %d`, qs[0])),
			server("answer_saved", "2026-01-05T10:08:00.250000+05:30", answer(qs[0], fmt.Sprint(choiceA), "null")+`, "duration_added": 0`),
			server("completed", "2026-01-05T10:14:00.250000+05:30", `"by": "time_up"`),
			server("graded", "2026-01-05T10:26:00.250000+05:30", fmt.Sprintf(`"by": %d, "exam_question_id": %d, "marks": "3.00"`, adminUser.ID, qs[1])),
			server("regraded", "2026-01-05T10:27:00.250000+05:30", `"old_score": "7.00", "new_score": "2.00"`),
		); got != want {
			t.Errorf("asha's timeline\n got %s\nwant %s", got, want)
		}
		if got, want := eventsBody(a, admin, bala), timelineEnvelope(t, []int64{12, 13, 14, 17},
			server("started", "2026-01-05T10:15:00.250000+05:30", ``),
			server("answer_saved", "2026-01-05T10:16:00.250000+05:30", answer(qs[0], fmt.Sprint(choiceA), "null")+`, "duration_added": 0`),
			server("completed", "2026-01-05T10:25:00.250000+05:30", `"by": "sweep"`),
			server("regraded", "2026-01-05T10:27:00.250000+05:30", `"old_score": "4.00", "new_score": "-1.00"`),
		); got != want {
			t.Errorf("bala's timeline\n got %s\nwant %s", got, want)
		}
		if got, want := eventsBody(a, admin, chitra), timelineEnvelope(t, []int64{18, 19, 20, 21},
			server("started", "2026-01-05T10:30:00.250000+05:30", ``),
			server("answer_saved", "2026-01-05T10:31:00.250000+05:30", answer(closingQs[0], fmt.Sprint(closingA), "null")+`, "duration_added": 0`),
			server("paused", "2026-01-05T10:31:00.250000+05:30", ``),
			server("completed", "2026-01-05T10:40:00.250000+05:30", `"by": "end_date"`),
		); got != want {
			t.Errorf("chitra's timeline\n got %s\nwant %s", got, want)
		}

		// Paged as DRF pages, by time then id: the paused event of 2m comes
		// before the events written with it at 6m.
		resp = a.do("GET", fmt.Sprintf("/api/v3/admin/attempts/%d/events/?page=2&page_size=4", asha), "JWT "+admin, "", "")
		var page struct {
			Count    int    `json:"count"`
			Next     string `json:"next"`
			Previous string `json:"previous"`
			PerPage  int    `json:"per_page"`
			Results  []struct {
				Type string `json:"type"`
			} `json:"results"`
		}
		if err := json.Unmarshal([]byte(resp.body), &page); err != nil || resp.status != 200 {
			t.Fatalf("page 2: %d %s", resp.status, resp.body)
		}
		wantNext := fmt.Sprintf("%s/api/v3/admin/attempts/%d/events/?page=3&page_size=4", baseURL, asha)
		if page.Count != 13 || page.PerPage != 4 || page.Next != wantNext || len(page.Results) != 4 ||
			page.Results[0].Type != "review_marked" || page.Results[1].Type != "paused" || page.Results[3].Type != "resumed" {
			t.Errorf("page 2 = %s", resp.body)
		}
		for path, want := range map[string]string{
			"/api/v3/admin/attempts/999/events/":                          `{"detail":"Not found."}`,
			"/api/v3/admin/attempts/0/events/":                            `{"detail":"Not found."}`,
			fmt.Sprintf("/api/v3/admin/attempts/%d/events/?page=9", asha): `{"detail":"Invalid page."}`,
		} {
			if resp := a.do("GET", path, "JWT "+admin, "", ""); resp.status != 404 || resp.body != want {
				t.Errorf("GET %s: %d %s", path, resp.status, resp.body)
			}
		}
		if resp := a.do("GET", fmt.Sprintf("/api/v3/admin/attempts/%d/events/", asha), "JWT "+a.token("asha"), "", ""); resp.status != 403 {
			t.Errorf("a student reads a timeline: %d %s", resp.status, resp.body)
		}
	})
}

// TestClientEvents: the exam room's signals are stored marked client; a
// type no client may send, another's attempt, a completed attempt, a body
// too large and a client past its rate are refused, storing nothing.
func TestClientEvents(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		a.addUser("asha", examhall.RoleStudent)
		a.addUser("bala", examhall.RoleStudent)
		admin := a.token("admin")
		timelineExam(a, admin, "signals", nil, false)
		a.clock.Set(epoch)
		var attempt struct{ ID int64 }
		asha := a.token("asha")
		a.must(201, "POST", "/api/v2.2/exams/signals/attempts/", asha, nil, &attempt)
		path := fmt.Sprintf("/api/v2.2/attempts/%d/events/", attempt.ID)
		post := func(token, body string) response {
			t.Helper()
			return a.do("POST", path, "JWT "+token, "application/json", body)
		}
		count := func() int {
			t.Helper()
			var page struct{ Count int }
			a.must(200, "GET", fmt.Sprintf("/api/v3/admin/attempts/%d/events/", attempt.ID), admin, nil, &page)
			return page.Count
		}

		a.clock.Set(epoch.Add(10 * time.Second))
		resp := post(asha, `{"type": "focus_lost"}`)
		// The database's second event, after started.
		want := `{"id":2,"type":"focus_lost","at":"2026-01-05T10:00:10.250000+05:30","source":"client","data":{}}`
		if resp.status != 201 || resp.body != want {
			t.Fatalf("POST focus_lost: %d %s, want 201 %s", resp.status, resp.body, want)
		}
		if got := count(); got != 2 { // started, focus_lost
			t.Fatalf("%d events, want 2", got)
		}
		for _, c := range []struct {
			token, body string
			status      int
			want        string
		}{
			{asha, `{"type": "blur"}`, 400, `{"type":["\"blur\" is not a valid choice."]}`},
			{asha, `{"type": "started"}`, 400, `{"type":["\"started\" is not a valid choice."]}`},
			{asha, `{}`, 400, `{"type":["This field is required."]}`},
			{asha, `{"type": "copy", "at": "now"}`, 400, `{"at":["Unknown field."]}`},
			{asha, `{"type": "` + strings.Repeat("x", 1100) + `"}`, 413, `{"detail":"Request body is larger than 1024 bytes."}`},
			{a.token("bala"), `{"type": "copy"}`, 404, `{"detail":"Not found."}`},
		} {
			if resp := post(c.token, c.body); resp.status != c.status || resp.body != c.want {
				t.Errorf("POST %.40s: %d %s, want %d %s", c.body, resp.status, resp.body, c.status, c.want)
			}
		}
		if got := count(); got != 2 {
			t.Fatalf("refused events were stored: %d events, want 2", got)
		}

		// 30 a minute: the 31st within the minute waits until the first leaves it.
		for i := 1; i < examhall.MaxClientEventsPerMinute; i++ {
			a.clock.Set(epoch.Add(10*time.Second + time.Duration(i)*time.Second))
			if resp := post(asha, `{"type": "copy"}`); resp.status != 201 {
				t.Fatalf("event %d: %d %s", i+1, resp.status, resp.body)
			}
		}
		a.clock.Set(epoch.Add(50 * time.Second))
		resp = post(asha, `{"type": "paste"}`)
		if resp.status != 429 || resp.header.Get("Retry-After") != "20" ||
			resp.body != `{"detail":"Request was throttled. Expected available in 20 seconds."}` {
			t.Errorf("31st event in a minute: %d %q %s", resp.status, resp.header.Get("Retry-After"), resp.body)
		}
		if got := count(); got != 31 {
			t.Fatalf("%d events, want 31", got)
		}
		a.clock.Set(epoch.Add(70*time.Second + time.Microsecond)) // the first (at 10.25 s) is more than a minute old
		if resp := post(asha, `{"type": "paste"}`); resp.status != 201 {
			t.Errorf("after the wait: %d %s", resp.status, resp.body)
		}

		// A completed attempt takes none.
		a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/end/", attempt.ID), asha, nil, nil)
		if resp := post(asha, `{"type": "focus_gained"}`); resp.status != 400 || resp.body != `{"detail":"This attempt is already completed."}` {
			t.Errorf("event of a completed attempt: %d %s", resp.status, resp.body)
		}
		if got := count(); got != 33 { // + paste, completed
			t.Errorf("%d events, want 33", got)
		}
	})
}

// TestClientEventsPerAttempt: an attempt records at most
// MaxClientEventsPerAttempt client events, however slowly they come; the
// next is 429 without Retry-After (waiting would not help).
func TestClientEventsPerAttempt(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		u := a.addUser("asha", examhall.RoleStudent)
		timelineExam(a, a.token("admin"), "signals", nil, false)
		a.clock.Set(epoch)
		ctx := context.Background()
		at, err := a.db.StartAttempt(ctx, u.ID, "signals", "")
		if err != nil {
			t.Fatal(err)
		}
		for i := range examhall.MaxClientEventsPerAttempt {
			a.clock.Set(epoch.Add(time.Duration(i) * 10 * time.Second)) // 6 a minute: never the rate
			if _, err := a.db.RecordClientEvent(ctx, u.ID, at.ID, examhall.TimelineCopy); err != nil {
				t.Fatalf("event %d: %v", i+1, err)
			}
		}
		a.clock.Set(epoch.Add(examhall.MaxClientEventsPerAttempt * 10 * time.Second))
		resp := a.do("POST", fmt.Sprintf("/api/v2.2/attempts/%d/events/", at.ID), "JWT "+a.token("asha"), "application/json", `{"type": "copy"}`)
		if resp.status != 429 || resp.header.Get("Retry-After") != "" ||
			resp.body != `{"detail":"This attempt has recorded the most client events it may (500)."}` {
			t.Errorf("event past the bound: %d %q %s", resp.status, resp.header.Get("Retry-After"), resp.body)
		}
		if _, total, err := a.db.AttemptEvents(ctx, at.ID, 0, 1); err != nil || total != 1+examhall.MaxClientEventsPerAttempt {
			t.Errorf("AttemptEvents total = %d, %v", total, err)
		}
	})
}
