package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/examhall/examhall"
)

var (
	firstNames = []string{"Aarav", "Aditi", "Akash", "Ananya", "Arjun", "Bhavna", "Chitra", "Deepak", "Divya",
		"Farhan", "Gauri", "Harish", "Ishaan", "Jaya", "Karthik", "Kavya", "Lakshmi", "Manish", "Meera", "Nikhil",
		"Pooja", "Pranav", "Rahul", "Riya", "Sahil", "Sneha", "Tanvi", "Varun", "Yash", "Zoya"}
	lastNames = []string{"Agarwal", "Banerjee", "Chopra", "Das", "Fernandes", "Gupta", "Iyer", "Joshi", "Kapoor",
		"Khan", "Kumar", "Menon", "Mishra", "Nair", "Patel", "Pillai", "Rao", "Reddy", "Shah", "Sharma", "Singh",
		"Verma"}
	batches = []string{"JEE 2026", "JEE 2027", "NEET 2026", "NEET 2027", "Foundation"}
)

// StudentUsername is the username of the demo's n-th student (from 1).
func StudentUsername(n int) string { return fmt.Sprintf("student%06d", n) }

// buildStudents makes the students, who joined in the months before the
// history begins.
func buildStudents(r *rand.Rand, o Options) []*examhall.User {
	begin := o.Now.Add(-history)
	students := make([]*examhall.User, o.Students)
	for i := range students {
		first, last := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
		username := StudentUsername(i + 1)
		students[i] = &examhall.User{Username: username, Email: username + "@students.example.com",
			FirstName: first, LastName: last, Phone: fmt.Sprintf("9%09d", r.IntN(1e9)), Role: examhall.RoleStudent,
			IsActive: true, DateJoined: begin.Add(-time.Duration(r.Int64N(int64(180 * 24 * time.Hour)))).Truncate(time.Second),
			// In turn, so that student000001 is in "JEE 2026" and may take
			// both courses: the README's tour logs in as that student.
			Batches: []string{batches[i%len(batches)]}}
	}
	return students
}

// courseTopics are the chapters of the demo's two courses, each with the
// leaf subject its chapter test draws on.
var courseTopics = []struct {
	slug, title, description string
	batches                  []string
	chapters                 [][2]string // topic, leaf subject
}{
	{"jee-physics-crash-course", "JEE Physics Crash Course", "<p>Mechanics to optics in eight weeks.</p>",
		[]string{"JEE 2026", "JEE 2027"}, [][2]string{{"Kinematics", "Mechanics"}, {"Laws of Motion", "Mechanics"},
			{"Current Electricity", "Electricity and Magnetism"}, {"Ray Optics", "Optics"}}},
	{"neet-biology-foundation", "NEET Biology Foundation", "<p>Botany and zoology from the ground up.</p>",
		[]string{}, [][2]string{{"Cell Biology", "Botany"}, {"Plant Physiology", "Botany"}, {"Human Physiology", "Zoology"}}},
}

// buildCourses makes two courses with every kind of content: each chapter
// has a lecture, notes, a worksheet and a test (an Exam, or a Quiz on odd
// chapters) whose exam is its own (tests[course][chapter], titled after the
// chapter); each course's first chapter has a doubt-clearing class held last
// week (with attendance), one starting ten minutes after now (open to join
// at once: see examhall.ConferenceJoinLead) and a live stream.
func buildCourses(r *rand.Rand, now time.Time, tests [][]*examhall.Exam) []*examhall.Course {
	lastWeek := now.Add(-7 * 24 * time.Hour).Truncate(time.Hour)
	soon := now.Truncate(time.Minute).Add(10 * time.Minute)
	var courses []*examhall.Course
	for c, ct := range courseTopics {
		course := &examhall.Course{Slug: ct.slug, Title: ct.title, Description: ct.description, Batches: ct.batches}
		for t, chapter := range ct.chapters {
			topic := chapter[0]
			ch := examhall.Chapter{Title: topic, Description: "<p>" + topic + "</p>"}
			slug := fmt.Sprintf("%d-%d", c+1, t+1)
			kind := examhall.ContentExam
			if t%2 == 1 {
				kind = examhall.ContentQuiz
			}
			ch.Contents = []examhall.ChapterContent{
				{Title: topic + ": lecture", Type: examhall.ContentVideo, FreePreview: t == 0, Video: &examhall.Video{
					Title: topic + ": lecture", URL: "https://videos.example.com/" + slug, DurationSeconds: 1200 + r.IntN(2400)}},
				{Title: topic + ": notes", Type: examhall.ContentNotes, Notes: &examhall.Notes{Title: topic + ": notes",
					HTML: "<p>Key ideas of " + topic + ".</p>"}},
				{Title: topic + ": worksheet", Type: examhall.ContentAttachment, Attachment: &examhall.Attachment{
					Title: topic + ": worksheet", URL: "https://files.example.com/" + slug + ".pdf"}},
				{Title: topic + ": test", Type: kind, ExamID: tests[c][t].ID},
			}
			if t == 0 {
				held, next := lastWeek, soon
				ch.Contents = append(ch.Contents,
					examhall.ChapterContent{Title: "Doubt-clearing class (last week)", Type: examhall.ContentVideoConference,
						VideoConference: &examhall.VideoConference{Title: "Doubt-clearing class (last week)",
							ConferenceID: fmt.Sprintf("8%010d", r.IntN(1e9)), Provider: "Zoom", Start: &held, DurationMinutes: 60,
							ShowRecordedVideo: true}},
					examhall.ChapterContent{Title: "Doubt-clearing class", Type: examhall.ContentVideoConference,
						VideoConference: &examhall.VideoConference{Title: "Doubt-clearing class",
							ConferenceID: fmt.Sprintf("8%010d", r.IntN(1e9)), Provider: "Zoom", Start: &next, DurationMinutes: 60}},
					examhall.ChapterContent{Title: "Weekly revision", Type: examhall.ContentLiveStream,
						LiveStream: &examhall.LiveStream{Title: "Weekly revision", DurationMinutes: 90}})
			}
			course.Chapters = append(course.Chapters, ch)
		}
		courses = append(courses, course)
	}
	return courses
}
