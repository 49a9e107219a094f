package web_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// TestExamRoomSignals: the exam room reports the tab hidden and shown
// again, a copy and a paste (a second copy at once is not sent) to the
// attempt's timeline, where the admin API shows them marked client, after
// the server's own events.
func TestExamRoomSignals(t *testing.T) {
	t.Parallel()
	s := newSite(t, sqlstore.SQLite)
	s.addUser("asha", examhall.RoleStudent)
	s.addUser("admin", examhall.RoleAdmin)
	s.importBundle(examBundle)
	api := s.client("asha")
	id := s.startAttempt(api, "physics-mock")
	b := newStudentBrowser(t, s)
	b.login("asha")
	b.open(fmt.Sprintf("/attempts/%d/", id))
	b.wait("the room", `document.getElementById('room') && !document.getElementById('room').hidden && window.examRoom.signals`, 10*time.Second)

	evalIn[bool](b, `(() => {
		Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
		document.dispatchEvent(new Event('visibilitychange'));
		window.dispatchEvent(new Event('blur')); // a hidden tab blurs too: one focus_lost
		Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
		document.dispatchEvent(new Event('visibilitychange'));
		window.dispatchEvent(new Event('focus'));
		return true;
	})()`)
	evalIn[bool](b, `(() => {
		document.getElementById('q-heading').dispatchEvent(new ClipboardEvent('copy', { bubbles: true }));
		document.getElementById('q-heading').dispatchEvent(new ClipboardEvent('copy', { bubbles: true })); // within quietMs: not sent
		document.getElementById('q-heading').dispatchEvent(new ClipboardEvent('paste', { bubbles: true }));
		return true;
	})()`)
	if got := evalIn[string](b, `JSON.stringify(window.examRoom.signals)`); got != `{"focus_lost":1,"focus_gained":1,"copy":1,"paste":1}` {
		t.Errorf("signals sent: %s", got)
	}

	// Fire and forget: the admin timeline shows them once they arrive.
	admin := s.client("admin")
	var got []string
	for deadline := time.Now().Add(10 * time.Second); ; {
		status, body := s.call(admin, "GET", fmt.Sprintf("/api/v3/admin/attempts/%d/events/", id), "")
		if status != 200 {
			t.Fatalf("events: %d %s", status, body)
		}
		var page struct {
			Results []struct {
				Type   string         `json:"type"`
				Source string         `json:"source"`
				Data   map[string]any `json:"data"`
			} `json:"results"`
		}
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatal(err)
		}
		got = got[:0]
		for _, e := range page.Results {
			got = append(got, e.Source+":"+e.Type)
		}
		if len(got) >= 5 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The room resumes the attempt it opens (no new interval: no event).
	// The four requests race one another: their order is the server's.
	if len(got) > 1 {
		sort.Strings(got[1:])
	}
	want := []string{"server:started", "client:copy", "client:focus_gained", "client:focus_lost", "client:paste"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("timeline = %v, want %v", got, want)
	}
	b.requireNoConsoleErrors()
}
