package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/web/browsertest"
)

// studentBrowser is a test's tab on a site.
type studentBrowser struct {
	t   *testing.T
	s   *site
	ctx context.Context
}

func newStudentBrowser(t *testing.T, s *site) *studentBrowser {
	return &studentBrowser{t: t, s: s, ctx: browsertest.New(t)}
}

// do runs chromedp actions; a failure ends the test.
func (b *studentBrowser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatal(err)
	}
}

// evalIn evaluates js (awaiting a promise) into T.
func evalIn[T any](b *studentBrowser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
	return v
}

// wait polls the page until js is true (errors while a page navigates are
// tried again), failing the test after timeout.
func (b *studentBrowser) wait(what, js string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`!!(`+js+`)`))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			text, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`location.pathname + ': ' + document.body.innerText.slice(0, 600)`))
			b.t.Fatalf("waiting for %s (%s): %v; page %s", what, js, err, text)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// open navigates to path on the site.
func (b *studentBrowser) open(path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.s.URL + path))
}

// login logs in through the login page and lands on /exams/.
func (b *studentBrowser) login(username string) {
	b.t.Helper()
	b.open("/login/?next=/exams/")
	b.do(chromedp.SendKeys(chromedp.ID("username"), username), chromedp.SendKeys(chromedp.ID("password"), "pw-"+username),
		chromedp.Click(chromedp.CSS(`#login-form button[type=submit]`)))
	b.wait("the exam list", `location.pathname === '/exams/' && document.getElementById('exam-lists') && !document.getElementById('exam-lists').hasAttribute('aria-busy')`, 10*time.Second)
}

// saved waits until the room says every answer is saved.
func (b *studentBrowser) saved() {
	b.t.Helper()
	b.wait("all answers saved", `document.getElementById('save-state').dataset.state === 'saved'`, 10*time.Second)
}

// choose clicks the choice whose text is text on the current question.
func (b *studentBrowser) choose(text string) {
	b.t.Helper()
	b.do(chromedp.Click(chromedp.Search(`//div[@class="choice"]/label[normalize-space()="` + text + `"]`)))
}

// question goes to question n (1-based) through the palette and waits for it.
func (b *studentBrowser) question(n int) {
	b.t.Helper()
	b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`.pal[data-index="%d"]`, n-1))))
	b.wait(fmt.Sprintf("question %d", n), fmt.Sprintf(`document.getElementById('q-heading').textContent.startsWith('Question %d of')`, n), 5*time.Second)
}

// requireNoConsoleErrors fails the test on the page's console errors, but
// for the browser's own request for /favicon.ico, which the layout does not
// name (a 404 the pages cannot avoid).
func (b *studentBrowser) requireNoConsoleErrors() {
	b.t.Helper()
	for _, e := range browsertest.ConsoleErrors(b.ctx) {
		if !strings.Contains(e, "/favicon.ico") {
			b.t.Errorf("console error: %s", e)
		}
	}
}

// text is the visible text of the page's <main>.
func (b *studentBrowser) text() string {
	b.t.Helper()
	return evalIn[string](b, `document.getElementById('main').innerText`)
}

// apiAnswers are the attempt's items as the student API gives them, by order.
func (s *site) apiAnswers(c *http.Client, id int64) []map[string]any {
	s.t.Helper()
	status, body := s.call(c, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/questions/?page_size=250", id), "")
	if status != 200 {
		s.t.Fatalf("questions: %d %s", status, body)
	}
	var page struct{ Results []map[string]any }
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		s.t.Fatal(err)
	}
	return page.Results
}

// apiAttempt is the attempt as the student API gives it.
func (s *site) apiAttempt(c *http.Client, id int64) map[string]any {
	s.t.Helper()
	status, body := s.call(c, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/", id), "")
	if status != 200 {
		s.t.Fatalf("attempt: %d %s", status, body)
	}
	var a map[string]any
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		s.t.Fatal(err)
	}
	return a
}

// roomAttempt is the attempt id of the room the browser is in.
func (b *studentBrowser) roomAttempt() int64 {
	b.t.Helper()
	var id int64
	path := evalIn[string](b, `location.pathname`)
	if _, err := fmt.Sscanf(path, "/attempts/%d/", &id); err != nil {
		b.t.Fatalf("not in an exam room: %s", path)
	}
	return id
}

// TestExamRoomJourney is a student's exam in a real browser (SQLite: the
// pages are the same on both engines, and the API tests cover PostgreSQL):
// log in through the login page, see the exam lists, start an exam and
// answer every question type, lose the network and answer two more (kept
// on the device), come back with the saves still failing and reload (the
// page resumes at the same question and shows what waits), let the saves
// through, submit through the confirmation, and read the result, whose
// score is the API's. Along the way: axe on the list, the room and the
// result; the screenshots; the phone layout; no console errors outside the
// offline stretch; the room's page weight and the answer-save round trip.
func TestExamRoomJourney(t *testing.T) {
	s := newSite(t, sqlstore.SQLite)
	s.addUser("asha", examhall.RoleStudent)
	s.importBundle(examBundle)
	api := s.client("asha")
	b := newStudentBrowser(t, s)

	// The exam lists.
	b.login("asha")
	list := b.text()
	for _, want := range []string{"Available now", "Physics Mock 1", "Quick Quiz", "Upcoming", "Later Exam", "Taken", "You have not taken an exam yet."} {
		if !strings.Contains(list, want) {
			t.Errorf("the exam list lacks %q:\n%s", want, list)
		}
	}
	if upcoming := evalIn[string](b, `document.getElementById('upcoming').innerText`); strings.Contains(upcoming, "Start") || !strings.Contains(upcoming, "Later Exam") {
		t.Errorf("upcoming: %q", upcoming)
	}
	browsertest.RequireAccessible(t, b.ctx)

	// Start: the room opens at question 1.
	b.do(chromedp.Click(chromedp.Search(`//article[.//a[normalize-space()="Physics Mock 1"]]//button`)))
	b.wait("the room", `document.getElementById('room') && !document.getElementById('room').hidden && document.getElementById('q-heading').textContent === 'Question 1 of 7'`, 10*time.Second)
	id := b.roomAttempt()
	if got := evalIn[string](b, `document.getElementById('authored').tagName + ' ' + document.getElementById('exam-title').textContent`); got != "STRONG Physics Mock 1" {
		t.Errorf("the author's HTML is not rendered as HTML: %q", got)
	}
	if timer := evalIn[string](b, `document.getElementById('timer').textContent`); !regexp.MustCompile(`^(30:00|29:[0-5][0-9])$`).MatchString(timer) {
		t.Errorf("timer %q, want about 30:00", timer)
	}
	if got := evalIn[string](b, `[...document.querySelectorAll('#palette h3')].map(h => h.textContent).join(',')`); got != "Part A,Part B" {
		t.Errorf("palette sections %q", got)
	}

	// Online: single, multiple (keyboard alone), true/false marked for review, numerical.
	b.choose("Newton")
	b.saved()
	browsertest.RequireAccessible(t, b.ctx)
	browsertest.Screenshot(t, b.ctx, "exam-room-desktop")
	b.do(chromedp.Click(chromedp.ID("next")))
	b.wait("question 2", `document.getElementById('q-heading').textContent === 'Question 2 of 7'`, 5*time.Second)
	// Keyboard: focus the first choice and tick with the space bar, then
	// Tab to the next one (Speed) and on to Force.
	b.do(chromedp.Focus(chromedp.CSS(`.choice input`)), chromedp.KeyEvent(" "), chromedp.KeyEvent("\t"), chromedp.KeyEvent("\t"), chromedp.KeyEvent(" "))
	b.saved()
	b.question(3)
	b.choose("True")
	b.do(chromedp.Click(chromedp.ID("review-toggle")))
	b.saved()
	b.question(4)
	b.do(chromedp.SendKeys(chromedp.CSS(`#q-answer input`), "9.8"))
	b.saved()
	b.requireNoConsoleErrors()

	// The phone: no sideways scrolling, the palette under the question.
	if err := browsertest.Mobile(b.ctx); err != nil {
		t.Fatal(err)
	}
	b.wait("the phone layout", `innerWidth === 375`, 5*time.Second)
	if w := evalIn[int](b, `document.documentElement.scrollWidth`); w > 375 {
		t.Errorf("the room is %d px wide on a 375 px phone", w)
	}
	browsertest.Screenshot(t, b.ctx, "exam-room-phone")
	if err := browsertest.Desktop(b.ctx); err != nil {
		t.Fatal(err)
	}

	// Offline: two more answers, kept on the device.
	if err := browsertest.Offline(b.ctx, true); err != nil {
		t.Fatal(err)
	}
	b.question(5)
	b.do(chromedp.SendKeys(chromedp.CSS(`#q-answer input`), "newton"))
	b.question(6)
	essay := `<img src=x id=typed-img> Inertia keeps a body "as it is" & resists change.`
	b.do(chromedp.SendKeys(chromedp.CSS(`#q-answer textarea`), essay))
	b.wait("the offline state", `document.getElementById('save-state').dataset.state === 'offline'`, 10*time.Second)
	if got := evalIn[string](b, `document.getElementById('save-state').textContent`); !strings.HasPrefix(got, "Offline — ") {
		t.Errorf("save state while offline: %q", got)
	}
	items := s.apiAnswers(api, id)
	waiting := func() map[string]any {
		out := map[string]any{}
		for _, save := range evalIn[[]map[string]any](b, fmt.Sprintf(`JSON.parse(localStorage.getItem('examhall:attempt:%d:saves') || '[]')`, id)) {
			for k, v := range save["body"].(map[string]any) {
				if k != "duration" {
					out[fmt.Sprint(save["item"])+"."+k] = v
				}
			}
		}
		return out
	}
	short, essayKey := fmt.Sprint(items[4]["id"])+".short_text", fmt.Sprint(items[5]["id"])+".essay_text"
	b.wait("the essay on the device", fmt.Sprintf(`(localStorage.getItem('examhall:attempt:%d:saves') || '').includes('resists change')`, id), 5*time.Second)
	if w := waiting(); w[short] != "newton" || w[essayKey] != essay {
		t.Errorf("kept on the device: %v", w)
	}
	if items[4]["short_text"] != nil || items[5]["essay_text"] != nil {
		t.Errorf("the server has the offline answers already: %v %v", items[4]["short_text"], items[5]["essay_text"])
	}

	// Back, but the saves still fail (blocked): reload. The page resumes at
	// question 6 and shows what waits; nothing has reached the server.
	// (The server sheds the saves: a URL block set in the tab raced with the
	// page's first sends once back online, and failed the test under load.)
	s.shedSaves.Store(true)
	if err := browsertest.Offline(b.ctx, false); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.Reload())
	b.wait("the room after the reload", `!document.getElementById('room').hidden`, 10*time.Second)
	if got := evalIn[string](b, `document.getElementById('q-heading').textContent + ' | ' + document.querySelector('#q-answer textarea').value`); got != "Question 6 of 7 | "+essay {
		t.Errorf("after the reload: %q", got)
	}
	b.question(5)
	if got := evalIn[string](b, `document.querySelector('#q-answer input').value + ' ' + document.querySelector('.pal[data-index="5"]').getAttribute('aria-label')`); got != "newton Question 6, answered" {
		t.Errorf("after the reload, question 5 and the palette: %q", got)
	}
	if items := s.apiAnswers(api, id); items[4]["short_text"] != nil || items[5]["essay_text"] != nil {
		t.Errorf("blocked saves reached the server: %v %v", items[4]["short_text"], items[5]["essay_text"])
	}
	s.shedSaves.Store(false)
	b.wait("the waiting saves sent", `document.getElementById('save-state').dataset.state === 'saved'`, 20*time.Second)
	items = s.apiAnswers(api, id)
	if items[4]["short_text"] != "newton" || items[5]["essay_text"] != essay {
		t.Errorf("after the network came back, the server has %v and %v", items[4]["short_text"], items[5]["essay_text"])
	}
	if v := evalIn[string](b, fmt.Sprintf(`String(localStorage.getItem('examhall:attempt:%d:saves'))`, id)); v != "null" {
		t.Errorf("saves left on the device: %s", v)
	}
	browsertest.ClearConsoleErrors(b.ctx) // the offline stretch logs its failed requests

	// Everything but the last question is answered, as the server says.
	want := []string{"selected_answers", "selected_answers", "selected_answers", "numeric_value", "short_text", "essay_text"}
	for i, field := range want {
		if v := items[i][field]; v == nil || fmt.Sprint(v) == "[]" {
			t.Errorf("question %d: %s is %v", i+1, field, v)
		}
	}
	if items[2]["review"] != true || items[3]["numeric_value"] != "9.8" {
		t.Errorf("question 3 review %v, question 4 %v", items[2]["review"], items[3]["numeric_value"])
	}

	// The answer-save round trip, measured in the page: toggle the review
	// mark of question 5 and wait for each save.
	b.question(5)
	for i := 0; i < 20; i++ {
		b.do(chromedp.Click(chromedp.ID("review-toggle")))
		b.saved()
	}
	times := evalIn[[]float64](b, `window.examRoom.saveTimes`)
	sort.Float64s(times)
	t.Logf("answer save round trip from the page (PUT …/questions/<item>/, %d saves): median %.1f ms, p95 %.1f ms",
		len(times), times[len(times)/2], times[(len(times)*95+99)/100-1])

	// The page weight of the room.
	weight, files := roomWeight(t, s, api, id)
	loaded := evalIn[[]string](b, `[location.pathname, ...performance.getEntriesByType('resource').filter(e => e.initiatorType !== 'fetch').map(e => new URL(e.name).pathname)]`)
	for _, path := range loaded {
		if !slices.Contains(files, path) {
			t.Errorf("the room loaded %s, which the weight does not count (%v)", path, files)
		}
	}
	t.Logf("exam room page weight: %d bytes gzip (%.1f KB) in %d files: %v", weight, float64(weight)/1024, len(files), files)
	if weight > 150*1024 {
		t.Errorf("the exam room weighs %d bytes compressed, over 150 KB", weight)
	}

	// Submit: the dialog counts the unanswered question.
	b.do(chromedp.Click(chromedp.ID("submit-button")))
	b.wait("the dialog", `document.getElementById('submit-dialog').open`, 5*time.Second)
	if got := evalIn[string](b, `document.getElementById('submit-text').textContent`); !strings.HasPrefix(got, "You have answered 6 of 7 questions; 1 is unanswered. 1 is marked for review.") {
		t.Errorf("the confirmation says %q", got)
	}
	if got := evalIn[string](b, `document.activeElement.textContent`); got != "Keep working" {
		t.Errorf("the dialog opens with focus on %q", got)
	}
	b.do(chromedp.KeyEvent("\x1b")) // Escape keeps working
	b.wait("the dialog closed", `!document.getElementById('submit-dialog').open && document.activeElement.id === 'submit-button'`, 5*time.Second)
	if a := s.apiAttempt(api, id); a["state"] != "Running" {
		t.Fatalf("Escape submitted the exam: %v", a["state"])
	}
	b.do(chromedp.Click(chromedp.ID("submit-button")))
	b.wait("the dialog", `document.getElementById('submit-dialog').open`, 5*time.Second)
	b.do(chromedp.Click(chromedp.ID("confirm-submit")))
	b.wait("the result", `location.pathname.endsWith('/result/') && !document.getElementById('result').hasAttribute('aria-busy')`, 10*time.Second)

	// The result is the API's.
	a := s.apiAttempt(api, id)
	if a["state"] != "Completed" {
		t.Fatalf("after submit the attempt is %v", a["state"])
	}
	shown := evalIn[map[string]string](b, `Object.fromEntries(['score', 'percentage', 'rank', 'percentile'].map(k => [k, (document.getElementById('result-' + k) || {}).textContent || '']))`)
	if shown["score"] != a["score"] || shown["percentage"] != fmt.Sprint(a["percentage"])+"%" ||
		shown["rank"] != fmt.Sprintf("%v of %v", a["rank"], a["max_rank"]) || shown["percentile"] != fmt.Sprint(a["percentile"]) {
		t.Errorf("the result page shows %v; the API says score %v, percentage %v, rank %v of %v, percentile %v",
			shown, a["score"], a["percentage"], a["rank"], a["max_rank"], a["percentile"])
	}
	if a["score"] != "16.00" { // 4 + 4 + 2 + 4 + 2, the essay awaiting grading, question 7 unanswered
		t.Errorf("score %v, want 16.00", a["score"])
	}
	// Questions, correct, unanswered, to be graded, marks.
	bySection := evalIn[string](b, `document.querySelector('#by-sections tbody').innerText`)
	if want := "Part A\t3\t3\t0\t0\t10.00\nPart B\t4\t2\t1\t1\t6.00"; strings.TrimSpace(bySection) != want {
		t.Errorf("the result by section:\n%q, want\n%q", bySection, want)
	}
	browsertest.RequireAccessible(t, b.ctx)
	browsertest.Screenshot(t, b.ctx, "result")

	// The review: what the student typed is text, the author's HTML is HTML.
	b.do(chromedp.Click(chromedp.Search(`//a[normalize-space()="Review your answers"]`)))
	b.wait("the review", `location.pathname.endsWith('/review/') && !document.getElementById('review').hasAttribute('aria-busy')`, 10*time.Second)
	if got := evalIn[string](b, `[...document.querySelectorAll('.typed')].map(n => n.textContent).join(' | ') + ' | img:' + !!document.getElementById('typed-img') + ' | em:' + document.querySelectorAll('.explanation em').length`); got != "9.8 | newton | "+essay+" | img:false | em:1" {
		t.Errorf("review: %q", got)
	}
	if review := b.text(); !strings.Contains(review, "Correct answer") || !strings.Contains(review, "Pending Evaluation") {
		t.Errorf("the review lacks the key or the pending essay:\n%s", review)
	}
	browsertest.RequireAccessible(t, b.ctx)

	// The list now has the attempt under Taken, and the room of a completed
	// attempt sends the student to its result.
	b.open("/exams/")
	b.wait("the exam list", `!document.getElementById('exam-lists').hasAttribute('aria-busy')`, 10*time.Second)
	if taken := evalIn[string](b, `document.getElementById('taken').innerText`); !strings.Contains(taken, "Physics Mock 1") || !strings.Contains(taken, "16.00 (59.26%)") {
		t.Errorf("taken: %q", taken)
	}
	b.open(fmt.Sprintf("/attempts/%d/", id))
	b.wait("the result", `location.pathname.endsWith('/result/')`, 10*time.Second)
	b.requireNoConsoleErrors()
}

// roomWeight is the compressed weight of the exam room: the page's HTML
// (gzipped here: pages are sent as they are) and every stylesheet and
// module it loads, followed through their imports, each as the server sends
// it to a browser that takes gzip. Returns the bytes and the paths counted.
func roomWeight(t *testing.T, s *site, c *http.Client, id int64) (int, []string) {
	t.Helper()
	page := fmt.Sprintf("/attempts/%d/", id)
	status, _, html := s.get(c, page)
	if status != 200 {
		t.Fatalf("room: %d", status)
	}
	total := gzipSize(t, []byte(html))
	files := []string{page}
	queue := []string{}
	for _, m := range regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`).FindAllStringSubmatch(html, -1) {
		queue = append(queue, m[1])
	}
	importRE := regexp.MustCompile(`(?m)^import [^;]* from '\./([a-z]+\.js)';`)
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		if slices.Contains(files, path) {
			continue
		}
		files = append(files, path)
		req, _ := http.NewRequest("GET", s.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		plain := body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			total += len(body)
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			plain, _ = io.ReadAll(zr)
		} else {
			total += len(body) // not worth compressing: sent as it is
		}
		if strings.HasSuffix(path, ".js") {
			for _, m := range importRE.FindAllStringSubmatch(string(plain), -1) {
				queue = append(queue, "/static/js/"+m[1])
			}
		}
	}
	return total, files
}

func gzipSize(t *testing.T, b []byte) int {
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return z.Len()
}

// TestExamRoomEnds is the room ending without a submit: a timed exam whose
// countdown reaches zero submits itself (the server's clock jumped to 5 s
// before the end; the page learns it from the next save's re-sync); an
// attempt the server has completed meanwhile (ended elsewhere) sends the
// room to its result at the next save, saying what could not be saved; and
// another student who opens the attempt's pages is told it was not found.
func TestExamRoomEnds(t *testing.T) {
	t.Parallel()
	s := newSite(t, sqlstore.SQLite)
	s.addUser("asha", examhall.RoleStudent)
	s.addUser("bina", examhall.RoleStudent)
	s.importBundle(examBundle)
	api := s.client("asha")
	b := newStudentBrowser(t, s)
	b.login("asha")

	// The one-minute quiz runs out.
	b.do(chromedp.Click(chromedp.Search(`//article[.//a[normalize-space()="Quick Quiz"]]//button`)))
	b.wait("the room", `document.getElementById('room') && !document.getElementById('room').hidden`, 10*time.Second)
	id := b.roomAttempt()
	if timer := evalIn[string](b, `document.getElementById('timer').textContent`); timer != "1:00" && timer != "0:59" {
		t.Errorf("timer %q, want 1:00", timer)
	}
	b.choose("A")
	b.saved()
	s.clock.Jump(55 * time.Second)
	b.do(chromedp.Click(chromedp.ID("review-toggle"))) // a save, then the re-sync
	b.wait("the countdown re-synced", `/^0:0[0-5]$/.test(document.getElementById('timer').textContent)`, 5*time.Second)

	// Offline, the countdown reaches zero on the device while the server's
	// clock says time is left (it stops while a student is away, SPEC §5;
	// here the test turns it back 30 s): the room asks before it submits,
	// and waits for the answer. Back online, it goes on with the server's time.
	if err := browsertest.Offline(b.ctx, true); err != nil {
		t.Fatal(err)
	}
	s.clock.Jump(-30 * time.Second)
	b.wait("zero on the device, waiting for the server", `document.getElementById('timer').textContent === '0:00' &&
		document.getElementById('room-message').textContent.startsWith('Time is up on this device; waiting for the server')`, 10*time.Second)
	if a := s.apiAttempt(api, id); a["state"] != "Running" {
		t.Errorf("offline at zero on the device, the attempt is %v", a["state"])
	}
	if err := browsertest.Offline(b.ctx, false); err != nil {
		t.Fatal(err)
	}
	b.wait("the server's time back", `/^0:[1-3][0-9]$/.test(document.getElementById('timer').textContent) &&
		document.getElementById('room-message').textContent === ''`, 10*time.Second)
	browsertest.ClearConsoleErrors(b.ctx) // the offline stretch logs its failed requests

	// Then the server's time runs out too (the test moves its clock to 3 s
	// before the end): the room submits.
	left := evalIn[int](b, `Number(document.getElementById('timer').textContent.split(':')[1])`)
	s.clock.Jump(time.Duration(left-3) * time.Second)
	b.do(chromedp.Click(chromedp.ID("review-toggle"))) // a save, then the re-sync
	b.browserRoomMessage(t, "Time is up", 10*time.Second)
	b.wait("the result", `location.pathname === '/attempts/`+fmt.Sprint(id)+`/result/' && !document.getElementById('result').hasAttribute('aria-busy')`, 10*time.Second)
	a := s.apiAttempt(api, id)
	if a["state"] != "Completed" || a["correct_count"] != float64(1) || a["score"] != "1.00" {
		t.Errorf("after the time ran out: %v, correct %v, score %v", a["state"], a["correct_count"], a["score"])
	}
	if got := evalIn[string](b, `document.getElementById('result-score').textContent`); got != a["score"] {
		t.Errorf("the result shows score %q, the API %v", got, a["score"])
	}
	b.requireNoConsoleErrors()

	// The exam's own page offers to start it; once started, to resume it.
	b.open("/exams/physics-mock/")
	b.wait("the exam page", `!document.getElementById('exam-detail').hasAttribute('aria-busy')`, 10*time.Second)
	if got := evalIn[string](b, `[...document.querySelectorAll('.description, .facts dt, .facts dd, .actions button')].slice(0, 4).map(n => n.textContent).join(' | ')`); got != "Read every question. | Questions | 7 | Time" {
		t.Errorf("the exam page: %q", got)
	}
	if got := evalIn[string](b, `document.querySelector('.actions button').textContent`); got != "Start Physics Mock 1" {
		t.Errorf("the exam page's button: %q", got)
	}
	if n := evalIn[int](b, `document.querySelectorAll('.description em').length`); n != 1 {
		t.Errorf("the description's HTML is not rendered: %d <em>", n)
	}
	browsertest.RequireAccessible(t, b.ctx)
	id2 := s.startAttempt(api, "physics-mock")
	b.do(chromedp.Reload())
	b.wait("the exam page", `!document.getElementById('exam-detail').hasAttribute('aria-busy')`, 10*time.Second)
	b.do(chromedp.Click(chromedp.Search(`//a[normalize-space()="Resume Physics Mock 1"]`)))
	b.wait("the room", `location.pathname === '/attempts/`+fmt.Sprint(id2)+`/' && !document.getElementById('room').hidden`, 10*time.Second)

	// A server shedding load: the first save is answered 503 with
	// Retry-After: 2, and the room waits that long before sending it again.
	var mu sync.Mutex
	var saves []time.Time
	if err := chromedp.Listen(b.ctx, func(ev any) {
		e, ok := ev.(*fetch.EventRequestPaused)
		if !ok {
			return
		}
		go func() {
			mu.Lock()
			saves = append(saves, time.Now())
			first := len(saves) == 1
			mu.Unlock()
			if first {
				_, _ = chromedp.Call(b.ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: e.RequestID, ResponseCode: 503,
					ResponseHeaders: []*fetch.HeaderEntry{{Name: "Retry-After", Value: "2"}, {Name: "Content-Type", Value: "application/json"}},
					Body:            []byte(`{"detail":"The server is busy; try again shortly."}`)})
				return
			}
			_, _ = chromedp.Call(b.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID})
		}()
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/api/v2.2/attempts/*/questions/*/"}}}); err != nil {
		t.Fatal(err)
	}
	b.choose("Joule")
	b.wait("the retry", `document.getElementById('save-state').dataset.state === 'retrying'`, 5*time.Second)
	if got := evalIn[string](b, `document.getElementById('save-state').textContent`); got != "The server is busy — trying again in 2 s" {
		t.Errorf("while shed: %q", got)
	}
	b.saved()
	if _, err := chromedp.Call(b.ctx, fetch.Disable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(saves) != 2 || saves[1].Sub(saves[0]) < 2*time.Second {
		t.Errorf("saves at %v: want two, 2 s apart", saves)
	}
	mu.Unlock()
	joule := s.apiAnswers(api, id2)[0]["selected_answers"]
	if len(joule.([]any)) != 1 {
		t.Errorf("the save retried after the 503: %v", joule)
	}

	// The server ends the attempt while the room is open.
	if status, body := s.call(api, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/end/", id2), ""); status != 200 {
		t.Fatalf("end: %d %s", status, body)
	}
	b.choose("Newton")
	b.wait("the result", `location.pathname === '/attempts/`+fmt.Sprint(id2)+`/result/' && !document.getElementById('result').hasAttribute('aria-busy')`, 10*time.Second)
	if got := evalIn[string](b, `document.querySelector('#result .notice').textContent`); got != "1 change made after the exam had ended could not be saved." {
		t.Errorf("notice %q", got)
	}
	if items := s.apiAnswers(api, id2); fmt.Sprint(items[0]["selected_answers"]) != fmt.Sprint(joule) {
		t.Errorf("a save after the end was kept: %v, want %v", items[0]["selected_answers"], joule)
	}
	// The shed save (503) and the refused one (400), which the browser
	// logs; nothing else.
	var others []string
	for _, e := range browsertest.ConsoleErrors(b.ctx) {
		if !strings.Contains(e, "/favicon.ico") && !strings.Contains(e, fmt.Sprintf("(%s/api/v2.2/attempts/%d/questions/", s.URL, id2)) {
			others = append(others, e)
		}
	}
	if len(others) > 0 {
		t.Errorf("console errors: %v", others)
	}
	browsertest.ClearConsoleErrors(b.ctx)

	// Another student: the pages load, the API says 404, the page says so.
	b.do(chromedp.Click(chromedp.ID("logout")))
	b.wait("the login page", `location.pathname === '/login/'`, 5*time.Second)
	b.login("bina")
	for _, path := range []string{"/attempts/%d/", "/attempts/%d/result/", "/attempts/%d/review/"} {
		b.open(fmt.Sprintf(path, id2))
		b.wait("not found", `document.querySelector('#main [role=alert]') && document.querySelector('#main [role=alert]').textContent.includes('was not found')`, 10*time.Second)
		if text := b.text(); strings.Contains(text, "Physics Mock") || strings.Contains(text, "Newton") {
			t.Errorf("bina sees asha's attempt at %s:\n%s", path, text)
		}
	}
	if a := s.apiAttempt(api, id2); a["state"] != "Completed" {
		t.Errorf("asha's attempt after bina's visit: %v", a["state"])
	}
}

// browserRoomMessage waits for the room's message to start with prefix.
func (b *studentBrowser) browserRoomMessage(t *testing.T, prefix string, timeout time.Duration) {
	t.Helper()
	b.wait("the room message "+prefix, `(document.getElementById('room-message') || {textContent: ''}).textContent.startsWith('`+prefix+`') || location.pathname.endsWith('/result/')`, timeout)
}
