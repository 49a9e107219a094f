package examhall_test

import (
	"errors"
	"testing"
	"time"

	"github.com/examhall/examhall"
)

// TestStartRefusal: the start rules of SPEC §6, which the available list
// mirrors in SQL.
func TestStartRefusal(t *testing.T) {
	one, zero := 1, 0
	for _, tt := range []struct {
		exam               examhall.Exam
		running, completed int
		want               string // "" = may start
	}{
		{examhall.Exam{}, 0, 0, ""},
		{examhall.Exam{}, 1, 0, "An attempt of this exam is already running; resume it."},
		{examhall.Exam{}, 0, 1, "This exam cannot be retaken."},
		{examhall.Exam{AllowRetake: true}, 0, 5, ""},
		{examhall.Exam{AllowRetake: true, MaxRetakes: &one}, 0, 1, ""},
		{examhall.Exam{AllowRetake: true, MaxRetakes: &one}, 0, 2, "You have used all 1 retakes of this exam."},
		{examhall.Exam{AllowRetake: true, MaxRetakes: &zero}, 0, 1, "You have used all 0 retakes of this exam."},
	} {
		err := examhall.StartRefusal(&tt.exam, tt.running, tt.completed)
		var got string
		if e := (*examhall.Error)(nil); errors.As(err, &e) {
			got = e.Message
			if examhall.ErrorCodeOf(err) != examhall.EINVALID {
				t.Errorf("%+v: code %s", tt, examhall.ErrorCodeOf(err))
			}
		}
		if got != tt.want {
			t.Errorf("allow %v max %v, %d running, %d completed: %q, want %q", tt.exam.AllowRetake, tt.exam.MaxRetakes,
				tt.running, tt.completed, got, tt.want)
		}
	}
}

// TestJoinWindow: from 15 minutes before the start to the end; no start, no window.
func TestJoinWindow(t *testing.T) {
	start := time.Date(2026, 1, 7, 4, 30, 0, 0, time.UTC)
	opens, closes, ok := (&examhall.VideoConference{Start: &start, DurationMinutes: 90}).JoinWindow()
	if !ok || !opens.Equal(start.Add(-15*time.Minute)) || !closes.Equal(start.Add(90*time.Minute)) {
		t.Errorf("window %s–%s %v", opens, closes, ok)
	}
	if _, _, ok := (&examhall.VideoConference{DurationMinutes: 90}).JoinWindow(); ok {
		t.Error("a conference without a start has a window")
	}
}
