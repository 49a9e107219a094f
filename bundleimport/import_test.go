package bundleimport_test

import (
	"bytes"
	"context"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/auth"
	"github.com/examhall/examhall/bundle"
	"github.com/examhall/examhall/bundleimport"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
	"golang.org/x/crypto/bcrypt"
)

func parseBundle(t *testing.T, text string) *bundle.Bundle {
	t.Helper()
	b, err := bundle.Parse(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return b
}

// attemptsOf returns the attempts of the exam's users by username.
func attemptsOf(t *testing.T, db *sqlstore.DB, usernames ...string) map[string]*examhall.Attempt {
	t.Helper()
	out := map[string]*examhall.Attempt{}
	for _, name := range usernames {
		u, _, err := db.UserCredentials(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		list, err := db.UserAttempts(context.Background(), u.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("attempts of %s: %v, %v", name, list, err)
		}
		out[name] = list[0]
	}
	return out
}

func TestImport(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	raw, err := os.ReadFile("../sqlstore/testdata/bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	passwords := &auth.Passwords{Cost: bcrypt.MinCost}
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		summary, err := bundleimport.Import(ctx, db, parseBundle(t, string(raw)), passwords, true)
		if err != nil || summary.Created["attempts"] != 2 {
			t.Fatalf("dry run: %+v, %v", summary, err)
		}
		if _, _, err := db.UserCredentials(ctx, "asha"); examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
			t.Fatalf("the dry run stored a user: %v", err)
		}

		summary, err = bundleimport.Import(ctx, db, parseBundle(t, string(raw)), passwords, false)
		want := bundleimport.Summary{
			Created:   map[string]int{"users": 2, "subjects": 2, "exams": 1, "attempts": 2},
			Updated:   map[string]int{},
			Unchanged: map[string]int{},
		}
		if err != nil || !reflect.DeepEqual(summary, want) {
			t.Fatalf("first import: %+v, %v", summary, err)
		}
		u, hash, _ := db.UserCredentials(ctx, "asha")
		u, _ = db.UserByID(ctx, u.ID)
		if !passwords.Verify(hash, "asha-secret") || !reflect.DeepEqual(u.Batches, []string{"NEET 2027"}) {
			t.Fatalf("imported user: %+v", u)
		}
		if _, hash, _ := db.UserCredentials(ctx, "ravi"); hash != "" {
			t.Fatal("a user without password got one")
		}
		// Asha: 4 + 4 + 2 + 7 (graded essay) = 17 of 20 = 85 %, Pass, in 1:10:00.
		// Ravi: -1 (wrong) + essay pending = -1 = -5 %, NA; 3.5 h capped at the 3 h duration.
		got := attemptsOf(t, db, "asha", "ravi")
		asha, ravi := got["asha"], got["ravi"]
		if asha.Score != dec("17") || asha.Percentage != dec("85") || asha.Result != "Pass" || asha.Correct != 3 ||
			asha.Partial != 1 || asha.TimeTaken != 70*time.Minute || !asha.InRankPopulation ||
			!asha.Date.Equal(time.Date(2026, 1, 2, 4, 30, 0, 0, time.UTC)) {
			t.Fatalf("asha's attempt = %+v", asha)
		}
		if ravi.Score != dec("-1") || ravi.Result != "NA" || ravi.Pending != 1 || ravi.Incorrect != 1 ||
			ravi.Unanswered != 2 || ravi.TimeTaken != 3*time.Hour {
			t.Fatalf("ravi's attempt = %+v", ravi)
		}
		if rank, population, _, _, _ := db.Rank(ctx, ravi); rank != 2 || population != 2 {
			t.Fatalf("ravi's rank = %d of %d", rank, population)
		}
		if tz, _, _ := db.Setting(ctx, examhall.SettingInstituteTimezone); tz != "Asia/Kolkata" {
			t.Fatalf("institute time zone = %q", tz)
		}

		// The same bundle again changes nothing.
		summary, err = bundleimport.Import(ctx, db, parseBundle(t, string(raw)), passwords, false)
		want = bundleimport.Summary{
			Created:   map[string]int{},
			Updated:   map[string]int{},
			Unchanged: map[string]int{"users": 2, "subjects": 2, "exams": 1, "attempts": 2},
		}
		if err != nil || !reflect.DeepEqual(summary, want) {
			t.Fatalf("second import: %+v, %v", summary, err)
		}
		if again := attemptsOf(t, db, "asha", "ravi"); !reflect.DeepEqual(again, got) {
			t.Fatalf("second import changed attempts:\n%+v\n%+v", again, got)
		}

		// A changed answer key updates the exam in place and regrades: Asha's q-001 is now wrong
		// (17 - 4 - 1 = 12, 60 %), Ravi's right (-1 + 4 + 1 = 4, 20 %).
		changed := strings.Replace(strings.Replace(string(raw),
			`"<p>Newton</p>", "is_correct": true`, `"<p>Newton</p>", "is_correct": false`, 1),
			`"<p>Joule</p>", "is_correct": false`, `"<p>Joule</p>", "is_correct": true`, 1)
		summary, err = bundleimport.Import(ctx, db, parseBundle(t, changed), passwords, false)
		if err != nil || summary.Updated["exams"] != 1 || summary.Unchanged["attempts"] != 2 {
			t.Fatalf("changed key: %+v, %v", summary, err)
		}
		got = attemptsOf(t, db, "asha", "ravi")
		if got["asha"].Score != dec("12") || got["asha"].Percentage != dec("60") || got["ravi"].Score != dec("4") {
			t.Fatalf("after the key changed: asha %+v ravi %+v", got["asha"], got["ravi"])
		}
		if rank, _, _, _, _ := db.Rank(ctx, got["ravi"]); rank != 2 {
			t.Fatalf("ravi's rank after regrade = %d", rank)
		}

		// A bundle that adds a question to an exam with attempts is refused whole.
		grown := strings.Replace(changed, `{"key": "q-004"`, `{"key": "q-005", "type": "essay", "question_html": "<p>More</p>"},
          {"key": "q-004"`, 1)
		grown = strings.Replace(grown, `"username": "ravi", "email": "ravi@example.com"`, `"username": "ravi", "email": "ravi@new.example.com"`, 1)
		_, err = bundleimport.Import(ctx, db, parseBundle(t, grown), passwords, false)
		var e *examhall.Error
		if !asErr(err, &e) || len(e.Fields[`exams[0] "mock-1".sections`]) != 1 {
			t.Fatalf("adding a question under attempts: %v", err)
		}
		if u, _, _ := db.UserCredentials(ctx, "ravi"); u.Email != "ravi@example.com" {
			t.Fatalf("a refused bundle changed a user: %s", u.Email)
		}
	})
}

func TestBundleRejections(t *testing.T) {
	raw, err := os.ReadFile("../sqlstore/testdata/bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, from, to string
		field, msg     string
	}{
		{"bad numerical range", `"numerical_max": "9.85"`, `"numerical_max": "9.7"`,
			`exams[0] "mock-1".sections[0].questions[1] "q-002".numerical_max`, "Ensure numerical_max is not less than numerical_min."},
		{"unknown key", `"phone": "9000000001"`, `"phone": "9000000001", "mobile": "1"`,
			`users[0] "asha".mobile`, "Unknown field."},
		{"unknown subject", `"subject": "phy", "difficulty": "medium"`, `"subject": "bio", "difficulty": "medium"`,
			`exams[0] "mock-1".sections[0].questions[1] "q-002".subject`, `No subject with the key "bio" in the bundle.`},
		{"answer index", `"selected": [0]`, `"selected": [2]`,
			`attempts[0] "mock-1"/"asha".answers[0] "q-001".selected`, "Answer index 2 is out of range: the question has 2 answers."},
		{"course content type", `"attempts": [`, `"courses": [{"slug": "neet-physics", "title": "NEET Physics", "chapters": [
			{"title": "Kinematics", "contents": [{"type": "Podcast", "title": "Intro"}]}]}], "attempts": [`,
			`courses[0] "neet-physics".chapters[0].contents[0] "Intro".type`, `"Podcast" is not a valid choice. Valid choices: Exam, Quiz, Video, Attachment, Notes, VideoConference, LiveStream.`},
		{"subject cycle", `{"key": "sci", "name": "Science", "parent": null}`, `{"key": "sci", "name": "Science", "parent": "phy"}`,
			`subjects[0] "sci".parent`, "The subjects' parents form a cycle."},
		{"bad role", `"role": "student", "password"`, `"role": "principal", "password"`,
			`users[0] "asha".role`, `"principal" is not a valid choice. Valid choices: admin, staff, student.`},
	}
	for _, tt := range tests {
		text := strings.Replace(string(raw), tt.from, tt.to, 1)
		if text == string(raw) {
			t.Fatalf("%s: the replacement did not apply", tt.name)
		}
		b, err := bundle.Parse(bytes.NewReader([]byte(text)))
		if err == nil && tt.name == "answer index" {
			// Answer indexes are checked against stored questions, by the import.
			db := sqltest.MustOpen(t, sqlstore.SQLite, examhall.SystemClock{})
			_, err = bundleimport.Import(context.Background(), db, b, &auth.Passwords{Cost: bcrypt.MinCost}, false)
			if _, _, uerr := db.UserCredentials(context.Background(), "asha"); examhall.ErrorCodeOf(uerr) != examhall.ENOTFOUND {
				t.Errorf("%s: the refused import stored a user", tt.name)
			}
		}
		var e *examhall.Error
		if !asErr(err, &e) || !reflect.DeepEqual(e.Fields[tt.field], []string{tt.msg}) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

// An earlier attempt imported later takes the user's place in the rank population.
func TestImportEarlierAttempt(t *testing.T) {
	raw, err := os.ReadFile("../sqlstore/testdata/bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	passwords := &auth.Passwords{Cost: bcrypt.MinCost}
	sqltest.Engines(t, examhalltest.NewClock(epoch), func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if _, err := bundleimport.Import(ctx, db, parseBundle(t, string(raw)), passwords, false); err != nil {
			t.Fatal(err)
		}
		// Ravi's earlier attempt, all wrong but the essay unanswered: -1.
		earlier := strings.Replace(string(raw), `"attempts": [`, `"attempts": [
    {"exam": "mock-1", "user": "ravi", "started": "2026-01-01T10:00:00+05:30", "completed": "2026-01-01T10:30:00+05:30",
     "answers": [{"question": "q-001", "selected": [1]}]},`, 1)
		summary, err := bundleimport.Import(ctx, db, parseBundle(t, earlier), passwords, false)
		if err != nil || summary.Created["attempts"] != 1 || summary.Unchanged["attempts"] != 2 {
			t.Fatalf("import of an earlier attempt: %+v, %v", summary, err)
		}
		u, _, _ := db.UserCredentials(ctx, "ravi")
		list, _ := db.UserAttempts(ctx, u.ID)
		if len(list) != 2 || !list[1].InRankPopulation || list[0].InRankPopulation {
			t.Fatalf("ravi's attempts = %+v", list)
		}
		if _, population, _, _, _ := db.Rank(ctx, list[1]); population != 2 {
			t.Fatalf("population = %d, want 2", population)
		}
		// Reopening a completed attempt by import is refused.
		reopened := strings.Replace(string(raw), `"completed": "2026-01-03T13:30:00+05:30",`, ``, 1)
		if _, err := bundleimport.Import(ctx, db, parseBundle(t, reopened), passwords, false); examhall.ErrorCodeOf(err) != examhall.EINVALID {
			t.Fatalf("reopening: %v", err)
		}
	})
}

// bundleCourses is the SPEC §9 course, every content type, on the test bundle's exam.
const bundleCourses = `"courses": [
    {"slug": "neet-physics", "title": "NEET Physics", "description": "<p>Mechanics for NEET</p>", "image": "",
     "chapters": [
       {"title": "Kinematics",
        "contents": [
          {"type": "Video", "title": "Intro", "video": {"title": "Intro", "url": "https://videos.example.com/intro.mp4", "duration": 600}},
          {"type": "Notes", "title": "Summary", "notes": {"html": "<p>v = u + at</p>"}},
          {"type": "Attachment", "title": "Worksheet", "attachment": {"url": "https://files.example.com/worksheet.pdf"}},
          {"type": "Exam", "title": "Chapter test", "exam": "mock-1"},
          {"type": "Quiz", "title": "Quick quiz", "exam": "mock-1"},
          {"type": "VideoConference", "title": "Doubt class",
           "video_conference": {"conference_id": "79401700412", "provider": "Zoom",
             "start": "2026-01-05T17:00:00+05:30", "duration": 60, "join_url": "", "password": "", "show_recorded_video": true}},
          {"type": "LiveStream", "title": "Revision", "live_stream": {"stream_url": "", "duration": 90, "show_recorded_video": true}}
        ]}
     ]}
  ],
  "attempts": [`

func TestImportCourses(t *testing.T) {
	raw, err := os.ReadFile("../sqlstore/testdata/bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	withCourses := strings.Replace(string(raw), `"attempts": [`, bundleCourses, 1)
	passwords := &auth.Passwords{Cost: bcrypt.MinCost}
	sqltest.Engines(t, examhalltest.NewClock(epoch), func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		summary, err := bundleimport.Import(ctx, db, parseBundle(t, withCourses), passwords, false)
		if err != nil || summary.Created["courses"] != 1 {
			t.Fatalf("first import: %+v, %v", summary, err)
		}
		if summary, err = bundleimport.Import(ctx, db, parseBundle(t, withCourses), passwords, false); err != nil ||
			summary.Unchanged["courses"] != 1 || len(summary.Created)+len(summary.Updated) != 0 {
			t.Fatalf("second import: %+v, %v", summary, err)
		}
		moved := strings.Replace(withCourses, "intro.mp4", "intro-v2.mp4", 1)
		if summary, err = bundleimport.Import(ctx, db, parseBundle(t, moved), passwords, false); err != nil || summary.Updated["courses"] != 1 {
			t.Fatalf("changed video: %+v, %v", summary, err)
		}
		courses, err := db.CoursesFor(ctx, &examhall.User{Role: examhall.RoleAdmin})
		if err != nil || len(courses) != 1 || len(courses[0].Chapters[0].Contents) != 7 ||
			courses[0].Chapters[0].Contents[0].Video.URL != "https://videos.example.com/intro-v2.mp4" {
			t.Fatalf("imported course: %+v, %v", courses, err)
		}
		// Once a student has progress, a changed course is refused and nothing changes.
		u, _, _ := db.UserCredentials(ctx, "asha")
		if _, _, err := db.OpenContent(ctx, u.ID, courses[0].Chapters[0].Contents[1].ID); err != nil {
			t.Fatal(err)
		}
		var e *examhall.Error
		_, err = bundleimport.Import(ctx, db, parseBundle(t, withCourses), passwords, false)
		if !asErr(err, &e) || len(e.Fields[`courses[0] "neet-physics".chapters`]) != 1 {
			t.Fatalf("changing a course with progress: %v", err)
		}
		unknown := strings.Replace(moved, `"exam": "mock-1"}`, `"exam": "nope"}`, 1)
		unknown = strings.Replace(unknown, `"slug": "neet-physics"`, `"slug": "neet-chemistry"`, 1)
		_, err = bundleimport.Import(ctx, db, parseBundle(t, unknown), passwords, false)
		if !asErr(err, &e) || e.Fields[`courses[0] "neet-chemistry".chapters[0].contents[3] "Chapter test".exam`][0] != `No exam with the slug "nope".` {
			t.Fatalf("unknown exam: %v", err)
		}
	})
}

// A password_hash is stored as is: the user logs in with the password behind
// it, and a re-import with another hash replaces it.
func TestImportPasswordHash(t *testing.T) {
	passwords := &auth.Passwords{Cost: bcrypt.MinCost}
	first, err := passwords.Hash("old-secret")
	if err != nil {
		t.Fatal(err)
	}
	second, err := passwords.Hash("new-secret")
	if err != nil {
		t.Fatal(err)
	}
	withHash := func(hash string) *bundle.Bundle {
		return parseBundle(t, `{"format": "examhall-bundle/1", "users": [
			{"username": "asha", "password_hash": "`+hash+`"},
			{"username": "ravi", "password": "ravi-secret"}]}`)
	}
	sqltest.Engines(t, examhalltest.NewClock(epoch), func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if _, err := bundleimport.Import(ctx, db, withHash(first), passwords, false); err != nil {
			t.Fatal(err)
		}
		if _, stored, _ := db.UserCredentials(ctx, "asha"); stored != first || !passwords.Verify(stored, "old-secret") {
			t.Fatalf("stored hash = %q, want %q", stored, first)
		}
		summary, err := bundleimport.Import(ctx, db, withHash(first), passwords, false)
		if err != nil || summary.Unchanged["users"] != 2 {
			t.Fatalf("same hash again: %+v, %v", summary, err)
		}
		summary, err = bundleimport.Import(ctx, db, withHash(second), passwords, false)
		if err != nil || summary.Updated["users"] != 1 || summary.Unchanged["users"] != 1 {
			t.Fatalf("another hash: %+v, %v", summary, err)
		}
		if _, stored, _ := db.UserCredentials(ctx, "asha"); stored != second || passwords.Verify(stored, "old-secret") {
			t.Fatalf("stored hash after the change = %q, want %q", stored, second)
		}
		if _, stored, _ := db.UserCredentials(ctx, "ravi"); !passwords.Verify(stored, "ravi-secret") {
			t.Fatal("a user with a password beside one with a hash lost it")
		}
	})
}

// TestImportUpdatesEverySetting: a second import that changes only an exam's
// scoring and visibility settings or its batches updates them (before, the
// comparison ignored them and the import answered "unchanged").
func TestImportUpdatesEverySetting(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	raw, err := os.ReadFile("../sqlstore/testdata/bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	passwords := &auth.Passwords{Cost: bcrypt.MinCost}
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if _, err := bundleimport.Import(ctx, db, parseBundle(t, string(raw)), passwords, false); err != nil {
			t.Fatal(err)
		}
		changed := strings.Replace(string(raw), `{"slug": "mock-1", `,
			`{"slug": "mock-1", "show_pass_or_fail": false, "show_answers": false, "batches": ["NEET 2027"], `, 1)
		summary, err := bundleimport.Import(ctx, db, parseBundle(t, changed), passwords, false)
		if err != nil {
			t.Fatal(err)
		}
		if summary.Updated["exams"] != 1 {
			t.Errorf("second import: %+v, want the exam changed", summary)
		}
		exam, err := db.ExamBySlug(ctx, "mock-1")
		if err != nil {
			t.Fatal(err)
		}
		if exam.ShowPassOrFail || exam.ShowAnswers || !reflect.DeepEqual(exam.Batches, []string{"NEET 2027"}) {
			t.Errorf("after the import: show_pass_or_fail %v, show_answers %v, batches %v; want false, false, [NEET 2027]",
				exam.ShowPassOrFail, exam.ShowAnswers, exam.Batches)
		}
	})
}
