package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// examBundle is an institute with one exam of every question type in two
// sections (physics-mock, 30 minutes) and a one-minute quiz (quick-quiz).
// Author HTML carries markup that must render as HTML.
const examBundle = `{
  "format": "examhall-bundle/1",
  "subjects": [{"key": "sci", "name": "Science", "parent": null},
               {"key": "phy", "name": "Physics", "parent": "sci"},
               {"key": "chem", "name": "Chemistry", "parent": "sci"}],
  "exams": [
    {"slug": "physics-mock", "title": "Physics Mock 1", "description": "<p>Read <em>every</em> question.</p>",
     "start_date": "2020-01-01T09:00:00+05:30", "end_date": null, "duration": "0:30:00",
     "pass_percentage": 40, "enable_ranks": true, "allow_retake": true, "max_retakes": null,
     "published": true, "show_score": true, "show_percentile": true, "show_answers": true,
     "sections": [
       {"name": "Part A", "duration": null, "cut_off": 0, "questions": [
         {"key": "q-single", "type": "mcq_single", "question_html": "<p>The SI unit of <strong id=\"authored\">force</strong>?</p>",
          "explanation_html": "<p>Force is measured in <em>newtons</em>.</p>",
          "subject": "phy", "difficulty": "easy", "marks": "4.00", "negative_marks": "1.00",
          "answers": [{"text_html": "<p>Newton</p>", "is_correct": true}, {"text_html": "<p>Joule</p>", "is_correct": false},
                      {"text_html": "<p>Watt</p>", "is_correct": false}]},
         {"key": "q-multi", "type": "mcq_multiple", "question_html": "<p>Which are vectors?</p>",
          "subject": "phy", "marks": "4.00", "negative_marks": "0.00",
          "answers": [{"text_html": "Velocity", "is_correct": true}, {"text_html": "Speed", "is_correct": false},
                      {"text_html": "Force", "is_correct": true}]},
         {"key": "q-tf", "type": "true_false", "question_html": "<p>Water boils at 100 °C at sea level.</p>",
          "subject": "chem", "marks": "2.00", "negative_marks": "0.00",
          "answers": [{"text_html": "True", "is_correct": true}, {"text_html": "False", "is_correct": false}]}
       ]},
       {"name": "Part B", "duration": null, "cut_off": 0, "questions": [
         {"key": "q-num", "type": "numerical", "question_html": "<p>g in m/s²?</p>", "subject": "phy",
          "marks": "4.00", "negative_marks": "0.00", "numerical_min": "9.75", "numerical_max": "9.85"},
         {"key": "q-short", "type": "short_answer", "question_html": "<p>Who wrote the Principia?</p>", "subject": "phy",
          "marks": "2.00", "negative_marks": "0.00", "accepted_answers": ["Newton", "Isaac Newton"]},
         {"key": "q-essay", "type": "essay", "question_html": "<p>Explain inertia.</p>", "subject": "phy", "marks": "10.00"},
         {"key": "q-extra", "type": "mcq_single", "question_html": "<p>Left for the end.</p>", "subject": "chem",
          "marks": "1.00", "negative_marks": "0.00",
          "answers": [{"text_html": "Yes", "is_correct": true}, {"text_html": "No", "is_correct": false}]}
       ]}
     ]},
    {"slug": "quick-quiz", "title": "Quick Quiz", "description": "",
     "start_date": "2020-01-01T09:00:00+05:30", "end_date": null, "duration": "0:01:00",
     "enable_ranks": false, "allow_retake": false, "published": true,
     "sections": [{"name": "Only", "duration": null, "cut_off": 0, "questions": [
       {"key": "qq-1", "type": "mcq_single", "question_html": "<p>Pick one.</p>", "marks": "1.00",
        "answers": [{"text_html": "A", "is_correct": true}, {"text_html": "B", "is_correct": false}]}]}]},
    {"slug": "later-exam", "title": "Later Exam", "description": "",
     "start_date": "2099-01-01T09:00:00+05:30", "end_date": null, "duration": "1:00:00", "published": true,
     "sections": [{"name": "Only", "duration": null, "cut_off": 0, "questions": [
       {"key": "lq-1", "type": "true_false", "question_html": "<p>Later.</p>", "marks": "1.00",
        "answers": [{"text_html": "True", "is_correct": true}, {"text_html": "False", "is_correct": false}]}]}]}
  ]
}`

// call sends method path with body (JSON, or none when "") through c and
// returns the status and the body.
func (s *site) call(c *http.Client, method, path, body string) (int, string) {
	s.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, r)
	if err != nil {
		s.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// startAttempt starts an attempt of slug as the client's user and returns its id.
func (s *site) startAttempt(c *http.Client, slug string) int64 {
	s.t.Helper()
	status, body := s.call(c, "POST", "/api/v2.2/exams/"+slug+"/attempts/", "")
	if status != 201 {
		s.t.Fatalf("start %s: %d %s", slug, status, body)
	}
	var a struct{ ID int64 }
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		s.t.Fatal(err)
	}
	return a.ID
}

// TestExamPagesAccess is who may open the student's exam pages: each is a
// shell that carries the path's id or slug for its script; a visitor
// without a session goes to log in and back; another student's attempt page
// loads as a shell, but the API its script reads answers 404 (SPEC §6), so
// the page has nothing of the attempt to show (the browser test sees it say
// "not found").
func TestExamPagesAccess(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		s := newSite(t, engine)
		s.addUser("asha", examhall.RoleStudent)
		s.addUser("bina", examhall.RoleStudent)
		s.importBundle(examBundle)
		asha, bina, nobody := s.client("asha"), s.client("bina"), s.client("")
		id := s.startAttempt(asha, "physics-mock")
		room := fmt.Sprintf("/attempts/%d/", id)

		pages := []struct{ path, script, data string }{
			{"/exams/", "exams.js", ""},
			{"/exams/physics-mock/", "exam.js", `data-slug="physics-mock"`},
			{room, "room.js", fmt.Sprintf(`data-id="%d"`, id)},
			{room + "result/", "result.js", fmt.Sprintf(`data-id="%d"`, id)},
			{room + "review/", "review.js", fmt.Sprintf(`data-id="%d"`, id)},
		}
		for _, p := range pages {
			for _, who := range []struct {
				name string
				c    *http.Client
			}{{"asha", asha}, {"bina", bina}} {
				status, header, body := s.get(who.c, p.path)
				if status != 200 || header.Get("Content-Type") != "text/html; charset=utf-8" {
					t.Errorf("%s GET %s: %d %s", who.name, p.path, status, header.Get("Content-Type"))
				}
				for _, want := range []string{`src="/static/js/` + p.script + `"`, `href="/static/css/exam.css"`, p.data} {
					if !strings.Contains(body, want) {
						t.Errorf("%s GET %s: the page lacks %s", who.name, p.path, want)
					}
				}
			}
			status, header, _ := s.get(nobody, p.path)
			if want := "/login/?next=" + strings.ReplaceAll(p.path, "/", "%2F"); status != 303 || header.Get("Location") != want {
				t.Errorf("no session GET %s: %d %q, want 303 %q", p.path, status, header.Get("Location"), want)
			}
		}
		// The room's own data: asha's, not bina's.
		for _, path := range []string{"", "questions/", "review/"} {
			if status, body := s.call(bina, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/%s", id, path), ""); status != 404 || body != `{"detail":"Not found."}` {
				t.Errorf("bina GET attempt %s: %d %s", path, status, body)
			}
		}
		for _, step := range []string{"start/", "heartbeat/", "end/"} {
			if status, body := s.call(bina, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/%s", id, step), ""); status != 404 || body != `{"detail":"Not found."}` {
				t.Errorf("bina PUT %s: %d %s", step, status, body)
			}
		}
		if status, body := s.call(asha, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/", id), ""); status != 200 || !strings.Contains(body, `"state":"Running"`) {
			t.Errorf("asha GET her attempt: %d %s (bina's tries must have changed nothing)", status, body)
		}
	})
}

// TestExamPageScripts checks that every module the exam pages load, and
// every module those import, is served as JavaScript: a missing or
// misspelt import would break the page only in a browser.
func TestExamPageScripts(t *testing.T) {
	s := newSite(t, sqlstore.SQLite)
	c := s.client("")
	importRE := regexp.MustCompile(`(?m)^import [^;]* from '\./([a-z]+\.js)';`)
	seen := map[string]bool{}
	queue := []string{"exams.js", "exam.js", "room.js", "result.js", "review.js"}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if seen[name] {
			continue
		}
		seen[name] = true
		status, header, body := s.get(c, "/static/js/"+name)
		if status != 200 || header.Get("Content-Type") != "text/javascript; charset=utf-8" {
			t.Errorf("%s: %d %s", name, status, header.Get("Content-Type"))
			continue
		}
		for _, m := range importRE.FindAllStringSubmatch(body, -1) {
			queue = append(queue, m[1])
		}
	}
	for _, want := range []string{"api.js", "examkit.js", "savequeue.js"} {
		if !seen[want] {
			t.Errorf("%s is not imported by any exam page (the import pattern missed it?)", want)
		}
	}
	if status, header, _ := s.get(c, "/static/css/exam.css"); status != 200 || header.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("exam.css: %d %s", status, header.Get("Content-Type"))
	}
}
