package examhall_test

import (
	"math"
	"testing"
	"time"

	"github.com/examhall/examhall"
)

var t0 = time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// TestAttemptClock walks one attempt through the timing rules of SPEC §5.
func TestAttemptClock(t *testing.T) {
	exam := &examhall.Exam{Duration: ptr(10 * time.Minute)}
	idle := 2 * time.Minute
	a := &examhall.Attempt{State: examhall.AttemptRunning}
	a.Touch(t0) // start
	steps := []struct {
		name      string
		at        time.Duration // after t0
		wantTaken time.Duration
		wantOpen  bool
		expiredAt time.Duration // after t0; 0 = not expired
	}{
		{"heartbeat after a minute", time.Minute, time.Minute, true, 0},
		{"answer 90 s later (within idle)", 150 * time.Second, 150 * time.Second, true, 0},
		{"back after 5 minutes: the interval closed at the last activity", 450 * time.Second, 150 * time.Second, true, 0},
		{"heartbeat 30 s into the new interval", 480 * time.Second, 180 * time.Second, true, 0},
		{"idle exactly two minutes still counts", 600 * time.Second, 300 * time.Second, true, 0},
		{"two more minutes", 720 * time.Second, 420 * time.Second, true, 0},
		{"and two more: one minute left", 840 * time.Second, 540 * time.Second, true, 0},
		{"silent with a minute left: runs out a minute after the last activity", 1200 * time.Second, 600 * time.Second, false, 900 * time.Second},
	}
	for _, s := range steps {
		now := t0.Add(s.at)
		expired := a.Clock(now, exam, idle)
		switch {
		case s.expiredAt == 0 && expired != nil:
			t.Fatalf("%s: expired at %v", s.name, expired)
		case s.expiredAt != 0 && (expired == nil || !expired.Equal(t0.Add(s.expiredAt))):
			t.Fatalf("%s: expired at %v, want %v", s.name, expired, t0.Add(s.expiredAt))
		}
		if expired == nil {
			a.Touch(now)
		}
		if a.TimeTaken != s.wantTaken {
			t.Fatalf("%s: time taken %v, want %v", s.name, a.TimeTaken, s.wantTaken)
		}
		if expired != nil {
			break
		}
		if a.IntervalOpen != s.wantOpen {
			t.Fatalf("%s: interval open %v", s.name, a.IntervalOpen)
		}
	}
	if left := a.RemainingTime(exam); left == nil || *left != 0 {
		t.Errorf("remaining after expiry = %v", left)
	}
}

// Active time keeps whole microseconds, so that time taken and remaining
// time always add up to the duration as shown.
func TestAttemptClockMicroseconds(t *testing.T) {
	exam := &examhall.Exam{Duration: ptr(time.Hour)}
	a := &examhall.Attempt{State: examhall.AttemptRunning}
	a.Touch(t0)
	a.Clock(t0.Add(4*time.Second+348485999*time.Nanosecond), exam, 2*time.Minute)
	if a.TimeTaken != 4*time.Second+348485*time.Microsecond || *a.RemainingTime(exam)+a.TimeTaken != time.Hour {
		t.Fatalf("time taken %v, remaining %v", a.TimeTaken, *a.RemainingTime(exam))
	}
}

func TestAttemptClockEndDate(t *testing.T) {
	end := t0.Add(100 * time.Second)
	exam := &examhall.Exam{EndDate: &end} // untimed, with a window
	a := &examhall.Attempt{State: examhall.AttemptRunning}
	a.Touch(t0)
	if exp := a.Clock(t0.Add(60*time.Second), exam, 2*time.Minute); exp != nil {
		t.Fatalf("expired early at %v", exp)
	}
	a.Touch(t0.Add(60 * time.Second))
	exp := a.Clock(t0.Add(150*time.Second), exam, 2*time.Minute)
	if exp == nil || !exp.Equal(end) || a.TimeTaken != 100*time.Second {
		t.Fatalf("after the end date: expired %v, time taken %v", exp, a.TimeTaken)
	}
	if a.RemainingTime(exam) != nil {
		t.Error("untimed exam has a remaining time")
	}
	done := &examhall.Attempt{State: examhall.AttemptCompleted, TimeTaken: time.Minute}
	if done.Clock(t0.Add(time.Hour), exam, time.Minute) != nil || done.TimeTaken != time.Minute {
		t.Error("a completed attempt's clock moved")
	}
}

func TestAnswerInputValidate(t *testing.T) {
	single := &examhall.Question{Type: examhall.MCQSingle, Answers: []examhall.Answer{{ID: 11}, {ID: 12}}}
	numerical := &examhall.Question{Type: examhall.Numerical}
	tests := []struct {
		name string
		q    *examhall.Question
		in   examhall.AnswerInput
		want map[string][]string
	}{
		{"one own answer", single, examhall.AnswerInput{SelectedAnswerIDs: ptr([]int64{12})}, nil},
		{"clearing", single, examhall.AnswerInput{SelectedAnswerIDs: ptr([]int64{})}, nil},
		{"foreign answer", single, examhall.AnswerInput{SelectedAnswerIDs: ptr([]int64{99})},
			map[string][]string{"selected_answers": {`Invalid pk "99" - not an answer of this question.`}}},
		{"two answers to a single-correct question", single, examhall.AnswerInput{SelectedAnswerIDs: ptr([]int64{11, 12})},
			map[string][]string{"selected_answers": {"This question takes one answer."}}},
		{"wrong kind", single, examhall.AnswerInput{ShortText: ptr("B")},
			map[string][]string{"short_text": {"A MCQ, Single Correct question is not answered with short_text."}}},
		{"number", numerical, examhall.AnswerInput{NumericValue: ptr("-9.80")}, nil},
		{"not a number", numerical, examhall.AnswerInput{NumericValue: ptr("1e3")},
			map[string][]string{"numeric_value": {"A valid number is required."}}},
		{"negative duration", numerical, examhall.AnswerInput{Duration: ptr(-time.Second)},
			map[string][]string{"duration": {"Ensure this value is greater than or equal to 0."}}},
	}
	for _, tt := range tests {
		err := tt.in.Validate(tt.q)
		var fields map[string][]string
		if e, ok := err.(*examhall.Error); ok {
			fields = e.Fields
		} else if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(fields) != len(tt.want) || (tt.want != nil && !equalFields(fields, tt.want)) {
			t.Errorf("%s: %v, want %v", tt.name, fields, tt.want)
		}
	}
}

func equalFields(a, b map[string][]string) bool {
	for k, v := range b {
		if len(a[k]) != len(v) {
			return false
		}
		for i := range v {
			if a[k][i] != v[i] {
				return false
			}
		}
	}
	return len(a) == len(b)
}

// TestAddAnswerDuration: an answer's time saturates at MaxAnswerDuration
// instead of overflowing (issue 10, fault 7).
func TestAddAnswerDuration(t *testing.T) {
	max := examhall.MaxAnswerDuration
	for _, tt := range []struct{ total, spent, want time.Duration }{
		{0, 30 * time.Second, 30 * time.Second},
		{max - time.Second, time.Second, max},
		{max - time.Second, 2 * time.Second, max},
		{max, examhall.MaxSaveDuration, max},
		{max, 1<<63 - 1, max},
	} {
		if got := examhall.AddAnswerDuration(tt.total, tt.spent); got != tt.want {
			t.Errorf("AddAnswerDuration(%v, %v) = %v, want %v", tt.total, tt.spent, got, tt.want)
		}
	}
}

// TestAddDurations: sums saturate at the largest duration.
func TestAddDurations(t *testing.T) {
	for _, tt := range []struct{ a, b, want time.Duration }{
		{time.Hour, time.Minute, time.Hour + time.Minute},
		{math.MaxInt64 - 1, 1, math.MaxInt64},
		{math.MaxInt64 - 1, 2, math.MaxInt64},
		{math.MaxInt64, math.MaxInt64, math.MaxInt64},
	} {
		if got := examhall.AddDurations(tt.a, tt.b); got != tt.want {
			t.Errorf("AddDurations(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
