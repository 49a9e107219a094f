package bundleimport

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/bundle"
	"github.com/examhall/examhall/drf"
)

// importedAttempt is a bundle attempt checked against its exam and user.
type importedAttempt struct {
	at        string // how errors name the record: attempts[index] "exam"/"user".
	in        bundle.Attempt
	exam      *examhall.Exam
	userID    int64
	started   time.Time
	completed *time.Time // nil: running
	answers   map[int64]*examhall.UserAnswer
}

// attempts writes the bundle's attempts, then makes each touched user's
// earliest-started completed attempt of each exam the ranked one. What they
// mean does not depend on their order in the bundle (issue 10): they are
// checked as a set first, and the completed ones are written before the
// running ones, so that a stored running attempt that the bundle completes
// never stands in the way of the user's new running one.
func (imp *importer) attempts(ctx context.Context) error {
	list, err := imp.checkAttempts()
	if err != nil {
		return err
	}
	type pair struct{ exam, user int64 }
	touched := map[pair]bool{}
	var order []pair // rerank in a fixed order, so that runs do the same
	for _, running := range []bool{false, true} {
		for _, r := range list {
			if (r.completed == nil) != running {
				continue
			}
			changed, err := imp.attempt(ctx, r)
			if err != nil {
				return err
			}
			p := pair{r.exam.ID, r.userID}
			if changed && !touched[p] {
				touched[p] = true
				order = append(order, p)
			}
		}
	}
	for _, p := range order {
		if err := imp.tx.Rerank(ctx, p.exam, p.user); err != nil {
			return err
		}
	}
	return nil
}

// checkAttempts reads the bundle's attempts and checks them as a set: every
// answer against its question; one record per exam, user and start (else two
// records would each overwrite the other, the last one listed winning); at
// most one running attempt per user and exam. It returns every error at once.
func (imp *importer) checkAttempts() ([]importedAttempt, error) {
	loc := imp.b.Location()
	type pair struct{ exam, user int64 }
	type start struct {
		pair
		at int64
	}
	byStart, running := map[start]int{}, map[pair]int{}
	errs := examhall.FieldErrors{}
	list := make([]importedAttempt, len(imp.b.Attempts))
	for i, in := range imp.b.Attempts {
		r := importedAttempt{at: fmt.Sprintf("attempts[%d] %q/%q.", i, in.Exam, in.User), in: in,
			exam: imp.examsBySlug[in.Exam], userID: imp.userIDs[examhall.UsernameKey(in.User)]}
		started, _ := drf.ParseTime(in.Started, loc) // checked by bundle.Parse
		r.started = started.UTC().Truncate(time.Microsecond)
		if in.Completed != nil {
			t, _ := drf.ParseTime(*in.Completed, loc)
			t = t.UTC().Truncate(time.Microsecond)
			r.completed = &t
		}
		var err error
		if r.answers, err = bundleAnswers(r.at, r.exam, in.Answers); err != nil {
			var e *examhall.Error
			if !errors.As(err, &e) {
				return nil, err
			}
			for field, msgs := range e.Fields {
				for _, m := range msgs {
					errs.Add(field, m)
				}
			}
		}
		p := pair{r.exam.ID, r.userID}
		key := start{p, r.started.UnixMicro()}
		if j, ok := byStart[key]; ok {
			errs.Add(r.at+"started", fmt.Sprintf("attempts[%d] is an attempt of the same user and exam with the same start; "+
				"an attempt appears once in a bundle.", j))
		}
		byStart[key] = i
		if r.completed == nil {
			if j, ok := running[p]; ok {
				errs.Add(r.at+"completed", fmt.Sprintf("attempts[%d] is a running attempt of the same user and exam; "+
					"only one may run.", j))
			}
			running[p] = i
		}
		list[i] = r
	}
	return list, errs.Err()
}

// attempt writes one checked bundle attempt: a new one is created in its
// final state, a stored one (the same exam, user and start) takes the
// bundle's answers and end. It reports whether anything changed.
func (imp *importer) attempt(ctx context.Context, r importedAttempt) (bool, error) {
	exam, started, completed := r.exam, r.started, r.completed
	a, err := imp.tx.AttemptAt(ctx, exam.ID, r.userID, started)
	created := examhall.ErrorCodeOf(err) == examhall.ENOTFOUND
	switch {
	case created:
		state := examhall.AttemptCompleted
		if completed == nil {
			state = examhall.AttemptRunning
			if err := imp.checkNoneRunning(ctx, r); err != nil {
				return false, err
			}
		}
		a = &examhall.Attempt{ExamID: exam.ID, UserID: r.userID, State: state, Date: started,
			LastStartedTime: &started, LastActivity: started, Result: "NA"}
		if r.in.InstituteAttemptID != nil {
			a.InstituteAttemptID = *r.in.InstituteAttemptID
		}
		err := imp.tx.InsertAttempt(ctx, a, exam)
		if examhall.ErrorCodeOf(err) == examhall.ECONFLICT {
			// a live start won the race since checkNoneRunning
			return false, fieldError(r.at+"completed", "The user has another running attempt of this exam; only one may run.")
		}
		if err != nil {
			return false, err
		}
	case err != nil:
		return false, err
	}
	have, err := imp.tx.AttemptAnswers(ctx, a.ID)
	if err != nil {
		return false, err
	}
	changed := false
	for _, ua := range have {
		w := r.answers[ua.ExamQuestionID]
		if w == nil {
			w = &examhall.UserAnswer{}
		}
		if sameAnswer(ua, w) {
			continue
		}
		changed = true
		w.ID, w.AttemptID, w.ExamQuestionID = ua.ID, ua.AttemptID, ua.ExamQuestionID
		if err := imp.tx.WriteAnswer(ctx, w); err != nil {
			return false, err
		}
	}
	if completed == nil && a.State == examhall.AttemptCompleted {
		return false, fieldError(r.at+"completed", "This attempt is completed already; an import cannot reopen it.")
	}
	sameEnd := (completed == nil && a.CompletedOn == nil) || (completed != nil && a.CompletedOn != nil && completed.Equal(*a.CompletedOn))
	if (created || changed || !sameEnd) && completed != nil {
		a.State, a.CompletedOn, a.IntervalOpen = examhall.AttemptCompleted, completed, false
		a.TimeTaken = completed.Sub(started)
		if exam.Duration != nil {
			a.TimeTaken = min(a.TimeTaken, *exam.Duration)
		}
		a.LastActivity = *completed
		if err := imp.tx.RegradeAttempt(ctx, a, exam); err != nil {
			return false, err
		}
	}
	imp.summary.count("attempts", created, !created && (changed || !sameEnd))
	return created || changed || !sameEnd, nil
}

// checkNoneRunning refuses a new running attempt while the user has a stored
// running attempt of the exam (which the bundle does not complete: completed
// records are written first). Checked before the insert, whose unique index
// would otherwise refuse it: on PostgreSQL a failed statement ends the
// transaction.
func (imp *importer) checkNoneRunning(ctx context.Context, r importedAttempt) error {
	running, err := imp.tx.RunningAttempt(ctx, r.exam.ID, r.userID)
	if examhall.ErrorCodeOf(err) == examhall.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	return fieldError(r.at+"completed", fmt.Sprintf("The user has another running attempt of this exam, started %s; "+
		"only one may run.", drf.FormatTime(running.Date, imp.b.Location())))
}

// bundleAnswers turns a bundle attempt's answers into user answers by exam
// question id, checking each against its question.
func bundleAnswers(at string, exam *examhall.Exam, answers []bundle.AttemptAnswer) (map[int64]*examhall.UserAnswer, error) {
	byKey := map[string]examhall.ExamQuestion{}
	for _, q := range exam.Questions() {
		byKey[q.Question.Key] = q
	}
	out := map[int64]*examhall.UserAnswer{}
	errs := examhall.FieldErrors{}
	for j, in := range answers {
		aat := fmt.Sprintf("%sanswers[%d] %q.", at, j, in.Question)
		q, ok := byKey[in.Question]
		if !ok {
			errs.Add(aat+"question", fmt.Sprintf("No question %q in the exam %q.", in.Question, exam.Slug))
			continue
		}
		if in.Duration < 0 || int64(in.Duration) > int64(examhall.MaxAnswerDuration/time.Second) {
			errs.Add(aat+"duration", fmt.Sprintf("Ensure this value is between 0 and %d.", int64(examhall.MaxAnswerDuration/time.Second)))
			continue
		}
		ua := &examhall.UserAnswer{ExamQuestionID: q.ID, ShortText: in.Text, NumericValue: in.Value, EssayText: in.Essay,
			Review: in.Review, Duration: time.Duration(in.Duration) * time.Second, SelectedAnswerIDs: []int64{}}
		for _, index := range in.Selected {
			if index < 0 || index >= len(q.Question.Answers) {
				errs.Add(aat+"selected", fmt.Sprintf("Answer index %d is out of range: the question has %d answers.", index, len(q.Question.Answers)))
				continue
			}
			ua.SelectedAnswerIDs = append(ua.SelectedAnswerIDs, q.Question.Answers[index].ID)
		}
		check := examhall.AnswerInput{ShortText: in.Text, NumericValue: in.Value, EssayText: in.Essay}
		if in.Selected != nil {
			check.SelectedAnswerIDs = &ua.SelectedAnswerIDs
		}
		if err := check.Validate(&q.Question); err != nil {
			var e *examhall.Error
			if !errors.As(err, &e) {
				return nil, err
			}
			for field, msgs := range e.Fields {
				for _, m := range msgs {
					errs.Add(aat+field, m)
				}
			}
		}
		if in.MarksAwarded != nil {
			switch {
			case q.Question.Type != examhall.Essay:
				errs.Add(aat+"marks_awarded", "Only essay answers are given marks by hand.")
			case *in.MarksAwarded < 0 || *in.MarksAwarded > q.Marks:
				errs.Add(aat+"marks_awarded", fmt.Sprintf("Ensure this value is between 0 and %s.", q.Marks))
			default:
				ua.GradedMarks = in.MarksAwarded
			}
		}
		out[q.ID] = ua
	}
	return out, errs.Err()
}

// sameAnswer reports whether two answers say the same (ids aside).
func sameAnswer(a, b *examhall.UserAnswer) bool {
	eq := func(x, y *string) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return slices.Equal(a.SelectedAnswerIDs, b.SelectedAnswerIDs) && eq(a.ShortText, b.ShortText) &&
		eq(a.NumericValue, b.NumericValue) && eq(a.EssayText, b.EssayText) && a.Review == b.Review &&
		a.Duration == b.Duration && reflect.DeepEqual(a.GradedMarks, b.GradedMarks)
}
