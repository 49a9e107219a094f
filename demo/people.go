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
			Batches: []string{batches[r.IntN(len(batches))]}}
	}
	return students
}

// buildCourses makes two courses with every kind of content; their tests are
// chapter tests of the exam plans.
func buildCourses(r *rand.Rand, now time.Time, plans []examPlan) []*examhall.Course {
	var tests []int64
	for _, p := range plans {
		if p.kind == chapterTest {
			tests = append(tests, p.exam.ID)
		}
	}
	class := now.Add(48 * time.Hour).Truncate(time.Hour)
	courses := []*examhall.Course{
		{Slug: "jee-physics-crash-course", Title: "JEE Physics Crash Course",
			Description: "<p>Mechanics to optics in eight weeks.</p>", Batches: []string{"JEE 2026", "JEE 2027"}},
		{Slug: "neet-biology-foundation", Title: "NEET Biology Foundation",
			Description: "<p>Botany and zoology from the ground up.</p>", Batches: []string{}},
	}
	topics := [][]string{{"Kinematics", "Laws of Motion", "Current Electricity", "Ray Optics"},
		{"Cell Biology", "Plant Physiology", "Human Physiology"}}
	for c, course := range courses {
		for t, topic := range topics[c] {
			ch := examhall.Chapter{Title: topic, Description: "<p>" + topic + "</p>"}
			slug := fmt.Sprintf("%d-%d", c+1, t+1)
			ch.Contents = []examhall.ChapterContent{
				{Title: topic + ": lecture", Type: examhall.ContentVideo, FreePreview: t == 0, Video: &examhall.Video{
					Title: topic + ": lecture", URL: "https://videos.example.com/" + slug, Duration: 1200 + r.IntN(2400)}},
				{Title: topic + ": notes", Type: examhall.ContentNotes, Notes: &examhall.Notes{Title: topic + ": notes",
					HTML: "<p>Key ideas of " + topic + ".</p>"}},
				{Title: topic + ": worksheet", Type: examhall.ContentAttachment, Attachment: &examhall.Attachment{
					Title: topic + ": worksheet", URL: "https://files.example.com/" + slug + ".pdf"}},
			}
			if len(tests) > 0 {
				kind := examhall.ContentExam
				if t%2 == 1 {
					kind = examhall.ContentQuiz
				}
				ch.Contents = append(ch.Contents, examhall.ChapterContent{Title: topic + ": test", Type: kind,
					ExamID: tests[r.IntN(len(tests))]})
			}
			if t == 0 {
				ch.Contents = append(ch.Contents,
					examhall.ChapterContent{Title: "Doubt-clearing class", Type: examhall.ContentVideoConference,
						VideoConference: &examhall.VideoConference{Title: "Doubt-clearing class",
							ConferenceID: fmt.Sprintf("8%010d", r.IntN(1e9)), Provider: "Zoom", Start: &class, Duration: 60}},
					examhall.ChapterContent{Title: "Weekly revision", Type: examhall.ContentLiveStream,
						LiveStream: &examhall.LiveStream{Title: "Weekly revision", Duration: 90}})
			}
			course.Chapters = append(course.Chapters, ch)
		}
	}
	return courses
}
