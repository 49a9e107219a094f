package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/examhall/examhall"
)

// The slots of a chapter's contents, as buildCourses lays them out; the
// first chapter of a course adds the last three.
const (
	slotVideo = iota
	slotNotes
	slotWorksheet
	slotTest
	slotPastClass
	slotNextClass
	slotLiveStream
)

// learnersPerCourse is how many students have progress in each course: enough
// to fill the course reports (SPEC §8.4, §8.5), few enough to stay small.
const learnersPerCourse = 10

// learning is what one student did with one chapter content, decided
// before the content has an id.
type learning struct {
	student               int
	course, chapter, slot int
	rec                   examhall.ContentAttemptRecord
	attempt               *attemptPlan // the test's attempt, for slotTest
}

// courseTestPlans makes each chapter's own test, open from 60 days before
// now with no end, retakes allowed: a student of the course can take it the
// moment the demo starts. Its questions come from the chapter's subject; a
// Quiz (odd chapters) ends with an essay for the teacher to grade.
func courseTestPlans(r *rand.Rand, now time.Time, leaves []examhall.Subject) [][]examPlan {
	start := now.Add(-60 * 24 * time.Hour).Truncate(time.Minute)
	out := make([][]examPlan, len(courseTopics))
	for c, ct := range courseTopics {
		for t, chapter := range ct.chapters {
			topic, leafName := chapter[0], chapter[1]
			var leaf examhall.Subject
			for _, l := range leaves {
				if l.Name == leafName {
					leaf = l
				}
			}
			quiz := t%2 == 1
			e := &examhall.Exam{Slug: slugOf(topic) + "-chapter-test", Title: topic + " — Chapter Test", StartDate: &start,
				Description: "<p>The chapter test of " + ct.title + ": " + topic + ".</p>",
				EnableRanks: true, ShowScore: true, ShowPercentile: true, ShowPassOrFail: true, ShowAnswers: true,
				Published: true, AllowRetake: true, Duration: durationOf(30 * time.Minute), MarkPerQuestion: dec(1)}
			if quiz {
				e.Slug, e.Title = slugOf(topic)+"-quiz", topic+" — Quiz"
			}
			pass := dec(35)
			e.PassPercentage = &pass
			sec := examhall.Section{Name: topic}
			for range 8 {
				sec.Questions = append(sec.Questions, examQuestion(r, pickType(r, false), []examhall.Subject{leaf}, dec(1), 0))
			}
			if quiz {
				sec.Questions = append(sec.Questions, examQuestion(r, examhall.Essay, []examhall.Subject{leaf}, dec(5), 0))
			}
			e.Sections = []examhall.Section{sec}
			out[c] = append(out[c], examPlan{kind: courseTest, start: start, exam: e})
		}
	}
	return out
}

func slugOf(title string) string { return strings.ToLower(strings.ReplaceAll(title, " ", "-")) }

// planLearning decides the course progress: the first learnersPerCourse
// students a course admits work through its chapters over the last three
// weeks: lectures watched (most to the end), notes and worksheets marked
// done, tests taken (at most budget of them), last week's class attended,
// the live stream joined. The first test on a Quiz waits for its essay to
// be graded. testPlans[c][t] is the plan index of chapter t's test.
func planLearning(r *rand.Rand, o Options, students int, testPlans [][]int, budget int) []learning {
	var out []learning
	lastWeek := o.Now.Add(-7 * 24 * time.Hour).Truncate(time.Hour)
	pendingLeft := 1
	for c, ct := range courseTopics {
		learners := 0
		for s := 0; s < students && learners < learnersPerCourse; s++ {
			if len(ct.batches) > 0 && !containsString(ct.batches, batches[s%len(batches)]) {
				continue
			}
			learners++
			add := func(t, slot int, created time.Time, state examhall.ContentAttemptState, completed *time.Time) *learning {
				out = append(out, learning{student: s, course: c, chapter: t, slot: slot,
					rec: examhall.ContentAttemptRecord{State: state, Created: created, CompletedOn: completed}})
				return &out[len(out)-1]
			}
			at := func(t time.Time) *time.Time { return &t }
			for t := range ct.chapters {
				// Chapter t of this learner on a day 21–3 days ago, in working hours.
				day := o.Now.Add(-time.Duration(21-3*t) * 24 * time.Hour).Truncate(time.Hour)
				created := day.Add(-time.Duration(r.IntN(10)) * time.Hour)
				if r.IntN(10) < 6 {
					l := add(t, slotVideo, created, examhall.ContentCompleted, at(created.Add(40*time.Minute)))
					l.rec.WatchedPercentage = 90 + r.IntN(11)
				} else {
					l := add(t, slotVideo, created, examhall.ContentStarted, nil)
					l.rec.WatchedPercentage = 10 + r.IntN(80)
				}
				if r.IntN(10) < 8 {
					add(t, slotNotes, created.Add(time.Hour), examhall.ContentCompleted, at(created.Add(70*time.Minute)))
				}
				if r.IntN(10) < 6 {
					add(t, slotWorksheet, created.Add(time.Hour), examhall.ContentCompleted, at(created.Add(90*time.Minute)))
				}
				if budget > 0 && r.IntN(10) < 9 {
					budget--
					date := created.Add(2 * time.Hour)
					l := add(t, slotTest, date, examhall.ContentCompleted, nil)
					l.attempt = &attemptPlan{date: date.UnixMicro(), seed: r.Uint64(), exam: int32(testPlans[c][t]),
						user: int32(s), state: examhall.AttemptCompleted, ranked: true}
					if t%2 == 1 && pendingLeft > 0 {
						pendingLeft--
						l.attempt.essayUngraded = true
					}
				}
			}
			if r.IntN(4) < 3 {
				joined := lastWeek.Add(time.Duration(r.IntN(10)) * time.Minute)
				left := joined.Add(time.Duration(20+r.IntN(30)) * time.Minute)
				sessions := []examhall.AttendanceSession{{Joined: joined, Left: left}}
				if r.IntN(3) == 0 { // dropped out and came back
					back := left.Add(2 * time.Minute)
					sessions = append(sessions, examhall.AttendanceSession{Joined: back, Left: lastWeek.Add(time.Hour)})
				}
				last := sessions[len(sessions)-1].Left
				l := add(0, slotPastClass, joined, examhall.ContentCompleted, &last)
				l.rec.Sessions = sessions
			}
			if r.IntN(2) == 0 {
				joined := lastWeek.Add(2 * 24 * time.Hour)
				add(0, slotLiveStream, joined, examhall.ContentCompleted, &joined)
			}
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// storeLearning simulates and stores the tests' attempts, then the content
// attempts that link to them and to the rest of the courses' contents.
func (s *simulator) storeLearning(ctx context.Context, store Store, courses []*examhall.Course, learned []learning) (int, error) {
	var plans []attemptPlan
	var tests []int
	for i := range learned {
		if learned[i].attempt != nil {
			plans = append(plans, *learned[i].attempt)
			tests = append(tests, i)
		}
	}
	records := s.simulate(plans)
	if err := store.InsertAttempts(ctx, records); err != nil {
		return 0, err
	}
	for k, i := range tests {
		a := records[k].Attempt
		l := &learned[i]
		l.rec.AttemptID, l.rec.CompletedOn = a.ID, a.CompletedOn
		if a.Pending > 0 {
			l.rec.State = examhall.ContentPendingEvaluation
		}
	}
	out := make([]examhall.ContentAttemptRecord, len(learned))
	for i, l := range learned {
		out[i] = l.rec
		out[i].UserID = s.students[l.student].ID
		out[i].ChapterContentID = courses[l.course].Chapters[l.chapter].Contents[l.slot].ID
	}
	if err := store.InsertContentAttempts(ctx, out); err != nil {
		return 0, fmt.Errorf("course progress: %w", err)
	}
	return len(plans), nil
}
