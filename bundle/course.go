package bundle

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/drf"
)

// Course is a course with its chapters of contents: one input shape for the
// bundle's courses and the authoring API's POST /api/v2.5/admin/courses/
// (Chapter for …/courses/<id>/chapters/, Content for …/chapters/<id>/contents/),
// read by one converter (Course.Course), so that both accept the same fields
// with the same defaults and the same errors (issue 12).
//
// The fields that GET /api/v2.5/admin/courses/<id>/ shows but nobody sets
// (id, created, modified; a chapter's id and order; a content's id, order
// and chapter_id; the id of what a content shows, a conference's
// has_recording_expired) are accepted and ignored, as DRF does with
// read-only fields, so that a course's own output can be sent back as a new
// course.
type Course struct {
	Slug        string    `json:"slug"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Image       string    `json:"image"`
	Batches     []string  `json:"batches"`
	Chapters    []Chapter `json:"chapters"`

	ID       json.RawMessage `json:"id"`
	Created  json.RawMessage `json:"created"`
	Modified json.RawMessage `json:"modified"`
}

// Chapter is a chapter of a course; its contents are in order.
type Chapter struct {
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Contents    []Content `json:"contents"`

	ID    json.RawMessage `json:"id"`
	Order json.RawMessage `json:"order"`
}

// Content is a chapter content. Type is a content type's name ("Video",
// examhall.ContentTypeChoices); the object of that type is given (exam for
// an Exam or Quiz: an exam's id or slug) and no other. Two fields have a
// second name, the one GET shows: content_type (type) and exam_id (exam); a
// content gives one of each pair. What a content shows takes the content's
// title when it has none of its own.
type Content struct {
	Type            *string          `json:"type"`
	ContentType     *string          `json:"content_type"`
	Title           string           `json:"title"`
	Description     string           `json:"description"`
	FreePreview     bool             `json:"free_preview"`
	Start           *string          `json:"start"`
	End             *string          `json:"end"`
	Exam            *Ref             `json:"exam"`
	ExamID          *Ref             `json:"exam_id"`
	Video           *Video           `json:"video"`
	Attachment      *Attachment      `json:"attachment"`
	Notes           *Notes           `json:"notes"`
	VideoConference *VideoConference `json:"video_conference"`
	LiveStream      *LiveStream      `json:"live_stream"`

	ID        json.RawMessage `json:"id"`
	Order     json.RawMessage `json:"order"`
	ChapterID json.RawMessage `json:"chapter_id"`
}

// Video is the video of a Video content.
type Video struct {
	Title           string `json:"title"`
	URL             string `json:"url"`
	DurationSeconds int    `json:"duration"`

	ID json.RawMessage `json:"id"`
}

// Attachment is the file of an Attachment content.
type Attachment struct {
	Title string `json:"title"`
	URL   string `json:"url"`

	ID json.RawMessage `json:"id"`
}

// Notes are the notes of a Notes content.
type Notes struct {
	Title string `json:"title"`
	HTML  string `json:"html"`

	ID json.RawMessage `json:"id"`
}

// VideoConference is the class of a VideoConference content; State is what
// its provider last said of it ("" until then).
type VideoConference struct {
	Title             string  `json:"title"`
	ConferenceID      string  `json:"conference_id"`
	Provider          string  `json:"provider"`
	Start             *string `json:"start"`
	DurationMinutes   int     `json:"duration"`
	JoinURL           string  `json:"join_url"`
	Password          string  `json:"password"`
	AccessToken       string  `json:"access_token"`
	ShowRecordedVideo bool    `json:"show_recorded_video"`
	State             string  `json:"state"`

	ID                  json.RawMessage `json:"id"`
	HasRecordingExpired json.RawMessage `json:"has_recording_expired"`
}

// LiveStream is the stream of a LiveStream content; Status is what its
// provider last said of it ("" until then).
type LiveStream struct {
	Title             string `json:"title"`
	StreamURL         string `json:"stream_url"`
	DurationMinutes   int    `json:"duration"`
	ShowRecordedVideo bool   `json:"show_recorded_video"`
	Status            string `json:"status"`
	ChatEmbedURL      string `json:"chat_embed_url"`

	ID json.RawMessage `json:"id"`
}

// Course converts the input to a domain course. Fields that do not parse
// are recorded in errs, keyed from the course ("chapters[0].contents[1].start");
// the domain (examhall.Course.Validate, through Check) checks the rest.
// exam resolves the exams of Exam and Quiz contents; times without an
// offset are read in loc.
func (in *Course) Course(loc *time.Location, exam Resolve, errs examhall.FieldErrors) *examhall.Course {
	c := &examhall.Course{Slug: in.Slug, Title: in.Title, Description: in.Description, Image: in.Image, Batches: in.Batches}
	if c.Batches == nil {
		c.Batches = []string{}
	}
	for i := range in.Chapters {
		c.Chapters = append(c.Chapters, in.Chapters[i].Chapter(loc, exam, errs, fmt.Sprintf("chapters[%d].", i)))
	}
	return c
}

// Chapter converts one chapter as Course does, its errors keyed after at.
func (in *Chapter) Chapter(loc *time.Location, exam Resolve, errs examhall.FieldErrors, at string) examhall.Chapter {
	ch := examhall.Chapter{Title: in.Title, Description: in.Description}
	for j := range in.Contents {
		ch.Contents = append(ch.Contents, in.Contents[j].Content(loc, exam, errs, fmt.Sprintf("%scontents[%d].", at, j)))
	}
	return ch
}

// Content converts one content as Course does, its errors keyed after at.
// A missing or unknown type is reported here; an object of another type
// than the content's is an error on that object, not dropped silently.
func (in *Content) Content(loc *time.Location, exam Resolve, errs examhall.FieldErrors, at string) examhall.ChapterContent {
	name := oneOf(errs, at, "type", in.Type, "content_type", in.ContentType)
	t, ok := examhall.ContentTypeNamed(deref(name))
	switch {
	case name == nil:
		errs.Add(at+"type", "This field is required.")
	case !ok:
		errs.Add(at+"type", examhall.InvalidChoice(*name, examhall.ContentTypeChoices()))
	}
	cc := examhall.ChapterContent{Title: in.Title, Description: in.Description, Type: t, FreePreview: in.FreePreview,
		Start: drf.TimeField(errs, at+"start", in.Start, loc), End: drf.TimeField(errs, at+"end", in.End, loc)}
	// mine tells whether an object given under field belongs to the
	// content's type; one that does not is reported (an unknown type is
	// reported already).
	mine := func(given bool, field string, of ...examhall.ContentType) bool {
		if !given || !ok {
			return false
		}
		for _, o := range of {
			if t == o {
				return true
			}
		}
		errs.Add(at+field, fmt.Sprintf("A %s content has no %s.", t.Name(), field))
		return false
	}
	title := func(own string) string {
		if own == "" {
			return in.Title
		}
		return own
	}
	if ref := oneOf(errs, at, "exam", in.Exam, "exam_id", in.ExamID); mine(ref != nil, "exam", examhall.ContentExam, examhall.ContentQuiz) {
		id, problem := exam(*ref)
		if problem != "" {
			errs.Add(at+"exam", problem)
		}
		cc.ExamID = id
	}
	if v := in.Video; mine(v != nil, "video", examhall.ContentVideo) {
		cc.Video = &examhall.Video{Title: title(v.Title), URL: v.URL, DurationSeconds: v.DurationSeconds}
	}
	if a := in.Attachment; mine(a != nil, "attachment", examhall.ContentAttachment) {
		cc.Attachment = &examhall.Attachment{Title: title(a.Title), URL: a.URL}
	}
	if n := in.Notes; mine(n != nil, "notes", examhall.ContentNotes) {
		cc.Notes = &examhall.Notes{Title: title(n.Title), HTML: n.HTML}
	}
	if v := in.VideoConference; mine(v != nil, "video_conference", examhall.ContentVideoConference) {
		cc.VideoConference = &examhall.VideoConference{Title: title(v.Title), ConferenceID: v.ConferenceID,
			Provider: v.Provider, Start: drf.TimeField(errs, at+"video_conference.start", v.Start, loc),
			DurationMinutes: v.DurationMinutes, JoinURL: v.JoinURL, Password: v.Password, AccessToken: v.AccessToken,
			ShowRecordedVideo: v.ShowRecordedVideo, State: v.State}
	}
	if l := in.LiveStream; mine(l != nil, "live_stream", examhall.ContentLiveStream) {
		cc.LiveStream = &examhall.LiveStream{Title: title(l.Title), StreamURL: l.StreamURL, DurationMinutes: l.DurationMinutes,
			ShowRecordedVideo: l.ShowRecordedVideo, Status: l.Status, ChatEmbedURL: l.ChatEmbedURL}
	}
	return cc
}

// ExamResolver resolves the exam of an Exam or Quiz content: an id as it
// is (the store refuses one that names no exam, with DRF's "Invalid pk"),
// a slug by find, which returns an exam's id or an ENOTFOUND error. An error
// of find other than ENOTFOUND is kept in *failed (the first one), for the
// caller to return after the conversion. It is the one resolver of the
// bundle and the authoring API, so that both say the same of an unknown slug.
func ExamResolver(find func(slug string) (int64, error), failed *error) Resolve {
	return func(r Ref) (int64, string) {
		if r.Key == "" {
			return r.ID, ""
		}
		id, err := find(r.Key)
		switch {
		case examhall.ErrorCodeOf(err) == examhall.ENOTFOUND:
			return 0, fmt.Sprintf("No exam with the slug %q.", r.Key)
		case err != nil:
			if *failed == nil {
				*failed = err
			}
			return 0, ""
		}
		return id, ""
	}
}

// CourseAt is course i as a domain course, its exams resolved by exam;
// the error is the conversion's (EINVALID), keyed by record as Parse keys
// them. The domain's rules were checked by Parse.
func (b *Bundle) CourseAt(i int, exam Resolve) (*examhall.Course, error) {
	errs := examhall.FieldErrors{}
	c := b.Courses[i].Course(b.Location(), exam, errs)
	return c, b.RecordError(drf.Path{"courses", i}, errs.Err())
}

// anyExam stands in for the exams while the bundle is checked on its own:
// a slug may name an exam of the bundle or of the database, which the
// import resolves (CourseAt); an id, the store checks.
func anyExam(r Ref) (int64, string) {
	if r.Key != "" {
		return 1, ""
	}
	return r.ID, ""
}
