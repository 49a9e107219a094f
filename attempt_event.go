package examhall

import (
	"context"
	"encoding/json"
	"time"
)

// AttemptEventType names an event of an attempt's timeline (issue 16 §3).
type AttemptEventType string

// The events the server records, each in the transaction of the change it
// records. data (AttemptEvent.Data) holds, as applies:
//   - TimelinePaused: {} — at is the instant the running interval closed,
//     its last activity (SPEC §5), recorded when the next touch (an
//     activity, or the touch that completes the attempt, the sweep's too)
//     discovers that the idle limit passed;
//   - TimelineHeartbeatGap: {"gap": whole seconds from the last activity to
//     this one} — recorded with the activity that ends a gap longer than
//     the idle limit, right after the paused event of that gap and before
//     the resumed event the activity opens (all in one transaction);
//   - TimelineResumed: {} — a new running interval opened (by a resume, a
//     heartbeat or an answer save after a pause; SPEC §5: each of them
//     reopens the interval);
//   - TimelineAnswerSaved: {"exam_question_id", "answer": {"selected_answers",
//     "short_text", "numeric_value", "essay_text"} as stored after the save
//     and as the student API shows them, "duration_added": seconds};
//   - TimelineReviewMarked / TimelineReviewCleared: {"exam_question_id"} — a
//     save that changes only the review flag records one of these instead
//     of answer_saved; one that changes the flag and saves an answer or a
//     duration records both (answer_saved first);
//   - TimelineCompleted: {"by": one of the CompletedBy values};
//   - TimelineGraded: {"by": the grader's user id, "exam_question_id",
//     "marks": two-decimal string};
//   - TimelineRegraded: {"old_score", "new_score"}: two-decimal strings, when
//     a change of the exam (its key, its marks) changed the score.
const (
	TimelineStarted       AttemptEventType = "started"
	TimelineResumed       AttemptEventType = "resumed"
	TimelinePaused        AttemptEventType = "paused"
	TimelineHeartbeatGap  AttemptEventType = "heartbeat_gap"
	TimelineAnswerSaved   AttemptEventType = "answer_saved"
	TimelineReviewMarked  AttemptEventType = "review_marked"
	TimelineReviewCleared AttemptEventType = "review_cleared"
	TimelineCompleted     AttemptEventType = "completed"
	TimelineGraded        AttemptEventType = "graded"
	TimelineRegraded      AttemptEventType = "regraded"
)

// The integrity signals an exam room reports (source client, data {}).
const (
	TimelineFocusLost      AttemptEventType = "focus_lost"
	TimelineFocusGained    AttemptEventType = "focus_gained"
	TimelineFullscreenExit AttemptEventType = "fullscreen_exit"
	TimelineCopy           AttemptEventType = "copy"
	TimelinePaste          AttemptEventType = "paste"
)

// ClientEventTypes are the events a student's client may report, in the
// order the API documents them.
var ClientEventTypes = []AttemptEventType{TimelineFocusLost, TimelineFocusGained, TimelineFullscreenExit,
	TimelineCopy, TimelinePaste}

// IsClientEvent tells whether a client may report events of type t.
func IsClientEvent(t AttemptEventType) bool {
	for _, c := range ClientEventTypes {
		if c == t {
			return true
		}
	}
	return false
}

// Why an attempt completed: the value of a completed event's "by".
const (
	CompletedByStudent = "student"  // the student ended it
	CompletedByTimeUp  = "time_up"  // a touch found its duration used up
	CompletedByEndDate = "end_date" // a touch found its exam's end date passed
	CompletedBySweep   = "sweep"    // the background sweep found it run out (either way)
)

// EventSource says who reported an event.
type EventSource string

// The event sources.
const (
	SourceServer EventSource = "server"
	SourceClient EventSource = "client"
)

// Bounds of what a client reports, so that the signals of one attempt stay a
// few hundred rows however the client behaves.
const (
	// MaxClientEventsPerMinute is how many client events one attempt may
	// record in any 60 seconds; one more is ETHROTTLED.
	MaxClientEventsPerMinute = 30
	// MaxClientEventsPerAttempt is how many client events one attempt may
	// record in all; one more is ETHROTTLED, with no RetryAfter.
	MaxClientEventsPerAttempt = 500
)

// AttemptEvent is one event of an attempt's timeline. ID is unique across
// attempts; At is when it happened (server time; for paused, the instant
// the interval closed); Data is a JSON object, as AttemptEventType's
// constants describe.
type AttemptEvent struct {
	ID        int64
	AttemptID int64
	Type      AttemptEventType
	At        time.Time
	Source    EventSource
	Data      json.RawMessage
}

// TimelineStore keeps each attempt's timeline.
type TimelineStore interface {
	// AttemptEvents returns at most limit of the attempt's events from
	// offset, in order of At then ID, and how many the attempt has.
	// Returns ENOTFOUND if there is no such attempt.
	AttemptEvents(ctx context.Context, attemptID int64, offset, limit int) ([]AttemptEvent, int, error)
	// RecordClientEvent records an event of type t (one of
	// ClientEventTypes) reported by the student's client of the user's
	// running attempt, and returns it. It is not activity: the attempt's
	// clock is not moved. Returns ENOTFOUND if there is no such attempt or
	// it is another user's; EINVALID for a type a client may not report
	// (Fields["type"]), or an attempt completed (or run out, which is
	// then completed); ETHROTTLED past MaxClientEventsPerMinute (RetryAfter:
	// until the oldest of the minute leaves it) or MaxClientEventsPerAttempt.
	RecordClientEvent(ctx context.Context, userID, attemptID int64, t AttemptEventType) (*AttemptEvent, error)
}
