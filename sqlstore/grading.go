package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/scoring"
)

// GradeAnswer gives marks to an essay answer and rescores its attempt. It is
// the one place where an attempt's evaluation completes: when the last
// pending essay is graded, Pending drops to 0 (the state-change point of
// "Evaluation Completed"). The attempt's timeline records who graded it.
func (db *DB) GradeAnswer(ctx context.Context, graderID, attemptID, answerID int64, marks decimal.Decimal) (*examhall.Attempt, *examhall.UserAnswer, error) {
	var a *examhall.Attempt
	var graded *examhall.UserAnswer
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		var exam *examhall.Exam
		var ua *examhall.UserAnswer
		var tl *timeline
		var err error
		a, exam, ua, tl, err = lockAttempt(ctx, tx, examhall.AnyUser, attemptID, answerID)
		if err != nil {
			return err
		}
		if ua == nil {
			return errNotFound
		}
		q := exam.Question(ua.ExamQuestionID)
		switch {
		case a.State != examhall.AttemptCompleted:
			return examhall.Errorf(examhall.EINVALID, "Answers are graded once the attempt is completed.")
		case q.Question.Type != examhall.Essay:
			return examhall.Errorf(examhall.EINVALID, "Only essay answers are graded by hand.")
		case ua.EssayText == nil || strings.TrimSpace(*ua.EssayText) == "":
			return examhall.Errorf(examhall.EINVALID, "This essay was not answered; there is nothing to grade.")
		case marks < 0 || marks > q.Marks:
			return fieldError("marks", fmt.Sprintf("Ensure this value is between 0 and %s.", q.Marks))
		}
		// The statistics' version before the score counts (see complete),
		// then its contributions as they are, before the grading changes them.
		if err := bumpStatVersion(ctx, tx, a.ExamID); err != nil {
			return err
		}
		if err := unstatAttempts(ctx, tx, a.ExamID, []int64{a.ID}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE user_answers SET graded_marks_h = $2 WHERE attempt_id = $3 AND id = $1`,
			ua.ID, int64(marks), attemptID); err != nil {
			return fmt.Errorf("grade answer %d: %w", ua.ID, err)
		}
		tl.add(a.ID, examhall.TimelineGraded, tx.now.UTC(), struct {
			By             int64           `json:"by"`
			ExamQuestionID int64           `json:"exam_question_id"`
			Marks          decimal.Decimal `json:"marks"`
		}{graderID, ua.ExamQuestionID, marks})
		if err := tl.write(ctx, tx); err != nil {
			return err
		}
		pending := a.Pending
		r, err := regradeAttemptScored(ctx, tx, a, exam)
		if err != nil {
			return err
		}
		if err := restatUser(ctx, tx, a.ExamID, a.UserID); err != nil {
			return err
		}
		if err := followAttempt(ctx, tx, a); err != nil {
			return err
		}
		if pending > 0 && a.Pending == 0 { // its evaluation is complete
			if err := enqueueExam(ctx, tx, examhall.EventExamGraded, a, exam, &r); err != nil {
				return err
			}
		}
		graded, err = scanAnswer(tx.QueryRowContext(ctx, `SELECT `+answerColumns+` FROM user_answers ua
			WHERE ua.attempt_id = $2 AND ua.id = $1`, answerID, attemptID))
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return a, graded, nil
}

// regradeAttempt rescores a completed attempt and moves it in its exam's
// score counts when it is ranked. It leaves the item statistics alone: its
// one caller, the import, rebuilds its exams' when it is done.
// A changed score is recorded in its timeline (regraded).
func regradeAttempt(ctx context.Context, tx *Tx, a *examhall.Attempt, exam *examhall.Exam) error {
	old := a.Score
	if _, err := regradeAttemptScored(ctx, tx, a, exam); err != nil {
		return err
	}
	tl := timeline{}
	tl.regraded(a, old, tx.now.UTC())
	return tl.write(ctx, tx)
}

// regradeAttemptScored is regradeAttempt returning the scoring.
func regradeAttemptScored(ctx context.Context, tx *Tx, a *examhall.Attempt, exam *examhall.Exam) (scoring.Result, error) {
	old := a.Score
	r, err := rescore(ctx, tx, a, exam)
	if err != nil {
		return r, err
	}
	if a.InRankPopulation && a.Score != old {
		if err := countScore(ctx, tx, a.ExamID, old, -1); err != nil {
			return r, err
		}
		if err := countScore(ctx, tx, a.ExamID, a.Score, 1); err != nil {
			return r, err
		}
	}
	return r, saveAttempt(ctx, tx, a)
}

// regradeExam rescores every completed attempt of the exam, locked, records
// each changed score in its attempt's timeline (regraded), and returns how
// many: what a change of marks, answer key or pass mark does.
func regradeExam(ctx context.Context, tx *Tx, exam *examhall.Exam) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+attemptColumns+` FROM attempts WHERE exam_id = $1 AND state = 1
		ORDER BY id`+tx.db.forUpdate(), exam.ID)
	if err != nil {
		return 0, fmt.Errorf("attempts to regrade: %w", err)
	}
	var attempts []*examhall.Attempt
	err = scanRows(rows, func() error {
		a, err := scanAttempt(rows)
		attempts = append(attempts, a)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("attempts to regrade: %w", err)
	}
	tl := timeline{}
	for _, a := range attempts {
		old := a.Score
		r, err := regradeAttemptScored(ctx, tx, a, exam)
		if err != nil {
			return 0, err
		}
		if a.Score != old {
			tl.regraded(a, old, tx.now.UTC())
			if err := enqueueExam(ctx, tx, examhall.EventExamRegraded, a, exam, &r); err != nil {
				return 0, err
			}
		}
	}
	if err := tl.write(ctx, tx); err != nil {
		return 0, err
	}
	// One set-based rebuild, not a change per attempt.
	return len(attempts), rebuildItemStatistics(ctx, tx, exam.ID)
}

// ChangeExamQuestion changes how one exam question is marked and regrades the
// exam's completed attempts, all in one transaction.
func (db *DB) ChangeExamQuestion(ctx context.Context, examID, examQuestionID int64, c examhall.ExamQuestionChange) (*examhall.Exam, int, error) {
	var exam *examhall.Exam
	regraded := 0
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		if err := lockExam(ctx, tx, examID, examExclusive); err != nil {
			return err
		}
		var err error
		exam, err = examInTx(ctx, tx, `SELECT `+examColumns+` FROM exams WHERE id = $1`, examID)
		if err != nil {
			return err
		}
		q := exam.Question(examQuestionID)
		if q == nil {
			return errNotFound
		}
		before := *q
		before.Question.Answers = slices.Clone(q.Question.Answers)
		if err := c.Apply(q); err != nil {
			return err
		}
		if q.Question.SubjectID != before.Question.SubjectID {
			probe := &examhall.Exam{Sections: []examhall.Section{{Questions: []examhall.ExamQuestion{*q}}}}
			if err := checkSubjects(ctx, tx, probe); err != nil {
				return renameField(err, "sections[0].questions[0].subject", "subject")
			}
		}
		if err := saveExamQuestion(ctx, tx, q); err != nil {
			return err
		}
		if err := updateQuestionWording(ctx, tx, &q.Question); err != nil {
			return err
		}
		exam.Modified = tx.now.UTC().Truncate(time.Microsecond)
		if _, err := tx.ExecContext(ctx, `UPDATE exams SET modified = $2, version = version + 1 WHERE id = $1`, exam.ID, micros(exam.Modified)); err != nil {
			return fmt.Errorf("touch exam: %w", err)
		}
		if q.SameScoring(&before) {
			return nil // the wording changed: every score stays
		}
		regraded, err = regradeExam(ctx, tx, exam)
		return err
	})
	return exam, regraded, err
}

// updateQuestionWording saves what a question says: its texts, subject,
// difficulty and its answers' texts.
func updateQuestionWording(ctx context.Context, tx *Tx, q *examhall.Question) error {
	var subject any
	if q.SubjectID != 0 {
		subject = q.SubjectID
	}
	if _, err := tx.ExecContext(ctx, `UPDATE questions SET question_html = $2, direction_html = $3,
		explanation_html = $4, subject_id = $5, difficulty = $6 WHERE id = $1`,
		q.ID, q.QuestionHTML, textArg(q.DirectionHTML), q.ExplanationHTML, subject, textArg(string(q.Difficulty))); err != nil {
		return fmt.Errorf("update question %d: %w", q.ID, err)
	}
	for _, a := range q.Answers {
		if _, err := tx.ExecContext(ctx, `UPDATE answers SET text_html = $2 WHERE id = $1`, a.ID, a.TextHTML); err != nil {
			return fmt.Errorf("update answer %d: %w", a.ID, err)
		}
	}
	return nil
}

func saveExamQuestion(ctx context.Context, tx *Tx, q *examhall.ExamQuestion) error {
	if _, err := tx.ExecContext(ctx, `UPDATE exam_questions SET marks_h = $2, negative_marks_h = $3,
		partial_marks_h = $4, is_bonus = $5 WHERE id = $1`,
		q.ID, int64(q.Marks), int64(q.NegativeMarks), decimalArg(q.PartialMarks), q.IsBonus); err != nil {
		return fmt.Errorf("save exam question %d: %w", q.ID, err)
	}
	question := &q.Question
	if _, err := tx.ExecContext(ctx, `UPDATE questions SET numerical_min = $2, numerical_max = $3, modified = $4
		WHERE id = $1`, question.ID, textArg(question.NumericalMin), textArg(question.NumericalMax), micros(tx.now)); err != nil {
		return fmt.Errorf("save question %d: %w", question.ID, err)
	}
	for _, a := range question.Answers {
		if _, err := tx.ExecContext(ctx, `UPDATE answers SET is_correct = $2 WHERE id = $1`, a.ID, a.IsCorrect); err != nil {
			return fmt.Errorf("save answer key: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM accepted_answers WHERE question_id = $1`, question.ID); err != nil {
		return fmt.Errorf("save accepted answers: %w", err)
	}
	for _, text := range question.AcceptedAnswers {
		if _, err := tx.ExecContext(ctx, `INSERT INTO accepted_answers (question_id, text) VALUES ($1, $2)`, question.ID, text); err != nil {
			return fmt.Errorf("save accepted answers: %w", err)
		}
	}
	return nil
}
