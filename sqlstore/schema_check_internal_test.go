package sqlstore

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// TestReferenceOutlineNeedsNoFiles: the reference schema is built in memory,
// so that migrate and serve work on a read-only filesystem (where no
// temporary directory can be made).
func TestReferenceOutlineNeedsNoFiles(t *testing.T) {
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "absent"))
	outline, err := buildReferenceOutline(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"login_failures.last_failure",
		"attempts#attempts_one_running unique partial (user_id, exam_id)",
		"user_videos#user_videos_user unique (user_id, video_id)",
		"attempts#attempts_exam_state_date (exam_id, state, date, id)",
	} {
		if !slices.Contains(outline, want) {
			t.Errorf("the reference outline lacks %q: %v", want, outline)
		}
	}
}
