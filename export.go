package examhall

import (
	"context"
	"time"
)

// ExportState is where an export job stands (issue 14, part 5).
type ExportState int

// The export states; the numbers are stored.
const (
	ExportQueued  ExportState = 0
	ExportRunning ExportState = 1
	ExportDone    ExportState = 2
	ExportFailed  ExportState = 3
)

var exportStateNames = [...]string{"queued", "running", "done", "failed"}

// String is the state as the API shows it: queued, running, done or failed.
func (s ExportState) String() string { return exportStateNames[s] }

// Finished reports whether the job will change no more (done or failed).
func (s ExportState) Finished() bool { return s == ExportDone || s == ExportFailed }

// The kinds and formats of export jobs.
const (
	ExportKindAttempts = "attempts" // the admin attempts list, SPEC §8.1
	ExportCSV          = "csv"
	ExportXLSX         = "xlsx"
)

// Export is an export job: a list written to a file in the background.
type Export struct {
	ID     int64
	Kind   string // ExportKindAttempts
	Format string // ExportCSV or ExportXLSX
	// Query is the list's query string as the client gave it (SPEC §8.1's
	// parameters; paging ones are ignored).
	Query string
	// LinkBase is the public address of the admin API when the job was
	// asked for ("https://host/api/v2.5/admin/"): the prefix of the rows'
	// exam_url and user_url, which a background job has no request to take
	// it from.
	LinkBase  string
	CreatedBy int64 // the admin's user id
	State     ExportState
	Progress  int   // percent of the rows written, 0 to 100 (100 only when done)
	Rows      int64 // rows written so far
	Error     string
	Created   time.Time
	Started   *time.Time
	Finished  *time.Time
}

// ExportStore keeps export jobs. The files are the exports package's.
type ExportStore interface {
	// CreateExport stores e as a new queued job and sets its ID, State and
	// Created.
	CreateExport(ctx context.Context, e *Export) error
	// Export returns the job. Returns ENOTFOUND if there is none with id.
	Export(ctx context.Context, id int64) (*Export, error)
	// Exports returns a page of the jobs, newest first, and how many there are.
	Exports(ctx context.Context, offset, limit int) ([]Export, int, error)
	// ClaimExport marks the oldest queued job running and returns it.
	// Returns ENOTFOUND if none is queued.
	ClaimExport(ctx context.Context) (*Export, error)
	// ExportProgress records a running job's progress (percent) and rows
	// written. Returns ENOTFOUND if the job is not running.
	ExportProgress(ctx context.Context, id int64, progress int, rows int64) error
	// FinishExport ends a running job: done (progress 100) with rows, or
	// failed with the reason errText. Returns ENOTFOUND if the job is not
	// running.
	FinishExport(ctx context.Context, id int64, state ExportState, rows int64, errText string) error
	// FailUnfinishedExports fails every queued or running job with errText
	// and returns how many: a new process runs none of an earlier one's.
	FailUnfinishedExports(ctx context.Context, errText string) (int, error)
	// PruneExports deletes the jobs finished before before and returns them,
	// so that their files can be removed.
	PruneExports(ctx context.Context, before time.Time) ([]Export, error)
}
