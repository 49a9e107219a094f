package bundleimport

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/bundle"
	"github.com/examhall/examhall/drf"
)

// courses creates the bundle's courses, leaves equal ones alone, and rebuilds
// changed ones that nobody has made progress in; a changed course with
// progress is refused (its learners' records hang on its contents).
func (imp *importer) courses(ctx context.Context) error {
	var lookupErr error
	stored := map[string]int64{} // exams outside the bundle, by slug
	exam := bundle.ExamResolver(func(slug string) (int64, error) {
		if e, ok := imp.examsBySlug[slug]; ok {
			return e.ID, nil
		}
		if id, ok := stored[slug]; ok {
			return id, nil
		}
		e, err := imp.tx.ExamBySlug(ctx, slug)
		if err != nil {
			return 0, err
		}
		stored[slug] = e.ID
		return e.ID, nil
	}, &lookupErr)
	for i, in := range imp.b.Courses {
		at := fmt.Sprintf("courses[%d] %q.", i, in.Slug)
		record := drf.Path{"courses", i}
		want, err := imp.b.CourseAt(i, exam)
		if lookupErr != nil {
			return lookupErr
		}
		if err != nil {
			return err
		}
		have, err := imp.tx.CourseBySlug(ctx, in.Slug)
		if examhall.ErrorCodeOf(err) == examhall.ENOTFOUND {
			if err := imp.tx.CreateCourse(ctx, want); err != nil {
				return imp.b.RecordError(record, err)
			}
			imp.summary.count("courses", true, false)
			continue
		}
		if err != nil {
			return err
		}
		if courseShape(have) == courseShape(want) {
			imp.summary.count("courses", false, false)
			continue
		}
		progress, err := imp.tx.CourseProgress(ctx, have.ID)
		if err != nil {
			return err
		}
		if progress > 0 {
			return fieldError(at+"chapters", "Students have made progress in this course: an import cannot change it.")
		}
		want.ID = have.ID
		if err := imp.tx.ReplaceCourse(ctx, want); err != nil {
			return imp.b.RecordError(record, err)
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
