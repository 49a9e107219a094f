package bundleimport

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/drf"
)

func (imp *importer) exams(ctx context.Context) error {
	imp.examsBySlug = map[string]*examhall.Exam{}
	if err := imp.releaseQuestions(ctx); err != nil {
		return err
	}
	for i := range imp.b.Exams {
		want := imp.b.ExamAt(i, imp.subjectIDs)
		at := fmt.Sprintf("exams[%d] %q.", i, want.Slug)
		have, err := imp.tx.ExamBySlug(ctx, want.Slug)
		switch {
		case examhall.ErrorCodeOf(err) == examhall.ENOTFOUND:
			if err := imp.checkQuestionKeys(ctx, at, want, 0); err != nil {
				return err
			}
			if err := imp.tx.CreateExam(ctx, want); err != nil {
				return examhall.PrefixFields(at, err)
			}
			imp.summary.count("exams", true, false)
			imp.examsBySlug[want.Slug] = want
		case err != nil:
			return err
		default:
			changed, err := imp.updateExam(ctx, at, have, want)
			if err != nil {
				return err
			}
			imp.summary.count("exams", false, changed)
			imp.examsBySlug[want.Slug] = have
		}
	}
	return nil
}

// releaseQuestions clears, before any exam is written, the content of every
// stored exam of the bundle whose questions change (it is rebuilt below), so
// that a question key may move from one exam of the bundle to another
// whatever their order in it (issue 10). Such an exam must have no attempts:
// one that has is refused here, before any other exam's error.
func (imp *importer) releaseQuestions(ctx context.Context) error {
	for i := range imp.b.Exams {
		want := imp.b.ExamAt(i, imp.subjectIDs)
		have, err := imp.tx.ExamBySlug(ctx, want.Slug)
		if examhall.ErrorCodeOf(err) == examhall.ENOTFOUND {
			continue
		}
		if err != nil {
			return err
		}
		if sameStructure(have, want) {
			continue
		}
		if err := imp.refuseRestructure(ctx, fmt.Sprintf("exams[%d] %q.", i, want.Slug), have.ID); err != nil {
			return err
		}
		if err := imp.tx.ClearExamContent(ctx, have.ID); err != nil {
			return err
		}
	}
	return nil
}

// refuseRestructure locks the exam and refuses to add, remove or move its
// questions when it has attempts: their answers hang on them.
func (imp *importer) refuseRestructure(ctx context.Context, at string, examID int64) error {
	attempts, err := imp.tx.LockExam(ctx, examID)
	if err != nil {
		return err
	}
	if attempts > 0 {
		return fieldError(at+"sections", "This exam has attempts: an import may change its questions' wording, "+
			"marks and answer keys, but not add, remove or move questions or answers.")
	}
	return nil
}

// checkQuestionKeys refuses question keys that another exam uses already.
func (imp *importer) checkQuestionKeys(ctx context.Context, at string, exam *examhall.Exam, examID int64) error {
	for j, s := range exam.Sections {
		for k, q := range s.Questions {
			other, err := imp.tx.QuestionKeyExam(ctx, q.Question.Key, examID)
			if err != nil {
				return err
			}
			if other != "" {
				return fieldError(fmt.Sprintf("%ssections[%d].questions[%d] %q.key", at, j, k, q.Question.Key),
					fmt.Sprintf("The exam %q uses this question key already.", other))
			}
		}
	}
	return nil
}

// updateExam makes the stored exam have equal what the bundle says. An exam
// without attempts takes any change (its content is rebuilt); one with
// attempts takes changes of wording, marks and answer keys, after which its
// completed attempts are regraded, but not added, removed or moved questions.
// It reports whether anything changed.
func (imp *importer) updateExam(ctx context.Context, at string, have, want *examhall.Exam) (bool, error) {
	want.ID, want.Created, want.Modified = have.ID, have.Created, have.Modified
	if sameExam(have, want) {
		return false, nil
	}
	sameShape := sameStructure(have, want)
	if sameShape {
		if _, err := imp.tx.LockExam(ctx, have.ID); err != nil {
			return false, err
		}
	} else if err := imp.refuseRestructure(ctx, at, have.ID); err != nil {
		return false, err
	}
	if err := imp.tx.UpdateExam(ctx, want); err != nil {
		return false, examhall.PrefixFields(at, err)
	}
	if !sameShape {
		if err := imp.tx.ClearExamContent(ctx, have.ID); err != nil {
			return false, err
		}
		if err := imp.checkQuestionKeys(ctx, at, want, have.ID); err != nil {
			return false, err
		}
		if err := imp.tx.InsertExamContent(ctx, want); err != nil {
			return false, err
		}
		*have = *want
		return true, nil
	}
	// The same questions: take the stored ids, so that answers keep theirs.
	for j := range want.Sections {
		ws, hs := &want.Sections[j], &have.Sections[j]
		ws.ID, ws.ExamID, ws.Order = hs.ID, hs.ExamID, hs.Order
		for k := range ws.Questions {
			wq, hq := &ws.Questions[k], &hs.Questions[k]
			wq.ID, wq.Question.ID, wq.ExamID, wq.SectionID, wq.Order = hq.ID, hq.Question.ID, hq.ExamID, hq.SectionID, hq.Order
			for n := range wq.Question.Answers {
				wq.Question.Answers[n].ID = hq.Question.Answers[n].ID
			}
		}
	}
	if err := imp.tx.UpdateExamContent(ctx, want); err != nil {
		return false, err
	}
	fresh, err := imp.tx.ExamBySlug(ctx, have.Slug)
	if err != nil {
		return false, err
	}
	*have = *fresh
	_, err = imp.tx.RegradeExam(ctx, have)
	return true, err
}

// sameExam compares what a bundle can say of an exam, ignoring ids.
func sameExam(a, b *examhall.Exam) bool {
	return examShape(a, true) == examShape(b, true)
}

// sortedBatches is a sorted copy of batch names.
func sortedBatches(names []string) []string {
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	return sorted
}

// sameStructure reports whether two exams have the same questions (by key and
// type) with the same number of answers, in the same sections and order.
func sameStructure(a, b *examhall.Exam) bool {
	return examShape(a, false) == examShape(b, false)
}

// examShape renders an exam without ids: everything, or only its structure.
func examShape(e *examhall.Exam, everything bool) string {
	type answer struct {
		Text    string
		Correct bool
	}
	type question struct {
		Key, Type string
		Answers   int
		Rest      any
	}
	var shape []any
	if everything {
		shape = append(shape, e.Title, e.Description, drf.FormatTimePtr(e.StartDate, time.UTC), drf.FormatTimePtr(e.EndDate, time.UTC),
			drf.FormatDurationPtr(e.Duration), e.PassPercentage, e.EnableRanks, e.AllowRetake, e.MaxRetakes, e.ShowScore,
			e.ShowPercentile, e.Published, e.MarkPerQuestion, e.NegativeMarks, e.ShowPassOrFail, e.ShowAnswers,
			sortedBatches(e.Batches))
	}
	for _, s := range e.Sections {
		if everything {
			shape = append(shape, s.Name, drf.FormatDurationPtr(s.Duration), s.CutOff)
		}
		for _, q := range s.Questions {
			qs := question{Key: q.Question.Key, Type: string(q.Question.Type), Answers: len(q.Question.Answers)}
			if everything {
				var answers []answer
				for _, a := range q.Question.Answers {
					answers = append(answers, answer{a.TextHTML, a.IsCorrect})
				}
				qs.Rest = []any{q.Question.QuestionHTML, q.Question.DirectionHTML, q.Question.ExplanationHTML,
					q.Question.SubjectID, q.Question.Difficulty, q.Question.NumericalMin, q.Question.NumericalMax,
					q.Question.AcceptedAnswers, q.Marks, q.NegativeMarks, q.PartialMarks, q.IsBonus, answers}
			}
			shape = append(shape, qs)
		}
		shape = append(shape, "end of section")
	}
	b, _ := json.Marshal(shape)
	return string(b)
}
