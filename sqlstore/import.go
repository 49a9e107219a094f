package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/bundle"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/drf"
)

// PasswordHasher hashes the passwords of imported users and tells whether a
// stored hash already matches, so that a re-import keeps it.
type PasswordHasher interface {
	Hash(password string) (string, error)
	Verify(hash, password string) bool
}

// ImportSummary counts, per kind of record, what an import created, updated
// and found unchanged.
type ImportSummary struct {
	Created   map[string]int `json:"created"`
	Updated   map[string]int `json:"updated"`
	Unchanged map[string]int `json:"unchanged"`
}

func (s *ImportSummary) count(kind string, created, changed bool) {
	switch {
	case created:
		s.Created[kind]++
	case changed:
		s.Updated[kind]++
	default:
		s.Unchanged[kind]++
	}
}

var errDryRun = errors.New("dry run")

// ImportBundle loads a parsed bundle in one transaction. Its attempts are
// history: they are written directly, not through the live state-change
// points (StartAttempt, complete, GradeAnswer), so that importing the past
// notifies no one. Records are matched by their natural keys (username, subject key, exam slug, question key; an
// attempt by exam, user and start), created when new, updated in place when
// changed and left alone when equal, so that importing a bundle twice changes
// nothing the second time. What a bundle means never depends on the order of
// its records (issue 10): subjects may precede their parents, a question key
// may move between exams of the bundle, and attempts are checked as a set
// (EINVALID naming both records when two are of the same exam, user and
// start, or two of one user and exam are running). Any error imports
// nothing. With dryRun everything is checked and rolled back.
func (db *DB) ImportBundle(ctx context.Context, b *bundle.Bundle, passwords PasswordHasher, dryRun bool) (ImportSummary, error) {
	var summary ImportSummary
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		summary = ImportSummary{Created: map[string]int{}, Updated: map[string]int{}, Unchanged: map[string]int{}}
		imp := &importer{tx: tx, b: b, passwords: passwords, summary: &summary}
		for _, step := range []func(context.Context) error{imp.institute, imp.users, imp.subjects, imp.exams, imp.courses, imp.attempts} {
			if err := step(ctx); err != nil {
				return err
			}
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return summary, nil
	}
	if err == nil && b.Institute != nil {
		err = db.LoadSettings(ctx)
	}
	return summary, err
}

type importer struct {
	tx          *Tx
	b           *bundle.Bundle
	passwords   PasswordHasher
	summary     *ImportSummary
	userIDs     map[string]int64 // by username key
	subjectIDs  map[string]int64 // by subject key
	examsBySlug map[string]*examhall.Exam
}

func (imp *importer) institute(ctx context.Context) error {
	if imp.b.Institute == nil {
		return nil
	}
	for key, value := range map[string]string{
		examhall.SettingInstituteName:     imp.b.Institute.Name,
		examhall.SettingInstituteTimezone: imp.b.Institute.Timezone,
	} {
		if err := putSetting(ctx, imp.tx, key, value); err != nil {
			return fmt.Errorf("institute: %w", err)
		}
	}
	return nil
}

func (imp *importer) users(ctx context.Context) error {
	imp.userIDs = map[string]int64{}
	for i, in := range imp.b.Users {
		at := fmt.Sprintf("users[%d] %q.", i, in.Username)
		u := imp.b.UserAt(i)
		existing, hash, err := scanUserWithHash(imp.tx.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash
			FROM users WHERE username_key = $1`, examhall.UsernameKey(u.Username)))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if hash, err = imp.hash("", in); err != nil {
				return err
			}
			if err := insertUser(ctx, imp.tx, u, hash); err != nil {
				return prefixed(at, err)
			}
			imp.summary.count("users", true, false)
		case err != nil:
			return fmt.Errorf("user %q: %w", u.Username, err)
		default:
			if err := loadBatches(ctx, imp.tx, []*examhall.User{existing}); err != nil {
				return err
			}
			newHash, err := imp.hash(hash, in)
			if err != nil {
				return err
			}
			u.ID, u.DateJoined, u.IsActive, u.IsBlocked = existing.ID, existing.DateJoined, existing.IsActive, existing.IsBlocked
			slices.Sort(u.Batches)
			changed := !reflect.DeepEqual(u, existing) || newHash != hash
			if changed {
				if err := updateUser(ctx, imp.tx, u, newHash); err != nil {
					return prefixed(at, err)
				}
			}
			imp.summary.count("users", false, changed)
		}
		imp.userIDs[examhall.UsernameKey(u.Username)] = u.ID
	}
	return nil
}

// hash is the user's password_hash as given (checked by bundle.Parse), else
// the stored hash when the password is absent or still matches, else the hash
// of the new password.
func (imp *importer) hash(stored string, in bundle.User) (string, error) {
	switch {
	case in.PasswordHash != "":
		return in.PasswordHash, nil
	case in.Password == "" || (stored != "" && imp.passwords.Verify(stored, in.Password)):
		return stored, nil
	}
	return imp.passwords.Hash(in.Password)
}

func scanUserWithHash(row *sql.Row) (*examhall.User, string, error) {
	var hash string
	u, err := scanUser(row, &hash)
	return u, hash, err
}

func (imp *importer) subjects(ctx context.Context) error {
	imp.subjectIDs = map[string]int64{}
	type stored struct {
		id     int64
		name   string
		parent int64
	}
	existing := map[string]stored{}
	rows, err := imp.tx.QueryContext(ctx, `SELECT key, id, name, COALESCE(parent_id, 0) FROM subjects WHERE key IS NOT NULL`)
	if err != nil {
		return fmt.Errorf("subjects: %w", err)
	}
	err = scanRows(rows, func() error {
		var key string
		var s stored
		if err := rows.Scan(&key, &s.id, &s.name, &s.parent); err != nil {
			return err
		}
		existing[key] = s
		return nil
	})
	if err != nil {
		return fmt.Errorf("subjects: %w", err)
	}
	// Create the new ones first, without parents, so that every key has an id.
	for _, in := range imp.b.Subjects {
		if s, ok := existing[in.Key]; ok {
			imp.subjectIDs[in.Key] = s.id
			continue
		}
		var id int64
		if err := imp.tx.QueryRowContext(ctx, `INSERT INTO subjects (key, name) VALUES ($1, $2) RETURNING id`,
			in.Key, in.Name).Scan(&id); err != nil {
			return fmt.Errorf("subject %q: %w", in.Key, err)
		}
		imp.subjectIDs[in.Key] = id
	}
	for _, in := range imp.b.Subjects {
		var parent int64
		if in.Parent != nil {
			parent = imp.subjectIDs[*in.Parent]
		}
		s, known := existing[in.Key]
		changed := known && (s.name != in.Name || s.parent != parent)
		if !known || changed {
			var parentArg any
			if parent != 0 {
				parentArg = parent
			}
			if _, err := imp.tx.ExecContext(ctx, `UPDATE subjects SET name = $2, parent_id = $3 WHERE id = $1`,
				imp.subjectIDs[in.Key], in.Name, parentArg); err != nil {
				return fmt.Errorf("subject %q: %w", in.Key, err)
			}
		}
		imp.summary.count("subjects", !known, changed)
	}
	return nil
}

func (imp *importer) exams(ctx context.Context) error {
	imp.examsBySlug = map[string]*examhall.Exam{}
	if err := imp.releaseQuestions(ctx); err != nil {
		return err
	}
	for i := range imp.b.Exams {
		want := imp.b.ExamAt(i, imp.subjectIDs)
		at := fmt.Sprintf("exams[%d] %q.", i, want.Slug)
		have, err := examInTx(ctx, imp.tx, `SELECT `+examColumns+` FROM exams WHERE slug = $1`, want.Slug)
		switch {
		case examhall.ErrorCodeOf(err) == examhall.ENOTFOUND:
			if err := imp.checkQuestionKeys(ctx, at, want, 0); err != nil {
				return err
			}
			if err := createExam(ctx, imp.tx, want); err != nil {
				return prefixed(at, err)
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
		have, err := examInTx(ctx, imp.tx, `SELECT `+examColumns+` FROM exams WHERE slug = $1`, want.Slug)
		if examhall.ErrorCodeOf(err) == examhall.ENOTFOUND {
			continue
		}
		if err != nil {
			return err
		}
		if sameStructure(have, want) {
			continue
		}
		if err := lockExam(ctx, imp.tx, have.ID, examExclusive); err != nil {
			return err
		}
		if err := refuseRestructure(ctx, imp.tx, fmt.Sprintf("exams[%d] %q.", i, want.Slug), have.ID); err != nil {
			return err
		}
		if err := clearContent(ctx, imp.tx, have.ID); err != nil {
			return err
		}
	}
	return nil
}

// refuseRestructure refuses to add, remove or move the questions of an exam
// with attempts: their answers hang on them.
func refuseRestructure(ctx context.Context, tx *Tx, at string, examID int64) error {
	var attempts int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM attempts WHERE exam_id = $1`, examID).Scan(&attempts); err != nil {
		return fmt.Errorf("attempts of exam %d: %w", examID, err)
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
			var other string
			err := imp.tx.QueryRowContext(ctx, `SELECT e.slug FROM questions q
				JOIN exam_questions eq ON eq.question_id = q.id JOIN exams e ON e.id = eq.exam_id
				WHERE q.key = $1 AND e.id <> $2`, q.Question.Key, examID).Scan(&other)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return fmt.Errorf("question %q: %w", q.Question.Key, err)
			}
			return fieldError(fmt.Sprintf("%ssections[%d].questions[%d] %q.key", at, j, k, q.Question.Key),
				fmt.Sprintf("The exam %q uses this question key already.", other))
		}
	}
	return nil
}

// updateExam makes the stored exam have equal what the bundle says. An exam
// without attempts takes any change (its content is rebuilt); one with
// attempts takes changes of wording, marks and answer keys, after which its
// completed attempts are regraded, but not added, removed or moved questions.
func (imp *importer) updateExam(ctx context.Context, at string, have, want *examhall.Exam) (bool, error) {
	want.ID, want.Created, want.Modified = have.ID, have.Created, have.Modified
	if sameExam(have, want) {
		return false, nil
	}
	if err := lockExam(ctx, imp.tx, have.ID, examExclusive); err != nil {
		return false, err
	}
	sameShape := sameStructure(have, want)
	if !sameShape {
		if err := refuseRestructure(ctx, imp.tx, at, have.ID); err != nil {
			return false, err
		}
	}
	if err := checkSubjects(ctx, imp.tx, want); err != nil {
		return false, prefixed(at, err)
	}
	now := imp.tx.now.UTC().Truncate(time.Microsecond)
	if _, err := imp.tx.ExecContext(ctx, `UPDATE exams SET title = $2, description = $3, start_date = $4, end_date = $5,
		duration_us = $6, pass_percentage_h = $7, enable_ranks = $8, allow_retake = $9, max_retakes = $10,
		show_score = $11, show_percentile = $12, published = $13, modified = $14, mark_per_question_h = $15,
		negative_marks_h = $16, show_pass_or_fail = $17, show_answers = $18, version = version + 1 WHERE id = $1`,
		have.ID, want.Title, want.Description, timeArg(want.StartDate), timeArg(want.EndDate), durationArg(want.Duration),
		decimalArg(want.PassPercentage), want.EnableRanks, want.AllowRetake, intArg(want.MaxRetakes), want.ShowScore,
		want.ShowPercentile, want.Published, micros(now), int64(want.MarkPerQuestion), int64(want.NegativeMarks),
		want.ShowPassOrFail, want.ShowAnswers); err != nil {
		return false, fmt.Errorf("update exam %q: %w", have.Slug, err)
	}
	if err := setBatches(ctx, imp.tx, "exam_batches", "exam_id", have.ID, want.Batches); err != nil {
		return false, err
	}
	if !sameShape {
		if err := imp.rebuildContent(ctx, at, have.ID, want); err != nil {
			return false, err
		}
		*have = *want
		return true, nil
	}
	for j := range want.Sections {
		ws, hs := &want.Sections[j], &have.Sections[j]
		if _, err := imp.tx.ExecContext(ctx, `UPDATE sections SET name = $2, duration_us = $3, cut_off_h = $4 WHERE id = $1`,
			hs.ID, ws.Name, durationArg(ws.Duration), int64(ws.CutOff)); err != nil {
			return false, fmt.Errorf("update section: %w", err)
		}
		for k := range ws.Questions {
			wq, hq := &ws.Questions[k], &hs.Questions[k]
			wq.ID, wq.Question.ID, wq.SectionID, wq.Order = hq.ID, hq.Question.ID, hq.SectionID, hq.Order
			for n := range wq.Question.Answers {
				wq.Question.Answers[n].ID = hq.Question.Answers[n].ID
			}
			if err := updateQuestionText(ctx, imp.tx, &wq.Question); err != nil {
				return false, err
			}
			if err := saveExamQuestion(ctx, imp.tx, wq); err != nil {
				return false, err
			}
		}
		ws.ID = hs.ID
	}
	fresh, err := examInTx(ctx, imp.tx, `SELECT `+examColumns+` FROM exams WHERE id = $1`, have.ID)
	if err != nil {
		return false, err
	}
	*have = *fresh
	_, err = regradeExam(ctx, imp.tx, have)
	return true, err
}

// rebuildContent replaces the sections and questions of an exam without attempts.
func (imp *importer) rebuildContent(ctx context.Context, at string, examID int64, want *examhall.Exam) error {
	if err := clearContent(ctx, imp.tx, examID); err != nil {
		return err
	}
	if err := imp.checkQuestionKeys(ctx, at, want, examID); err != nil {
		return err
	}
	want.ID = examID
	return insertExamContent(ctx, imp.tx, want)
}

// clearContent deletes the sections and exam questions of an exam without
// attempts, and the questions no other exam uses.
func clearContent(ctx context.Context, tx *Tx, examID int64) error {
	for _, stmt := range []string{
		`CREATE TEMPORARY TABLE IF NOT EXISTS import_old_questions (id BIGINT)`,
		`DELETE FROM import_old_questions`,
		`INSERT INTO import_old_questions SELECT question_id FROM exam_questions WHERE exam_id = $1`,
		`DELETE FROM exam_questions WHERE exam_id = $1`,
		`DELETE FROM sections WHERE exam_id = $1`,
		`DELETE FROM questions WHERE id IN (SELECT id FROM import_old_questions)
			AND id NOT IN (SELECT question_id FROM exam_questions)`,
	} {
		var args []any
		if strings.Contains(stmt, "$1") {
			args = append(args, examID)
		}
		if _, err := tx.ExecContext(ctx, stmt, args...); err != nil {
			return fmt.Errorf("rebuild exam %d: %w", examID, err)
		}
	}
	return nil
}

func updateQuestionText(ctx context.Context, tx *Tx, q *examhall.Question) error {
	var subject any
	if q.SubjectID != 0 {
		subject = q.SubjectID
	}
	if _, err := tx.ExecContext(ctx, `UPDATE questions SET question_html = $2, direction_html = $3,
		explanation_html = $4, subject_id = $5, difficulty = $6 WHERE id = $1`,
		q.ID, q.QuestionHTML, textArg(q.DirectionHTML), q.ExplanationHTML, subject, textArg(string(q.Difficulty))); err != nil {
		return fmt.Errorf("update question %q: %w", q.Key, err)
	}
	for _, a := range q.Answers {
		if _, err := tx.ExecContext(ctx, `UPDATE answers SET text_html = $2 WHERE id = $1`, a.ID, a.TextHTML); err != nil {
			return fmt.Errorf("update answer: %w", err)
		}
	}
	return nil
}

// regradeExam rescores every completed attempt of the exam and returns how many.
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
	for _, a := range attempts {
		if err := regradeAttempt(ctx, tx, a, exam); err != nil {
			return 0, err
		}
	}
	return len(attempts), nil
}

// sameExam compares what a bundle can say of an exam, ignoring ids.
func sameExam(a, b *examhall.Exam) bool {
	return reflect.DeepEqual(examShape(a, true), examShape(b, true))
}

// sortedBatches is a sorted copy of batch names, none as empty.
func sortedBatches(names []string) []string {
	sorted := append([]string{}, names...)
	slices.Sort(sorted)
	return sorted
}

// sameStructure reports whether two exams have the same questions (by key and
// type) with the same number of answers, in the same sections and order.
func sameStructure(a, b *examhall.Exam) bool {
	return reflect.DeepEqual(examShape(a, false), examShape(b, false))
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

func prefixed(prefix string, err error) error {
	var e *examhall.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	fields := map[string][]string{}
	for field, msgs := range e.Fields {
		fields[prefix+field] = msgs
	}
	return &examhall.Error{Code: e.Code, Message: e.Message, Fields: fields}
}

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
	for _, running := range []bool{false, true} {
		for _, r := range list {
			if (r.completed == nil) != running {
				continue
			}
			changed, err := imp.attempt(ctx, r)
			if err != nil {
				return err
			}
			if changed {
				touched[pair{r.exam.ID, r.userID}] = true
			}
		}
	}
	for p := range touched {
		if err := rerank(ctx, imp.tx, p.exam, p.user); err != nil {
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
		if j, ok := byStart[start{p, micros(r.started)}]; ok {
			errs.Add(r.at+"started", fmt.Sprintf("attempts[%d] is an attempt of the same user and exam with the same start; "+
				"an attempt appears once in a bundle.", j))
		}
		byStart[start{p, micros(r.started)}] = i
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
	a, err := scanAttempt(imp.tx.QueryRowContext(ctx, `SELECT `+attemptColumns+` FROM attempts
		WHERE exam_id = $1 AND user_id = $2 AND date = $3`, exam.ID, r.userID, micros(started)))
	created := errors.Is(err, sql.ErrNoRows)
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
		if err := imp.tx.QueryRowContext(ctx, `INSERT INTO attempts (exam_id, user_id, state, date, last_started_time,
			last_activity_at, institute_attempt_id, result) VALUES ($1, $2, $3, $4, $4, $4, $5, 'NA') RETURNING id`,
			a.ExamID, a.UserID, a.State, micros(started), textArg(a.InstituteAttemptID)).Scan(&a.ID); isUniqueViolation(err) {
			// a live start won the race since checkNoneRunning
			return false, fieldError(r.at+"completed", "The user has another running attempt of this exam; only one may run.")
		} else if err != nil {
			return false, fmt.Errorf("insert attempt: %w", err)
		}
		if err := insertBlankAnswers(ctx, imp.tx, a.ID, exam); err != nil {
			return false, err
		}
		if err := insertBlankSections(ctx, imp.tx, a.ID, exam); err != nil {
			return false, err
		}
	case err != nil:
		return false, fmt.Errorf("attempt: %w", err)
	}
	have, err := attemptAnswers(ctx, imp.tx, a.ID)
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
		if err := writeAnswer(ctx, imp.tx, ua, w); err != nil {
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
		if err := regradeAttempt(ctx, imp.tx, a, exam); err != nil {
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
	var date int64
	err := imp.tx.QueryRowContext(ctx, `SELECT date FROM attempts WHERE user_id = $1 AND exam_id = $2 AND state = 0`,
		r.userID, r.exam.ID).Scan(&date)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("running attempts: %w", err)
	}
	return fieldError(r.at+"completed", fmt.Sprintf("The user has another running attempt of this exam, started %s; "+
		"only one may run.", drf.FormatTime(fromMicros(date), imp.b.Location())))
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
			for field, msgs := range err.(*examhall.Error).Fields {
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

func sameAnswer(a, b *examhall.UserAnswer) bool {
	eq := func(x, y *string) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return slices.Equal(a.SelectedAnswerIDs, b.SelectedAnswerIDs) && eq(a.ShortText, b.ShortText) &&
		eq(a.NumericValue, b.NumericValue) && eq(a.EssayText, b.EssayText) && a.Review == b.Review &&
		a.Duration == b.Duration && reflect.DeepEqual(a.GradedMarks, b.GradedMarks)
}

// writeAnswer gives the stored answer have the contents of ua.
func writeAnswer(ctx context.Context, tx *Tx, have, ua *examhall.UserAnswer) error {
	selected, _ := json.Marshal(append([]int64{}, ua.SelectedAnswerIDs...))
	if _, err := tx.ExecContext(ctx, `UPDATE user_answers SET selected_answer_ids = $2, short_text = $3,
		numeric_value = $4, essay_text = $5, graded_marks_h = $6, review = $7, duration_s = $8, modified = $9
		WHERE attempt_id = $10 AND id = $1`, have.ID, string(selected), stringArg(ua.ShortText), stringArg(ua.NumericValue),
		stringArg(ua.EssayText), decimalArg(ua.GradedMarks), ua.Review, int64(ua.Duration/time.Second), micros(tx.now),
		have.AttemptID); err != nil {
		return fmt.Errorf("write answer %d: %w", have.ID, err)
	}
	return nil
}

// rerank makes the user's earliest-started completed attempt of the exam the
// one in its rank population, moving score counts to match.
func rerank(ctx context.Context, tx *Tx, examID, userID int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, score_h, in_rank_population FROM attempts
		WHERE exam_id = $1 AND user_id = $2 AND state = 1 ORDER BY date, id`, examID, userID)
	if err != nil {
		return fmt.Errorf("rerank: %w", err)
	}
	type ranked struct {
		id, score int64
		in        bool
	}
	var attempts []ranked
	err = scanRows(rows, func() error {
		var r ranked
		err := rows.Scan(&r.id, &r.score, &r.in)
		attempts = append(attempts, r)
		return err
	})
	if err != nil {
		return fmt.Errorf("rerank: %w", err)
	}
	// Leave before joining: at most one attempt per user and exam is ranked at any moment.
	for _, leaving := range []bool{true, false} {
		for i, r := range attempts {
			should := i == 0
			if r.in == should || leaving == should {
				continue
			}
			delta := 1
			if !should {
				delta = -1
			}
			if _, err := tx.ExecContext(ctx, `UPDATE attempts SET in_rank_population = $2 WHERE id = $1`, r.id, should); err != nil {
				return fmt.Errorf("rerank: %w", err)
			}
			if err := countScore(ctx, tx, examID, decimal.Decimal(r.score), delta); err != nil {
				return err
			}
		}
	}
	return nil
}

// courses creates the bundle's courses, leaves equal ones alone, and rebuilds
// changed ones that nobody has made progress in; a changed course with
// progress is refused (its learners' records hang on its contents).
func (imp *importer) courses(ctx context.Context) error {
	var missing []string
	examID := func(slug string) int64 {
		if e, ok := imp.examsBySlug[slug]; ok {
			return e.ID
		}
		var id int64
		if err := imp.tx.QueryRowContext(ctx, `SELECT id FROM exams WHERE slug = $1`, slug).Scan(&id); err != nil {
			missing = append(missing, slug)
		}
		return id
	}
	for i, in := range imp.b.Courses {
		at := fmt.Sprintf("courses[%d] %q.", i, in.Slug)
		want := imp.b.CourseAt(i, examID)
		if len(missing) > 0 {
			return fieldError(at+"chapters", fmt.Sprintf("No exam with the slug %q, in the bundle or in examhall.", missing[0]))
		}
		var id int64
		err := imp.tx.QueryRowContext(ctx, `SELECT id FROM courses WHERE slug = $1`, in.Slug).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			if err := createCourse(ctx, imp.tx, want); err != nil {
				return prefixed(at, err)
			}
			imp.summary.count("courses", true, false)
			continue
		}
		if err != nil {
			return fmt.Errorf("course %q: %w", in.Slug, err)
		}
		have, err := courseInTx(ctx, imp.tx, id)
		if err != nil {
			return err
		}
		if courseShape(have) == courseShape(want) {
			imp.summary.count("courses", false, false)
			continue
		}
		var progress int
		if err := imp.tx.QueryRowContext(ctx, `SELECT count(*) FROM chapter_content_attempts WHERE course_id = $1`, id).Scan(&progress); err != nil {
			return fmt.Errorf("progress in course %q: %w", in.Slug, err)
		}
		if progress > 0 {
			return fieldError(at+"chapters", "Students have made progress in this course: an import cannot change it.")
		}
		if _, err := imp.tx.ExecContext(ctx, `DELETE FROM chapters WHERE course_id = $1`, id); err != nil {
			return fmt.Errorf("rebuild course %q: %w", in.Slug, err)
		}
		if _, err := imp.tx.ExecContext(ctx, `UPDATE courses SET title = $2, description = $3, image = $4, modified = $5
			WHERE id = $1`, id, want.Title, want.Description, want.Image, micros(imp.tx.now)); err != nil {
			return fmt.Errorf("update course %q: %w", in.Slug, err)
		}
		want.ID = id
		if err := setBatches(ctx, imp.tx, "course_batches", "course_id", id, want.Batches); err != nil {
			return err
		}
		if err := insertChapters(ctx, imp.tx, want); err != nil {
			return prefixed(at, err)
		}
		imp.summary.count("courses", false, true)
	}
	return nil
}

// courseShape renders what a bundle can say of a course, without ids and times.
func courseShape(c *examhall.Course) string {
	clean := *c
	clean.ID, clean.Created, clean.Modified, clean.CreatedBy = 0, time.Time{}, time.Time{}, 0
	clean.Chapters = nil
	for _, ch := range c.Chapters {
		ch.ID, ch.CourseID, ch.Order = 0, 0, 0 // positions are the list order
		var contents []examhall.ChapterContent
		for _, cc := range ch.Contents {
			cc.ID, cc.ChapterID, cc.Order = 0, 0, 0
			cc.Start, cc.End = utc(cc.Start), utc(cc.End)
			if cc.Video != nil {
				v := *cc.Video
				v.ID, cc.Video = 0, &v
			}
			if cc.Attachment != nil {
				a := *cc.Attachment
				a.ID, cc.Attachment = 0, &a
			}
			if cc.Notes != nil {
				n := *cc.Notes
				n.ID, cc.Notes = 0, &n
			}
			if cc.VideoConference != nil {
				vc := *cc.VideoConference
				vc.ID, vc.Start, cc.VideoConference = 0, utc(vc.Start), &vc
			}
			if cc.LiveStream != nil {
				ls := *cc.LiveStream
				ls.ID, cc.LiveStream = 0, &ls
			}
			contents = append(contents, cc)
		}
		ch.Contents = contents
		clean.Chapters = append(clean.Chapters, ch)
	}
	b, _ := json.Marshal(clean)
	return string(b)
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
