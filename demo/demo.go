// Package demo builds a believable institute (SPEC §11): a subject tree, a
// question bank of every type, exams with sections, negative marks, bonus
// questions and essays, courses with every content type, and students whose
// attempts have realistic score distributions over two years.
//
// Attempts are simulated answer by answer (a student's ability against each
// question's difficulty) and scored by the scoring package, the same code that
// scores live attempts; only the writing is bulk (examhall.HistoryStore).
//
// The load is shaped like a real institute's: up to ten national mock tests
// take about half of the attempts (~50,000 each at a million), the other
// exams a few hundred each, with retakes on chapter tests. Most attempts are
// completed; exams still open also have running and not-started ones.
//
// Two courses show every content type. Each chapter has its own test (an
// Exam or a Quiz with an essay), open now and titled after the chapter, and
// the first ten students each course admits have progress in it (SPEC
// §8.4): lectures watched, notes and worksheets done, tests taken (one
// essay at least awaits grading), last week's doubt-clearing class attended
// (§8.5), the live stream joined; another class starts ten minutes after
// the load, open to join at once. The same Options (Seed included) give the
// same institute.
package demo

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/scoring"
)

// Options size the institute.
type Options struct {
	Students int
	Exams    int
	Attempts int
	Seed     uint64
	// MaxQuestions, when positive, caps each exam's questions (later
	// sections lose theirs first): a smaller load for benchmarks that need
	// many attempts, not many answers.
	MaxQuestions int
	Now          time.Time // the end of the two years of history
	// StudentPasswordHash is every student's password hash ("" = students
	// cannot log in).
	StudentPasswordHash string
	// Progress, when set, is called after each batch of attempts is stored
	// with the number stored so far.
	Progress func(stored int)
}

// Validate checks the sizes.
func (o Options) Validate() error {
	errs := examhall.FieldErrors{}
	if o.Students < 1 {
		errs.Add("students", "Ensure this value is greater than or equal to 1.")
	}
	if o.Exams < 1 {
		errs.Add("exams", "Ensure this value is greater than or equal to 1.")
	}
	if o.MaxQuestions < 0 {
		errs.Add("max_questions", "Ensure this value is greater than or equal to 0.")
	}
	if o.Attempts < 0 {
		errs.Add("attempts", "Ensure this value is greater than or equal to 0.")
	}
	return errs.Err()
}

// Store is what the demo writes through.
type Store interface {
	examhall.HistoryStore
	CreateSubject(ctx context.Context, s *examhall.Subject) error
	CreateExam(ctx context.Context, exam *examhall.Exam) error
	CreateCourse(ctx context.Context, c *examhall.Course) error
	SetSetting(ctx context.Context, key, value string) error
}

// Summary is what Load made. Exams and Questions are the exam history's
// (as many exams as asked for); CourseTests are the courses' own exams on
// top of them. Attempts are all of them (as many as asked for), the courses'
// tests' included.
type Summary struct {
	Subjects, Questions, Exams, CourseTests, Courses, Students, Attempts int
	ContentAttempts                                                      int
	AttemptsByState                                                      map[examhall.AttemptState]int
}

// attemptsPerBatch is how many attempts go into one transaction: large enough
// to amortize the commit, small enough to keep memory flat.
const attemptsPerBatch = 1000

// Load builds the institute into store.
func Load(ctx context.Context, store Store, o Options) (Summary, error) {
	if err := o.Validate(); err != nil {
		return Summary{}, err
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	sum := Summary{AttemptsByState: map[examhall.AttemptState]int{}}

	subjects, leaves, err := createSubjects(ctx, store)
	if err != nil {
		return sum, err
	}
	sum.Subjects = len(subjects)

	// The courses' tests and progress are planned first: their attempts
	// come out of the attempts asked for (a tenth at most), the rest make
	// the history.
	rc := rand.New(rand.NewPCG(o.Seed, 0xc0a5e))
	courseTests := courseTestPlans(rc, o.Now, leaves)
	testPlans := make([][]int, len(courseTests))
	history := o
	history.Attempts = 0 // set below, once the courses have taken theirs
	var learned []learning
	{
		next := o.Exams // the course tests' plans follow the history's
		for c := range courseTests {
			for range courseTests[c] {
				testPlans[c] = append(testPlans[c], next)
				next++
			}
		}
		learned = planLearning(rc, o, o.Students, testPlans, o.Attempts/10)
		taken := 0
		for _, l := range learned {
			if l.attempt != nil {
				taken++
			}
		}
		history.Attempts = o.Attempts - taken
	}

	plans := planExams(r, history)
	for i := range plans {
		p := &plans[i]
		p.exam = buildExam(r, i, p, leaves)
		if o.MaxQuestions > 0 {
			capQuestions(p.exam, o.MaxQuestions)
		}
		if err := store.CreateExam(ctx, p.exam); err != nil {
			return sum, fmt.Errorf("exam %s: %w", p.exam.Slug, err)
		}
		sum.Questions += len(p.exam.Questions())
	}
	sum.Exams = len(plans)
	tests := make([][]*examhall.Exam, len(courseTests))
	for c := range courseTests {
		for _, p := range courseTests[c] {
			if o.MaxQuestions > 0 {
				capQuestions(p.exam, o.MaxQuestions)
			}
			if err := store.CreateExam(ctx, p.exam); err != nil {
				return sum, fmt.Errorf("exam %s: %w", p.exam.Slug, err)
			}
			plans = append(plans, p)
			tests[c] = append(tests[c], p.exam)
			sum.CourseTests++
		}
	}

	courses := buildCourses(rc, o.Now, tests)
	for _, c := range courses {
		if err := store.CreateCourse(ctx, c); err != nil {
			return sum, fmt.Errorf("course %s: %w", c.Slug, err)
		}
	}
	sum.Courses = len(courses)

	students := buildStudents(r, o)
	if err := store.InsertStudents(ctx, students, o.StudentPasswordHash); err != nil {
		return sum, err
	}
	sum.Students = len(students)
	if o.StudentPasswordHash != "" {
		// The mark of a demo database, and how a later start finds the
		// students whose password it re-sets (ResetSharedPassword).
		if err := store.SetSetting(ctx, examhall.SettingDemoPasswordHash, o.StudentPasswordHash); err != nil {
			return sum, err
		}
	}

	attempts := planAttempts(r, history, plans[:sum.Exams])
	for _, a := range attempts {
		sum.AttemptsByState[a.state]++
	}
	sim := &simulator{o: o, plans: plans, students: students, papers: make([]*scoring.Paper, len(plans)),
		ability: abilities(o)}
	for i := range plans {
		sim.papers[i] = scoring.NewPaper(plans[i].exam, subjects)
	}
	if err := sim.store(ctx, store, attempts); err != nil {
		return sum, err
	}
	taken, err := sim.storeLearning(ctx, store, courses, learned)
	if err != nil {
		return sum, err
	}
	sum.Attempts = len(attempts) + taken
	if o.Progress != nil && taken > 0 {
		o.Progress(sum.Attempts)
	}
	sum.AttemptsByState[examhall.AttemptCompleted] += taken
	sum.ContentAttempts = len(learned)
	examIDs := make([]int64, len(plans))
	for i := range plans {
		examIDs[i] = plans[i].exam.ID
	}
	return sum, store.CountScores(ctx, examIDs)
}

// capQuestions keeps the exam's first max questions and drops the sections
// left empty.
func capQuestions(e *examhall.Exam, max int) {
	kept := e.Sections[:0]
	for _, s := range e.Sections {
		s.Questions = s.Questions[:min(len(s.Questions), max)]
		max -= len(s.Questions)
		if len(s.Questions) > 0 {
			kept = append(kept, s)
		}
	}
	e.Sections = kept
}

func createSubjects(ctx context.Context, store Store) (all, leaves []examhall.Subject, err error) {
	for _, p := range subjectTree {
		parent := examhall.Subject{Name: p.name}
		if err := store.CreateSubject(ctx, &parent); err != nil {
			return nil, nil, err
		}
		all = append(all, parent)
		for _, name := range p.leaves {
			leaf := examhall.Subject{Name: name, ParentID: parent.ID}
			if err := store.CreateSubject(ctx, &leaf); err != nil {
				return nil, nil, err
			}
			all = append(all, leaf)
			leaves = append(leaves, leaf)
		}
	}
	return all, leaves, nil
}

// history is how far back the institute's exams go.
const history = 2 * 365 * 24 * time.Hour

// planExams decides each exam's kind, dates and number of attempts.
func planExams(r *rand.Rand, o Options) []examPlan {
	plans := make([]examPlan, o.Exams)
	nationals := min(10, max(1, o.Exams/10))
	begin := o.Now.Add(-history)
	counts := make([]int, o.Exams)
	if o.Exams == nationals {
		spread(counts, o.Attempts, func(int) float64 { return 1 })
	} else {
		each := min(max(1, o.Students/2), o.Attempts/(2*nationals))
		for i := range nationals {
			counts[i] = each
		}
		weights := make([]float64, o.Exams)
		for i := nationals; i < o.Exams; i++ {
			weights[i] = math.Exp(r.NormFloat64() * 0.8) // log-normal: most a few hundred, some thousands
		}
		spread(counts[nationals:], o.Attempts-each*nationals, func(i int) float64 { return weights[nationals+i] })
	}
	for i := range plans {
		p := &plans[i]
		p.attempts = counts[i]
		switch {
		case i < nationals:
			p.kind = nationalMock
			// Spread over the two years; the last one is being written now.
			p.start = begin.Add(time.Duration(float64(history) * (float64(i) + 0.5) / float64(nationals)))
			if i == nationals-1 {
				p.start = o.Now.Add(-36 * time.Hour)
			}
			end := p.start.Add(72 * time.Hour)
			p.end = &end
			p.distinct = min(p.attempts, o.Students)
		default:
			p.kind = chapterTest
			if (i-nationals)%20 == 3 {
				p.kind = descriptiveTest
			}
			p.start = begin.Add(time.Duration(r.Int64N(int64(history - 48*time.Hour))))
			if r.IntN(10) > 0 {
				end := p.start.Add(time.Duration(30+r.IntN(90)) * 24 * time.Hour)
				p.end = &end
			}
			p.distinct = min(o.Students, p.attempts-p.attempts/20) // ~5 % retakes
			if p.kind == descriptiveTest {
				p.distinct = min(o.Students, p.attempts)
			}
		}
		p.start = p.start.Truncate(time.Minute)
		if p.end != nil {
			*p.end = p.end.Truncate(time.Minute)
		}
	}
	return plans
}

// spread divides total over counts in proportion to weight, exactly (the
// largest remainders get the leftover units).
func spread(counts []int, total int, weight func(int) float64) {
	var sum float64
	for i := range counts {
		sum += weight(i)
	}
	type rest struct {
		i    int
		frac float64
	}
	rests := make([]rest, len(counts))
	given := 0
	for i := range counts {
		share := float64(total) * weight(i) / sum
		counts[i] = int(share)
		given += counts[i]
		rests[i] = rest{i, share - float64(counts[i])}
	}
	slices.SortStableFunc(rests, func(a, b rest) int { return cmp.Compare(b.frac, a.frac) })
	for k := 0; given < total; k++ {
		counts[rests[k%len(rests)].i]++
		given++
	}
}

// attemptPlan is one attempt to simulate.
type attemptPlan struct {
	date   int64 // Unix µs
	seed   uint64
	exam   int32
	user   int32
	state  examhall.AttemptState
	ranked bool
	// essayUngraded: the student writes the essays, which wait for a grader.
	essayUngraded bool
}

// planAttempts decides who attempts which exam when, in date order.
func planAttempts(r *rand.Rand, o Options, plans []examPlan) []attemptPlan {
	all := make([]attemptPlan, 0, o.Attempts)
	for e := range plans {
		p := &plans[e]
		if p.attempts == 0 {
			continue
		}
		// Students in a pseudo-random order without repeats: a stride
		// coprime with their number walks every one once.
		stride := coprimeStride(o.Students, r)
		offset := r.IntN(o.Students)
		var duration time.Duration
		if p.exam.Duration != nil {
			duration = *p.exam.Duration
		}
		lo := p.start.UnixMicro()
		hi := o.Now.Add(-duration - time.Minute).UnixMicro()
		if p.end != nil {
			hi = min(hi, p.end.Add(-duration).UnixMicro())
		}
		hi = max(hi, lo+1)
		extra := p.attempts - p.distinct
		for u := range p.distinct {
			user := int32((offset + u*stride) % o.Students)
			n := 1 + extra/p.distinct
			if u < extra%p.distinct {
				n++
			}
			dates := make([]int64, n)
			for k := range dates {
				dates[k] = lo + r.Int64N(hi-lo)
			}
			slices.Sort(dates)
			for k, d := range dates {
				a := attemptPlan{date: d, seed: r.Uint64(), exam: int32(e), user: user,
					state: examhall.AttemptCompleted, ranked: k == 0}
				// The newest attempt of an open exam may still be under way;
				// an earlier one of the same student is then the ranked one.
				if k == n-1 && p.open(o.Now) {
					switch x := r.IntN(100); {
					case x < 6:
						a.state, a.ranked = examhall.AttemptRunning, false
						a.date = o.Now.Add(-time.Duration(r.Int64N(int64(max(duration, time.Hour)) * 4 / 5))).UnixMicro()
					case x < 8:
						a.state, a.ranked = examhall.AttemptNotStarted, false
						a.date = o.Now.Add(-time.Duration(r.Int64N(int64(12 * time.Hour)))).UnixMicro()
					}
					a.date = max(a.date, lo)
				}
				all = append(all, a)
			}
		}
	}
	// Ids grow with time, as on a live system.
	slices.SortStableFunc(all, func(a, b attemptPlan) int { return cmp.Compare(a.date, b.date) })
	return all
}

func coprimeStride(n int, r *rand.Rand) int {
	if n == 1 {
		return 1
	}
	for {
		s := 1 + r.IntN(n-1)
		if gcd(s, n) == 1 {
			return s
		}
	}
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// store simulates and scores the attempts on every core, in batches, and
// writes the batches in date order.
func (s *simulator) store(ctx context.Context, store Store, attempts []attemptPlan) error {
	ctx, cancel := context.WithCancel(ctx)
	type batch struct {
		from, to int
		records  chan []examhall.AttemptRecord
	}
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan batch)
	queue := make(chan batch, 2*workers) // batches in order, being simulated
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				b.records <- s.simulate(attempts[b.from:b.to])
			}
		}()
	}
	go func() {
		defer close(queue)
		defer close(jobs)
		for from := 0; from < len(attempts); from += attemptsPerBatch {
			b := batch{from, min(from+attemptsPerBatch, len(attempts)), make(chan []examhall.AttemptRecord, 1)}
			select {
			case queue <- b:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	defer func() { cancel(); wg.Wait() }()
	for b := range queue {
		if err := store.InsertAttempts(ctx, <-b.records); err != nil {
			return err
		}
		if s.o.Progress != nil {
			s.o.Progress(b.to)
		}
	}
	return ctx.Err()
}
