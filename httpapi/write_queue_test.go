package httpapi_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/httpapi"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// TestWriteQueueFullIs503: with the writer busy and its queue full, an
// answer save is answered at once with 503, Retry-After and a DRF body, and
// changes nothing; reads go on being served; the queued save is written
// when the writer is free (issue 11: admission control).
func TestWriteQueueFullIs503(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) { testWriteQueueFullIs503(t, engine) })
}

// On SQLite one save waits in the queue (of one) behind the held writer; on
// PostgreSQL, where writes wait for a pooled connection, the held admission
// refuses every write.
func testWriteQueueFullIs503(t *testing.T, engine sqlstore.Engine) {
	a := newTestAPIOpts(t, sqltest.DSN(t, engine), examhalltest.NewClock(epoch), sqlstore.Options{WriteQueue: 1})
	a.addUser("admin", examhall.RoleAdmin)
	a.addUser("asha", examhall.RoleStudent)
	student := a.token("asha")
	a.must(201, "POST", "/api/v2.5/admin/exams/", a.token("admin"), map[string]any{"slug": "q", "title": "Q", "published": true,
		"sections": []map[string]any{{"name": "A", "questions": []map[string]any{
			{"type": "numerical", "question_html": "q1", "numerical_min": "1", "numerical_max": "1"},
			{"type": "numerical", "question_html": "q2", "numerical_min": "1", "numerical_max": "1"}}}}}, nil)
	var attempt struct{ ID int64 }
	a.must(201, "POST", "/api/v2.2/exams/q/attempts/", student, nil, &attempt)
	var page struct{ Results []e2eItem }
	a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/questions/", attempt.ID), student, nil, &page)
	item := func(i int) string {
		return fmt.Sprintf("/api/v2.2/attempts/%d/questions/%d/", attempt.ID, page.Results[i].ID)
	}

	release, err := a.db.HoldWriter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	queued := make(chan response, 1)
	if engine == sqlstore.SQLite {
		go func() { queued <- a.do("PUT", item(0), "JWT "+student, "application/json", `{"numeric_value": "1"}`) }()
		for deadline := time.Now().Add(10 * time.Second); a.db.QueuedWrites() < 1; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the first save never queued")
			}
		}
	}
	got := a.do("PUT", item(1), "JWT "+student, "application/json", `{"numeric_value": "1"}`)
	if got.status != 503 || got.header.Get("Retry-After") != "1" ||
		got.body != `{"detail":"The server is busy; nothing was saved. Please try again in a moment."}` {
		t.Errorf("a save past the queue: %d Retry-After=%q %s", got.status, got.header.Get("Retry-After"), got.body)
	}
	if got := a.do("GET", fmt.Sprintf("/api/v2.2/attempts/%d/questions/", attempt.ID), "JWT "+student, "", ""); got.status != 200 {
		t.Errorf("a read while the writer is busy: %d %s", got.status, got.body)
	}
	if got := a.do("GET", "/healthz", "", "", ""); got.status != 200 {
		t.Errorf("healthz while the writer is busy: %d", got.status)
	}
	release()
	if engine == sqlstore.SQLite {
		if got := <-queued; got.status != 200 {
			t.Errorf("the queued save: %d %s", got.status, got.body)
		}
	} else {
		a.must(200, "PUT", item(0), student, map[string]any{"numeric_value": "1"}, nil)
	}
	a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/questions/", attempt.ID), student, nil, &page)
	var items struct {
		Results []struct {
			NumericValue *string `json:"numeric_value"`
		}
	}
	a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/questions/", attempt.ID), student, nil, &items)
	if v := items.Results[0].NumericValue; v == nil || *v != "1" {
		t.Errorf("the queued save was not written: %v", v)
	}
	if v := items.Results[1].NumericValue; v != nil {
		t.Errorf("the refused save was written: %q", *v)
	}
}

// TestOverloadIsShedEarly: while the write queue is full a write request is
// refused before it is even authenticated (a bad token gets the 503 too)
// and reads go on; with MaxInFlight requests in hand, one more request of
// any kind is refused at once, and /healthz is still answered (issue 11:
// admission control).
func TestOverloadIsShedEarly(t *testing.T) {
	const (
		busySave = `{"detail":"The server is busy; nothing was saved. Please try again in a moment."}`
		busy     = `{"detail":"The server is busy; nothing was done. Please try again in a moment."}`
	)
	for _, tt := range []struct {
		name      string
		configure func(*httpapi.Server)
		checks    []overloadCheck
	}{
		{"shed writes", func(s *httpapi.Server) { s.Writes = s.DB.(*sqlstore.DB) }, []overloadCheck{
			{"a save", "PUT", "save", "student", 503, busySave},
			{"a save with a bad token", "PUT", "save", "garbage", 503, busySave},
			{"a read", "GET", "attempt", "student", 200, ""},
			{"healthz", "GET", "/healthz", "", 200, ""},
		}},
		{"requests in hand", func(s *httpapi.Server) { s.MaxInFlight = 1 }, []overloadCheck{
			{"a read", "GET", "attempt", "student", 503, busy},
			{"a login", "POST", "/api/v2.5/auth-token/", "", 503, busy},
			{"healthz", "GET", "/healthz", "", 200, ""},
			{"readyz", "GET", "/readyz", "", 200, ""},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) { testOverload(t, tt.configure, tt.checks) })
	}
}

type overloadCheck struct {
	name, method, path, token string
	status                    int
	body                      string
}

// testOverload holds the writer with one save queued behind it (the queue
// holds one), then makes each check.
func testOverload(t *testing.T, configure func(*httpapi.Server), checks []overloadCheck) {
	a := newTestAPIOpts(t, sqltest.DSN(t, sqlstore.SQLite), examhalltest.NewClock(epoch), sqlstore.Options{WriteQueue: 1}, configure)
	a.addUser("admin", examhall.RoleAdmin)
	a.addUser("asha", examhall.RoleStudent)
	student := a.token("asha")
	a.must(201, "POST", "/api/v2.5/admin/exams/", a.token("admin"), map[string]any{"slug": "q", "title": "Q", "published": true,
		"sections": []map[string]any{{"name": "A", "questions": []map[string]any{
			{"type": "numerical", "question_html": "q1", "numerical_min": "1", "numerical_max": "1"}}}}}, nil)
	var attempt struct{ ID int64 }
	a.must(201, "POST", "/api/v2.2/exams/q/attempts/", student, nil, &attempt)
	var page struct{ Results []e2eItem }
	a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/questions/", attempt.ID), student, nil, &page)
	paths := map[string]string{
		"save":    fmt.Sprintf("/api/v2.2/attempts/%d/questions/%d/", attempt.ID, page.Results[0].ID),
		"attempt": fmt.Sprintf("/api/v2.2/attempts/%d/", attempt.ID),
	}
	release, err := a.db.HoldWriter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	queued := make(chan response, 1)
	go func() {
		queued <- a.do("PUT", paths["save"], "JWT "+student, "application/json", `{"numeric_value": "1"}`)
	}()
	for deadline := time.Now().Add(10 * time.Second); a.db.QueuedWrites() < 1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first save never queued")
		}
	}
	for _, c := range checks {
		path, token := c.path, ""
		if p, ok := paths[path]; ok {
			path = p
		}
		switch c.token {
		case "student":
			token = "JWT " + student
		case "garbage":
			token = "JWT garbage"
		}
		got := a.do(c.method, path, token, "application/json", `{"numeric_value": "2", "username": "asha", "password": "pw-asha"}`)
		if got.status != c.status || (c.body != "" && got.body != c.body) || (c.status == 503 && got.header.Get("Retry-After") != "1") {
			t.Errorf("%s: %d %s Retry-After=%q, want %d %s", c.name, got.status, got.body, got.header.Get("Retry-After"), c.status, c.body)
		}
	}
	release()
	if got := <-queued; got.status != 200 {
		t.Errorf("the queued save: %d %s", got.status, got.body)
	}
}
