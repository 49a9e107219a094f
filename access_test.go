package examhall_test

import (
	"testing"

	"github.com/examhall/examhall"
)

// TestBatchesAdmit is the batch rule of exams and courses: staff always;
// students when there are no batches or they share one.
func TestBatchesAdmit(t *testing.T) {
	student := func(batches ...string) *examhall.User {
		return &examhall.User{Role: examhall.RoleStudent, Batches: batches}
	}
	for _, tt := range []struct {
		name    string
		batches []string
		user    *examhall.User
		want    bool
	}{
		{"no batches, student without batches", nil, student(), true},
		{"no batches, student with batches", []string{}, student("NEET"), true},
		{"student in the batch", []string{"NEET"}, student("NEET"), true},
		{"student in one of the batches", []string{"JEE", "NEET"}, student("Foundation", "NEET"), true},
		{"student in another batch", []string{"NEET"}, student("JEE"), false},
		{"student without batches", []string{"NEET"}, student(), false},
		{"batch names are exact", []string{"NEET"}, student("neet"), false},
		{"staff outside the batches", []string{"NEET"}, &examhall.User{Role: examhall.RoleStaff}, true},
		{"admin outside the batches", []string{"NEET"}, &examhall.User{Role: examhall.RoleAdmin}, true},
	} {
		if got := examhall.BatchesAdmit(tt.batches, tt.user); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
		c := examhall.Course{Batches: tt.batches}
		if got := c.OpenTo(tt.user); got != tt.want {
			t.Errorf("%s: course open %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestContentShownTo: an exam content follows its exam's batches whatever
// the course allows; the course decides the rest.
func TestContentShownTo(t *testing.T) {
	neet := &examhall.User{Role: examhall.RoleStudent, Batches: []string{"NEET"}}
	jee := &examhall.User{Role: examhall.RoleStudent, Batches: []string{"JEE"}}
	exam := examhall.ChapterContent{Type: examhall.ContentExam, ExamBatches: []string{"NEET"}}
	preview := examhall.ChapterContent{Type: examhall.ContentExam, ExamBatches: []string{"NEET"}, FreePreview: true}
	notes := examhall.ChapterContent{Type: examhall.ContentNotes}
	for _, tt := range []struct {
		name     string
		cc       examhall.ChapterContent
		user     *examhall.User
		enrolled bool
		want     bool
	}{
		{"exam, in its batch, enrolled", exam, neet, true, true},
		{"exam, in its batch, not enrolled", exam, neet, false, false},
		{"exam, other batch, enrolled", exam, jee, true, false},
		{"free preview exam, in its batch, not enrolled", preview, neet, false, true},
		{"free preview exam, other batch", preview, jee, false, false},
		{"notes, enrolled", notes, jee, true, true},
		{"notes, not enrolled", notes, jee, false, false},
		{"exam, admin", exam, &examhall.User{Role: examhall.RoleAdmin}, true, true},
	} {
		if got := tt.cc.ShownTo(tt.user, tt.enrolled); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	if (&examhall.Course{Chapters: []examhall.Chapter{{Contents: []examhall.ChapterContent{notes}}}}).RestrictedByBatches() {
		t.Error("a course without batches or batch exams is restricted")
	}
	if !(&examhall.Course{Chapters: []examhall.Chapter{{Contents: []examhall.ChapterContent{notes, exam}}}}).RestrictedByBatches() {
		t.Error("a course with a batch exam is not restricted")
	}
	if !(&examhall.Course{Batches: []string{"JEE"}}).RestrictedByBatches() {
		t.Error("a course with batches is not restricted")
	}
}

// TestReviewFor: what a review shows follows show_answers and show_score
// for students; staff see everything.
func TestReviewFor(t *testing.T) {
	for _, tt := range []struct {
		showAnswers, showScore bool
		role                   examhall.Role
		want                   examhall.ReviewShows
	}{
		{true, true, examhall.RoleStudent, examhall.ReviewShows{AnswerKey: true, Marks: true}},
		{false, true, examhall.RoleStudent, examhall.ReviewShows{}},
		{true, false, examhall.RoleStudent, examhall.ReviewShows{AnswerKey: true}},
		{false, false, examhall.RoleStudent, examhall.ReviewShows{}},
		{false, false, examhall.RoleStaff, examhall.ReviewShows{AnswerKey: true, Marks: true}},
		{false, false, examhall.RoleAdmin, examhall.ReviewShows{AnswerKey: true, Marks: true}},
	} {
		e := examhall.Exam{ShowAnswers: tt.showAnswers, ShowScore: tt.showScore}
		if got := e.ReviewFor(tt.role); got != tt.want {
			t.Errorf("show_answers %v show_score %v %s: %+v, want %+v", tt.showAnswers, tt.showScore, tt.role, got, tt.want)
		}
	}
}
