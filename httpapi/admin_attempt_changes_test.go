package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// changesPage is a page of GET /api/v2.5/admin/attempts/changes/.
type changesPage struct {
	Changes []struct {
		Seq     int64           `json:"seq"`
		ID      int64           `json:"id"`
		Deleted bool            `json:"deleted"`
		Attempt json.RawMessage `json:"attempt"`
	} `json:"changes"`
	Next    *string `json:"next"`
	HasMore *bool   `json:"has_more"`
}

// syncClient is a client keeping a copy of the attempts list: it walks the
// list once, then follows the change feed, applying each change by id (last
// wins, a tombstone deletes). Rows are kept as the raw JSON the API sent.
type syncClient struct {
	a      *testAPI
	token  string
	rows   map[int64]string
	cursor string
}

// walk reads every page of the list, newest first, one row a page, calling
// between before each page after the first; it returns the rows by id and
// the first page's cursor header.
func (c *syncClient) walk(t *testing.T, between func()) (map[int64]string, string) {
	t.Helper()
	rows := map[int64]string{}
	cursor := ""
	for next := "/api/v2.5/admin/attempts/?ordering=-id&page_size=1"; next != ""; {
		if cursor != "" && between != nil {
			between()
		}
		got := c.a.do("GET", next, "JWT "+c.token, "", "")
		if got.status != 200 {
			t.Fatalf("GET %s: %d %s", next, got.status, got.body)
		}
		header := got.header.Get("X-Examhall-Changes-Cursor")
		if !strings.HasPrefix(header, "1.") {
			t.Fatalf("GET %s: X-Examhall-Changes-Cursor %q", next, header)
		}
		if cursor == "" {
			cursor = header
		}
		var page struct {
			Next    *string
			Results []json.RawMessage
		}
		if err := json.Unmarshal([]byte(got.body), &page); err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Results {
			var row struct{ ID int64 }
			if err := json.Unmarshal(r, &row); err != nil {
				t.Fatal(err)
			}
			if _, twice := rows[row.ID]; twice {
				t.Fatalf("attempt %d walked twice", row.ID)
			}
			rows[row.ID] = string(r)
		}
		next = ""
		if page.Next != nil {
			u, err := url.Parse(*page.Next)
			if err != nil {
				t.Fatal(err)
			}
			next = u.RequestURI()
		}
	}
	return rows, cursor
}

// follow polls the feed from the client's cursor until has_more is false,
// limit changes a page; it returns how many changes it applied.
func (c *syncClient) follow(t *testing.T, limit int) int {
	t.Helper()
	applied := 0
	for {
		got := c.a.do("GET", fmt.Sprintf("/api/v2.5/admin/attempts/changes/?since=%s&limit=%d", url.QueryEscape(c.cursor), limit),
			"JWT "+c.token, "", "")
		if got.status != 200 {
			t.Fatalf("changes since %s: %d %s", c.cursor, got.status, got.body)
		}
		var page changesPage
		if err := json.Unmarshal([]byte(got.body), &page); err != nil {
			t.Fatal(err)
		}
		if page.Next == nil || page.HasMore == nil || len(page.Changes) > limit {
			t.Fatalf("changes since %s: %s", c.cursor, got.body)
		}
		seen := map[int64]bool{}
		for _, ch := range page.Changes {
			if seen[ch.ID] {
				t.Fatalf("attempt %d twice in one page: %s", ch.ID, got.body)
			}
			seen[ch.ID] = true
			if ch.Deleted != (string(ch.Attempt) == "null") {
				t.Fatalf("change %+v", ch)
			}
			if ch.Deleted {
				delete(c.rows, ch.ID)
			} else {
				c.rows[ch.ID] = string(ch.Attempt)
			}
			applied++
		}
		c.cursor = *page.Next
		if !*page.HasMore {
			return applied
		}
	}
}

// TestAttemptChangesWalkThenFollow is issue 16's test of the change feed: a
// client walks the list (small pages, while attempts start and change
// between them), keeps the first page's cursor, then follows the feed while
// five students start, save and end, an essay is graded, the answer key
// changes (a regrade), a user is renamed and another deleted, interleaving
// polls with the changes and with fresh walks. Applying the changes by id
// leaves it with exactly what a fresh walk shows.
func TestAttemptChangesWalkThenFollow(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		admin := a.token("admin")
		var exam struct {
			ID       int64
			Sections []struct {
				Questions []struct {
					ID      int64
					Answers []struct{ ID int64 }
				}
			}
		}
		a.must(201, "POST", "/api/v2.5/admin/exams/", admin, map[string]any{"slug": "sync", "title": "Sync", "published": true,
			"allow_retake": true, "duration": "1:00:00", "sections": []map[string]any{{"name": "One", "questions": []map[string]any{
				{"type": "essay", "question_html": "Why?", "marks": "5"},
				{"type": "mcq_single", "question_html": "Which?", "answers": []map[string]any{
					{"text_html": "A", "is_correct": true}, {"text_html": "B"}}},
			}}}}, &exam)
		qs := exam.Sections[0].Questions
		choiceA, choiceB := qs[1].Answers[0].ID, qs[1].Answers[1].ID
		type sitting struct {
			id, essay, choice int64 // the attempt and its items
			token             string
		}
		students := map[string]*sitting{}
		tick := func() { a.clock.Advance(7 * time.Second) } // each step at its own instant
		start := func(name string) *sitting {
			a.addUser(name, examhall.RoleStudent)
			s := &sitting{token: a.token(name)}
			var at struct{ ID int64 }
			a.must(201, "POST", "/api/v2.2/exams/sync/attempts/", s.token, nil, &at)
			var page struct{ Results []e2eItem }
			a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/questions/", at.ID), s.token, nil, &page)
			s.id, s.essay, s.choice = at.ID, page.Results[0].ID, page.Results[1].ID
			students[name] = s
			tick()
			return s
		}
		save := func(s *sitting, item int64, body map[string]any) {
			a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/questions/%d/", s.id, item), s.token, body, nil)
			tick()
		}
		end := func(s *sitting) {
			a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/end/", s.id), s.token, nil, nil)
			tick()
		}
		client := &syncClient{a: a, token: admin}
		check := func(when string) {
			t.Helper()
			fresh, _ := client.walk(t, nil)
			if !reflect.DeepEqual(client.rows, fresh) {
				var ids []int64
				for id := range fresh {
					ids = append(ids, id)
				}
				for id := range client.rows {
					if _, ok := fresh[id]; !ok {
						ids = append(ids, id)
					}
				}
				sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
				for _, id := range ids {
					if client.rows[id] != fresh[id] {
						t.Errorf("%s: attempt %d: client has %s, a fresh walk %s", when, id, client.rows[id], fresh[id])
					}
				}
				t.Fatalf("%s: the client's copy differs from a fresh walk", when)
			}
		}

		// Two attempts done and one running before the walk.
		asha := start("asha")
		save(asha, asha.essay, map[string]any{"essay_text": "Because."})
		save(asha, asha.choice, map[string]any{"selected_answers": []int64{choiceA}})
		end(asha)
		bala := start("bala")
		save(bala, bala.choice, map[string]any{"selected_answers": []int64{choiceB}})
		end(bala)
		chitra := start("chitra")

		// The walk, while attempts change and start between its pages.
		steps := []func(){
			func() { save(chitra, chitra.choice, map[string]any{"selected_answers": []int64{choiceA}}) },
			func() {
				dev := start("dev")
				save(dev, dev.essay, map[string]any{"essay_text": "So."})
			},
		}
		client.rows, client.cursor = client.walk(t, func() {
			if len(steps) > 0 {
				steps[0]()
				steps = steps[1:]
			}
		})
		if len(steps) != 0 {
			t.Fatalf("the walk took too few pages for its %d remaining steps", len(steps))
		}

		// Following, with polls between the changes.
		dev := students["dev"]
		poll := func() { client.follow(t, 2) }
		poll()
		save(dev, dev.choice, map[string]any{"selected_answers": []int64{choiceB}})
		end(chitra)
		poll()
		eshan := start("eshan")
		save(eshan, eshan.essay, map[string]any{"essay_text": "Hence."})
		poll()
		save(eshan, eshan.choice, map[string]any{"selected_answers": []int64{choiceA}})
		end(eshan)
		end(dev)
		poll()
		check("after the five ended")
		// Asha's essay is graded; then the key moves to B (a regrade of
		// every attempt); then Bala is renamed and Chitra deleted.
		var answers struct {
			Results struct {
				UserAnswers []struct {
					ID             int64
					ExamQuestionID int64 `json:"exam_question_id"`
				} `json:"user_answers"`
			}
		}
		a.must(200, "GET", fmt.Sprintf("/api/v3/admin/attempts/%d/user_answers/", asha.id), admin, nil, &answers)
		for _, ua := range answers.Results.UserAnswers {
			if ua.ExamQuestionID == qs[0].ID {
				a.must(200, "PUT", fmt.Sprintf("/api/v3/admin/attempts/%d/user_answers/%d/", asha.id, ua.ID), admin,
					map[string]any{"marks": "4"}, nil)
			}
		}
		tick()
		poll()
		a.must(200, "PUT", fmt.Sprintf("/api/v2.5/admin/exams/%d/questions/%d/", exam.ID, qs[1].ID), admin,
			map[string]any{"correct_answers": []int64{choiceB}}, nil)
		tick()
		if n := client.follow(t, 1000); n != 5 {
			t.Errorf("after the regrade: %d changes, want 5 (every attempt's score)", n)
		}
		a.must(200, "PATCH", fmt.Sprintf("/api/v2.5/admin/users/%d/", a.users["bala"].ID), admin,
			map[string]any{"first_name": "Balaji"}, nil)
		if n := client.follow(t, 1000); n != 1 {
			t.Errorf("after the rename: %d changes, want 1", n)
		}
		if got := a.do("DELETE", fmt.Sprintf("/api/v2.5/admin/users/%d/", a.users["chitra"].ID), "JWT "+admin, "", ""); got.status != 204 {
			t.Fatalf("delete chitra: %d %s", got.status, got.body)
		}
		if n := client.follow(t, 1000); n != 1 {
			t.Errorf("after the deletion: %d changes, want 1 (a tombstone)", n)
		}
		check("at the end")
		if _, ok := client.rows[chitra.id]; ok || len(client.rows) != 4 {
			t.Errorf("the client holds %d attempts, Chitra's among them: %v", len(client.rows), ok)
		}
		var bala2 struct{ Name string }
		if err := json.Unmarshal([]byte(client.rows[bala.id]), &bala2); err != nil || bala2.Name != "Balaji Rao" {
			t.Errorf("Bala's row: %s", client.rows[bala.id])
		}
		// Nothing changed since: an empty page at the horizon, the same
		// cursor to poll from.
		cursor := client.cursor
		if n := client.follow(t, 1000); n != 0 || client.cursor != cursor {
			t.Errorf("an idle poll: %d changes, next %s (was %s)", n, client.cursor, cursor)
		}
	})
}

// A heartbeat moves a running attempt's clock: no change. A save does.
func TestAttemptChangesHeartbeat(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		a.addUser("asha", examhall.RoleStudent)
		admin, student := a.token("admin"), a.token("asha")
		a.choiceExam(t)
		var at struct{ ID int64 }
		a.must(201, "POST", "/api/v2.2/exams/snap/attempts/", student, nil, &at)
		var page struct{ Results []e2eItem }
		a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/questions/", at.ID), student, nil, &page)
		client := &syncClient{a: a, token: admin}
		client.rows, client.cursor = client.walk(t, nil)
		client.follow(t, 1000) // the start, if the walk was before it was numbered
		for range 3 {
			a.clock.Advance(20 * time.Second)
			a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/heartbeat/", at.ID), student, nil, nil)
		}
		if n := client.follow(t, 1000); n != 0 {
			t.Errorf("heartbeats: %d changes, want none", n)
		}
		a.clock.Advance(time.Second)
		a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/questions/%d/", at.ID, page.Results[0].ID), student,
			map[string]any{"review": true}, nil)
		if n := client.follow(t, 1000); n != 1 {
			t.Errorf("a save: %d changes, want 1", n)
		}
		var row struct {
			LastAnswerUpdatedTime *string `json:"last_answer_updated_time"`
		}
		if err := json.Unmarshal([]byte(client.rows[at.ID]), &row); err != nil || row.LastAnswerUpdatedTime == nil {
			t.Errorf("the saved row: %s", client.rows[at.ID])
		}
	})
}

// Bad input to the feed: exact 400 bodies, nothing changed by them; a
// student is refused; a cursor ahead of the feed or from before a pruned
// tombstone is 410, even when nothing newer is kept.
func TestAttemptChangesRefusals(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		admin := "JWT " + a.token("admin")
		a.choiceExam(t)
		a.addUser("asha", examhall.RoleStudent)
		a.sit(a.token("asha"), "snap")
		feed := a.do("GET", "/api/v2.5/admin/attempts/changes/", admin, "", "")
		list := a.do("GET", "/api/v2.5/admin/attempts/", admin, "", "")
		cursor := list.header.Get("X-Examhall-Changes-Cursor")
		if feed.status != 200 || cursor == "" {
			t.Fatalf("list cursor %q; feed %d %s", cursor, feed.status, feed.body)
		}
		var all changesPage
		if err := json.Unmarshal([]byte(feed.body), &all); err != nil || len(all.Changes) != 1 || *all.Next != cursor || *all.HasMore {
			t.Fatalf("the feed from the start: %s (list cursor %s)", feed.body, cursor)
		}
		for _, tt := range []struct {
			query, want string
			status      int
		}{
			{"since=", `{"since":["Invalid cursor."]}`, 400},
			{"since=12", `{"since":["Invalid cursor."]}`, 400},
			{"since=1.-3", `{"since":["Invalid cursor."]}`, 400},
			{"since=1.x", `{"since":["Invalid cursor."]}`, 400},
			{"since=1.99999999999999999999", `{"since":["Invalid cursor."]}`, 400},
			{"limit=0", `{"limit":["Ensure this value is greater than or equal to 1."]}`, 400},
			{"limit=1001", `{"limit":["Ensure this value is less than or equal to 1000."]}`, 400},
			{"limit=ten&since=2.1", `{"limit":["A valid integer is required."],"since":["Invalid cursor."]}`, 400},
			{"since=1.999", `{"detail":"This cursor is ahead of every change recorded (the database was restored from a backup?): walk the attempts list again and follow the changes from its cursor."}`, 410},
		} {
			got := a.do("GET", "/api/v2.5/admin/attempts/changes/?"+tt.query, admin, "", "")
			if got.status != tt.status || strings.TrimSpace(got.body) != tt.want {
				t.Errorf("?%s: %d %s, want %d %s", tt.query, got.status, got.body, tt.status, tt.want)
			}
		}
		student := a.do("GET", "/api/v2.5/admin/attempts/changes/", "JWT "+a.token("asha"), "", "")
		if student.status != 403 || strings.TrimSpace(student.body) != `{"detail":"You do not have permission to perform this action."}` {
			t.Errorf("a student: %d %s", student.status, student.body)
		}
		if again := a.do("GET", "/api/v2.5/admin/attempts/changes/", admin, "", ""); again.body != feed.body {
			t.Errorf("the refused requests changed the feed: %s, was %s", again.body, feed.body)
		}

		// Asha is deleted; her tombstone is pruned a retention after the
		// sweep first saw it.
		if got := a.do("DELETE", fmt.Sprintf("/api/v2.5/admin/users/%d/", a.users["asha"].ID), admin, "", ""); got.status != 204 {
			t.Fatalf("delete: %d %s", got.status, got.body)
		}
		ctx := context.Background()
		retention := 24 * time.Hour
		prune := func() int64 {
			now := a.clock.Now()
			n, err := a.db.PruneAttemptChanges(ctx, now, now.Add(-retention))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := prune(); n != 0 {
			t.Fatalf("pruned %d at once", n)
		}
		a.clock.Advance(retention + time.Second)
		if n := prune(); n != 1 {
			t.Fatalf("pruned %d after the retention, want 1", n)
		}
		admin = "JWT " + a.token("admin") // the first one has expired
		got := a.do("GET", "/api/v2.5/admin/attempts/changes/?since="+url.QueryEscape(cursor), admin, "", "")
		if want := `{"detail":"Changes after this cursor are no longer kept: walk the attempts list again and follow the changes from its cursor."}`; got.status != 410 || strings.TrimSpace(got.body) != want {
			t.Errorf("a cursor before a pruned tombstone: %d %s, want 410 %s", got.status, got.body, want)
		}
		// A fresh walk's cursor works again.
		list = a.do("GET", "/api/v2.5/admin/attempts/", admin, "", "")
		fresh := a.do("GET", "/api/v2.5/admin/attempts/changes/?since="+url.QueryEscape(list.header.Get("X-Examhall-Changes-Cursor")), admin, "", "")
		if fresh.status != 200 || !strings.HasPrefix(fresh.body, `{"changes":[],"next":"1.`) {
			t.Errorf("from a fresh walk's cursor: %d %s", fresh.status, fresh.body)
		}
	})
}
