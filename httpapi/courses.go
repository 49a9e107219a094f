package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/bundle"
	"github.com/examhall/examhall/drf"
)

// examResolver resolves the exam of an Exam or Quiz content in a body as
// the bundle does (bundle.ExamResolver): an id as it is, a slug looked up;
// a lookup that fails otherwise than not found is kept in *failed.
func (s *Server) examResolver(r *http.Request, failed *error) bundle.Resolve {
	return bundle.ExamResolver(func(slug string) (int64, error) {
		e, err := s.Exams.ExamBySlug(r.Context(), slug)
		if err != nil {
			return 0, err
		}
		return e.ID, nil
	}, failed)
}

// contentOutput is a chapter content as the course endpoints show it.
type contentOutput struct {
	ID              int64   `json:"id"`
	Order           int     `json:"order"`
	ChapterID       int64   `json:"chapter_id"`
	Title           string  `json:"title"`
	Description     string  `json:"description"`
	ContentType     string  `json:"content_type"`
	FreePreview     bool    `json:"free_preview"`
	Start           *string `json:"start"`
	End             *string `json:"end"`
	ExamID          *int64  `json:"exam_id"`
	Video           any     `json:"video"`
	Attachment      any     `json:"attachment"`
	Notes           any     `json:"notes"`
	VideoConference any     `json:"video_conference"`
	LiveStream      any     `json:"live_stream"`
}

type chapterOutput struct {
	ID          int64           `json:"id"`
	Order       int             `json:"order"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Contents    []contentOutput `json:"contents"`
}

type courseOutput struct {
	ID          int64           `json:"id"`
	Slug        string          `json:"slug"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Image       string          `json:"image"`
	Created     string          `json:"created"`
	Modified    string          `json:"modified"`
	Batches     []string        `json:"batches"`
	Chapters    []chapterOutput `json:"chapters"`
}

func (s *Server) contentOutput(cc *examhall.ChapterContent) contentOutput {
	out := contentOutput{ID: cc.ID, Order: cc.Order, ChapterID: cc.ChapterID, Title: cc.Title, Description: cc.Description,
		ContentType: cc.Type.Name(), FreePreview: cc.FreePreview, Start: s.timePtr(cc.Start), End: s.timePtr(cc.End),
		ExamID: nonZero(cc.ExamID)}
	if v := cc.Video; v != nil {
		out.Video = map[string]any{"id": v.ID, "title": v.Title, "url": v.URL, "duration": v.DurationSeconds}
	}
	if a := cc.Attachment; a != nil {
		out.Attachment = map[string]any{"id": a.ID, "title": a.Title, "url": a.URL}
	}
	if n := cc.Notes; n != nil {
		out.Notes = map[string]any{"id": n.ID, "title": n.Title, "html": n.HTML}
	}
	if v := cc.VideoConference; v != nil {
		out.VideoConference = s.videoConference(v)
	}
	if l := cc.LiveStream; l != nil {
		out.LiveStream = liveStream(l)
	}
	return out
}

// videoConferenceOutput and liveStreamOutput are the nested objects of SPEC §8.4.
type videoConferenceOutput struct {
	ID                  int64   `json:"id"`
	Title               string  `json:"title"`
	ConferenceID        string  `json:"conference_id"`
	Start               *string `json:"start"`
	Duration            int     `json:"duration"`
	Provider            string  `json:"provider"`
	JoinURL             string  `json:"join_url"`
	Password            string  `json:"password"`
	AccessToken         string  `json:"access_token"`
	ShowRecordedVideo   bool    `json:"show_recorded_video"`
	State               string  `json:"state"`
	HasRecordingExpired bool    `json:"has_recording_expired"`
}

type liveStreamOutput struct {
	ID                int64  `json:"id"`
	Title             string `json:"title"`
	StreamURL         string `json:"stream_url"`
	Duration          int    `json:"duration"`
	ShowRecordedVideo bool   `json:"show_recorded_video"`
	Status            string `json:"status"`
	ChatEmbedURL      string `json:"chat_embed_url"`
}

func (s *Server) videoConference(v *examhall.VideoConference) videoConferenceOutput {
	return videoConferenceOutput{ID: v.ID, Title: v.Title, ConferenceID: v.ConferenceID, Start: s.timePtr(v.Start),
		Duration: v.DurationMinutes, Provider: v.Provider, JoinURL: v.JoinURL, Password: v.Password, AccessToken: v.AccessToken,
		ShowRecordedVideo: v.ShowRecordedVideo, State: v.State, HasRecordingExpired: v.HasRecordingExpired}
}

func liveStream(l *examhall.LiveStream) liveStreamOutput {
	return liveStreamOutput{ID: l.ID, Title: l.Title, StreamURL: l.StreamURL, Duration: l.DurationMinutes,
		ShowRecordedVideo: l.ShowRecordedVideo, Status: l.Status, ChatEmbedURL: l.ChatEmbedURL}
}

// courseOutput renders a course with the contents shown to viewer
// (ChapterContent.ShownTo): all of them when enrolled, else only the free
// previews, and never an exam whose batches leave a student out.
func (s *Server) courseOutput(c *examhall.Course, viewer *examhall.User, enrolled bool) courseOutput {
	out := courseOutput{ID: c.ID, Slug: c.Slug, Title: c.Title, Description: c.Description, Image: c.Image,
		Created: s.formatTime(c.Created), Modified: s.formatTime(c.Modified), Batches: c.Batches, Chapters: []chapterOutput{}}
	for _, ch := range c.Chapters {
		co := chapterOutput{ID: ch.ID, Order: ch.Order, Title: ch.Title, Description: ch.Description, Contents: []contentOutput{}}
		for i := range ch.Contents {
			if !ch.Contents[i].ShownTo(viewer, enrolled) {
				continue
			}
			co.Contents = append(co.Contents, s.contentOutput(&ch.Contents[i]))
		}
		out.Chapters = append(out.Chapters, co)
	}
	return out
}

// createCourse is POST /api/v2.5/admin/courses/: a course with its chapters and contents.
func (s *Server) createCourse(w http.ResponseWriter, r *http.Request) {
	var in bundle.Course
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	var failed error
	errs := examhall.FieldErrors{}
	course := in.Course(s.location(), s.examResolver(r, &failed), errs)
	if failed != nil {
		s.writeError(w, r, failed)
		return
	}
	if err := bundle.Check(course, errs); err != nil {
		s.writeError(w, r, err)
		return
	}
	course.CreatedBy = caller(r).ID
	if err := s.Courses.CreateCourse(r.Context(), course); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, s.courseOutput(course, caller(r), true))
}

// getCourse is GET /api/v2.5/admin/courses/<id>/ and, for students,
// GET /api/v2.5/courses/<id>/contents/: the course with the contents the
// caller may open.
func (s *Server) getCourse(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	course, err := s.Courses.CourseByID(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	viewer, err := s.courseViewer(r, course)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.courseOutput(course, viewer, course.OpenTo(viewer)))
}

// courseViewer is the caller, with their batches when they are a student
// and what they may see of the courses depends on batches
// (Course.RestrictedByBatches): the authenticated caller comes without, and
// most courses need no extra read.
func (s *Server) courseViewer(r *http.Request, courses ...*examhall.Course) (*examhall.User, error) {
	viewer := caller(r)
	if viewer.Role != examhall.RoleStudent {
		return viewer, nil
	}
	for _, c := range courses {
		if c.RestrictedByBatches() {
			return s.Users.UserByID(r.Context(), viewer.ID)
		}
	}
	return viewer, nil
}

// Page sizes of the student course list.
const (
	coursesPageSize    = 20
	coursesMaxPageSize = 100
)

// listCourses is GET /api/v2.5/courses/: the courses the caller may see.
func (s *Server) listCourses(w http.ResponseWriter, r *http.Request) {
	page, err := drf.ParsePage(r.URL.Query(), coursesPageSize, coursesMaxPageSize)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	courses, err := s.Courses.CoursesFor(r.Context(), caller(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resolved, offset, err := page.Resolve(len(courses))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	onPage := courses[offset:min(offset+resolved.Size, len(courses))]
	viewer, err := s.courseViewer(r, onPage...)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	results := []courseOutput{}
	for _, c := range onPage { // each open to the caller (CoursesFor)
		results = append(results, s.courseOutput(c, viewer, true))
	}
	writeJSON(w, http.StatusOK, drf.NewEnvelope(s.requestURL(r), resolved, len(courses), results))
}

// contentAttemptOutput is a chapter content attempt as the student API shows it (SPEC §6).
type contentAttemptOutput struct {
	ID               int64           `json:"id"`
	ChapterContentID int64           `json:"chapter_content_id"`
	ContentType      string          `json:"content_type"`
	State            string          `json:"state"`
	Created          string          `json:"created"`
	CompletedOn      *string         `json:"completed_on"`
	Assessment       *studentAttempt `json:"assessment"`
}

func (s *Server) writeContentAttempt(w http.ResponseWriter, r *http.Request, status int, ca *examhall.ContentAttempt) {
	out := contentAttemptOutput{ID: ca.ID, ChapterContentID: ca.ChapterContentID, ContentType: ca.Type.Name(),
		State: ca.State.String(), Created: s.formatTime(ca.Created), CompletedOn: s.timePtr(ca.CompletedOn)}
	if ca.AttemptID != 0 {
		a, exam, placed, err := s.Attempts.AttemptPlaced(r.Context(), caller(r).ID, ca.AttemptID)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		sa := s.studentAttempt(r, a, exam, placed)
		out.Assessment = &sa
	}
	writeJSON(w, status, out)
}

// openContent is POST /api/v2.5/chapter-contents/<id>/attempts/: 201 with a
// new content attempt, or 200 with the open one.
func (s *Server) openContent(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	ca, created, err := s.Courses.OpenContent(r.Context(), caller(r).ID, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	s.writeContentAttempt(w, r, status, ca)
}

// contentStep is PUT /api/v2.5/content-attempts/<id>/{complete,join,leave}/.
func (s *Server) contentStep(step func(s *Server, r *http.Request, userID, id int64) (*examhall.ContentAttempt, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r, "id")
		if !ok {
			writeDetail(w, http.StatusNotFound, "Not found.")
			return
		}
		ca, err := step(s, r, caller(r).ID, id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		s.writeContentAttempt(w, r, http.StatusOK, ca)
	}
}

func completeStep(s *Server, r *http.Request, userID, id int64) (*examhall.ContentAttempt, error) {
	return s.Courses.CompleteContent(r.Context(), userID, id)
}

func joinStep(s *Server, r *http.Request, userID, id int64) (*examhall.ContentAttempt, error) {
	return s.Courses.Join(r.Context(), userID, id)
}

func leaveStep(s *Server, r *http.Request, userID, id int64) (*examhall.ContentAttempt, error) {
	return s.Courses.Leave(r.Context(), userID, id)
}

// videoProgressStep reads {"watched_percentage": 0–100, "position": seconds};
// the percentage may have a fraction (players report 89.99).
func videoProgressStep(s *Server, r *http.Request, userID, id int64) (*examhall.ContentAttempt, error) {
	var in struct {
		WatchedPercentage *float64 `json:"watched_percentage"`
		Position          int      `json:"position"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return nil, err
	}
	if in.WatchedPercentage == nil {
		return nil, fieldErr("watched_percentage", "This field is required.")
	}
	return s.Courses.VideoProgress(r.Context(), userID, id, *in.WatchedPercentage, in.Position)
}

// Page sizes of a video conference's attendance (SPEC §8.5).
const (
	attendancePageSize    = 20
	attendanceMaxPageSize = 1000
)

// attendanceRow is one attendee of a video conference.
type attendanceRow struct {
	Name      *string `json:"name"`
	Email     string  `json:"email"`
	JoinTime  *string `json:"join_time"`
	LeaveTime *string `json:"leave_time"`
	Duration  int     `json:"duration"`
}

// listAttendance is GET /api/v3/admin/attempts/<video conference id>/video-conference/.
func (s *Server) listAttendance(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	page, err := drf.ParsePage(r.URL.Query(), attendancePageSize, attendanceMaxPageSize)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var rows []examhall.Attendance
	var count int
	resolved, err := fetchPage(page, func(offset int) (int, error) {
		rows, count, err = s.Courses.Attendance(r.Context(), id, offset, page.Size)
		return count, err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	results := []attendanceRow{}
	for _, at := range rows {
		u := examhall.User{FirstName: at.FirstName, LastName: at.LastName}
		results = append(results, attendanceRow{Name: nonEmpty(u.FullName()), Email: at.Email,
			JoinTime: s.timePtr(at.JoinTime), LeaveTime: s.timePtr(at.LeaveTime), Duration: at.DurationSeconds})
	}
	writeJSON(w, http.StatusOK, drf.NewEnvelope(s.requestURL(r), resolved, count, results))
}

// patchCourse is PATCH /api/v2.5/admin/courses/<id>/: the course's own fields.
func (s *Server) patchCourse(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	var in struct {
		Slug        *string   `json:"slug"`
		Title       *string   `json:"title"`
		Description *string   `json:"description"`
		Image       *string   `json:"image"`
		Batches     *[]string `json:"batches"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	course, err := s.Courses.UpdateCourse(r.Context(), id, func(c *examhall.Course) error {
		set(&c.Slug, in.Slug)
		set(&c.Title, in.Title)
		set(&c.Description, in.Description)
		set(&c.Image, in.Image)
		set(&c.Batches, in.Batches)
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.courseOutput(course, caller(r), true))
}

func (s *Server) deleteCourse(r *http.Request, id int64) error {
	return s.Courses.DeleteCourse(r.Context(), id)
}
func (s *Server) deleteContent(r *http.Request, id int64) error {
	return s.Courses.DeleteContent(r.Context(), id)
}

// addChapter is POST /api/v2.5/admin/courses/<id>/chapters/: a chapter with
// its contents, appended.
func (s *Server) addChapter(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	var in bundle.Chapter
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	var failed error
	errs := examhall.FieldErrors{}
	ch := in.Chapter(s.location(), s.examResolver(r, &failed), errs, "")
	if failed == nil {
		failed = errs.Err()
	}
	if failed != nil {
		s.writeError(w, r, failed)
		return
	}
	if err := s.Courses.AddChapter(r.Context(), id, &ch); err != nil {
		s.writeError(w, r, err)
		return
	}
	course, err := s.Courses.CourseByID(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, s.courseOutput(course, caller(r), true))
}

// addContent is POST /api/v2.5/admin/chapters/<id>/contents/: one content, appended.
func (s *Server) addContent(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	var in bundle.Content
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	var failed error
	errs := examhall.FieldErrors{}
	cc := in.Content(s.location(), s.examResolver(r, &failed), errs, "")
	if failed == nil {
		failed = errs.Err()
	}
	if failed != nil {
		s.writeError(w, r, failed)
		return
	}
	if err := s.Courses.AddContent(r.Context(), id, &cc); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, s.contentOutput(&cc))
}

// patchChapter is PATCH /api/v2.5/admin/chapters/<id>/ {"title", "description", "order"}.
func (s *Server) patchChapter(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	var in struct {
		Title       *string `json:"title"`
		Description *string `json:"description"`
		Order       *int    `json:"order"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	ch, err := s.Courses.UpdateChapter(r.Context(), id, func(ch *examhall.Chapter) error {
		set(&ch.Title, in.Title)
		set(&ch.Description, in.Description)
		set(&ch.Order, in.Order)
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": ch.ID, "course_id": ch.CourseID, "order": ch.Order,
		"title": ch.Title, "description": ch.Description})
}

func (s *Server) deleteChapter(r *http.Request, id int64) error {
	return s.Courses.DeleteChapter(r.Context(), id)
}

// contentPatch is the body of PATCH /api/v2.5/admin/chapter-contents/<id>/:
// the content's fields, and those of what it points at, each optional.
type contentPatch struct {
	Type        *string         `json:"type"`
	Exam        *bundle.Ref     `json:"exam"`
	Title       *string         `json:"title"`
	Description *string         `json:"description"`
	FreePreview *bool           `json:"free_preview"`
	Start       json.RawMessage `json:"start"` // null clears it
	End         json.RawMessage `json:"end"`
	Order       *int            `json:"order"`
	Video       *struct {
		Title    *string `json:"title"`
		URL      *string `json:"url"`
		Duration *int    `json:"duration"`
	} `json:"video"`
	Attachment *struct {
		Title *string `json:"title"`
		URL   *string `json:"url"`
	} `json:"attachment"`
	Notes *struct {
		Title *string `json:"title"`
		HTML  *string `json:"html"`
	} `json:"notes"`
	VideoConference *struct {
		Title             *string `json:"title"`
		ConferenceID      *string `json:"conference_id"`
		Duration          *int    `json:"duration"`
		Provider          *string `json:"provider"`
		JoinURL           *string `json:"join_url"`
		Password          *string `json:"password"`
		AccessToken       *string `json:"access_token"`
		ShowRecordedVideo *bool   `json:"show_recorded_video"`
		State             *string `json:"state"`
	} `json:"video_conference"`
	LiveStream *struct {
		Title             *string `json:"title"`
		StreamURL         *string `json:"stream_url"`
		Duration          *int    `json:"duration"`
		ShowRecordedVideo *bool   `json:"show_recorded_video"`
		Status            *string `json:"status"`
		ChatEmbedURL      *string `json:"chat_embed_url"`
	} `json:"live_stream"`
}

// apply changes cc as the patch says, its exam the one the patch's exam
// resolved to (examID, or the field message examProblem); the store refuses
// a new type or exam.
func (in *contentPatch) apply(cc *examhall.ChapterContent, loc *time.Location, examID int64, examProblem string) error {
	errs := examhall.FieldErrors{}
	if in.Type != nil {
		t, ok := examhall.ContentTypeNamed(*in.Type)
		if !ok {
			errs.Add("type", examhall.InvalidChoice(*in.Type, examhall.ContentTypeChoices()))
		}
		cc.Type = t
	}
	if in.Exam != nil {
		if examProblem != "" {
			errs.Add("exam", examProblem)
		}
		cc.ExamID = examID
	}
	set(&cc.Title, in.Title)
	set(&cc.Description, in.Description)
	set(&cc.FreePreview, in.FreePreview)
	set(&cc.Order, in.Order)
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  **time.Time
	}{{"start", in.Start, &cc.Start}, {"end", in.End, &cc.End}} {
		var text *string
		nullable(errs, f.name, f.raw, &text)
		if len(f.raw) > 0 {
			*f.dst = drf.TimeField(errs, f.name, text, loc)
		}
	}
	if p, v := in.Video, cc.Video; p != nil && v != nil {
		set(&v.Title, p.Title)
		set(&v.URL, p.URL)
		set(&v.DurationSeconds, p.Duration)
	}
	if p, a := in.Attachment, cc.Attachment; p != nil && a != nil {
		set(&a.Title, p.Title)
		set(&a.URL, p.URL)
	}
	if p, n := in.Notes, cc.Notes; p != nil && n != nil {
		set(&n.Title, p.Title)
		set(&n.HTML, p.HTML)
	}
	if p, v := in.VideoConference, cc.VideoConference; p != nil && v != nil {
		set(&v.Title, p.Title)
		set(&v.ConferenceID, p.ConferenceID)
		set(&v.DurationMinutes, p.Duration)
		set(&v.Provider, p.Provider)
		set(&v.JoinURL, p.JoinURL)
		set(&v.Password, p.Password)
		set(&v.AccessToken, p.AccessToken)
		set(&v.ShowRecordedVideo, p.ShowRecordedVideo)
		set(&v.State, p.State)
	}
	if p, l := in.LiveStream, cc.LiveStream; p != nil && l != nil {
		set(&l.Title, p.Title)
		set(&l.StreamURL, p.StreamURL)
		set(&l.DurationMinutes, p.Duration)
		set(&l.ShowRecordedVideo, p.ShowRecordedVideo)
		set(&l.Status, p.Status)
		set(&l.ChatEmbedURL, p.ChatEmbedURL)
	}
	return errs.Err()
}

// patchContent is PATCH /api/v2.5/admin/chapter-contents/<id>/.
func (s *Server) patchContent(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	var in contentPatch
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	var failed error
	var examID int64
	var examProblem string
	if in.Exam != nil { // resolved before the write, which reads nothing else
		examID, examProblem = s.examResolver(r, &failed)(*in.Exam)
	}
	if failed != nil {
		s.writeError(w, r, failed)
		return
	}
	cc, err := s.Courses.UpdateContent(r.Context(), id, func(cc *examhall.ChapterContent) error {
		return in.apply(cc, s.location(), examID, examProblem)
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.contentOutput(cc))
}
