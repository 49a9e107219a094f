package exports_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/exports"
	"github.com/examhall/examhall/sqlstore"
)

// fakeAttempts is a ReportStore of n generated attempts, newest first (the
// list's default -date ordering), read in keyset pages as the store reads
// them, without a database: the benchmark measures the exporter alone.
type fakeAttempts struct {
	examhall.ReportStore
	n int64
}

var base = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func (f *fakeAttempts) AttemptList(_ context.Context, filter examhall.AttemptFilter) (examhall.AttemptListPage, error) {
	from := f.n // ids run from n down to 1, dates with them
	if len(filter.After) == 2 {
		from = filter.After[1] - 1
	}
	var rows []examhall.AttemptRow
	end := time.Hour
	for id := from; id > 0 && len(rows) < filter.Limit; id-- {
		at := base.Add(time.Duration(id) * time.Second)
		rows = append(rows, examhall.AttemptRow{Attempt: examhall.Attempt{ID: id, ExamID: id % 50, UserID: id % 2000,
			Date: at, State: examhall.AttemptCompleted, Correct: 12, Incorrect: 3, Unanswered: 5, Score: decimal.Decimal(4425),
			Percentage: decimal.Decimal(7375), TimeTaken: 40 * time.Minute, Result: "Pass", LastStartedTime: &at,
			LastAnswerUpdatedTime: &at, Speed: 80},
			Email: fmt.Sprintf("student%d@example.com", id%2000), FirstName: "Student", LastName: fmt.Sprint(id % 2000),
			Phone: "9000000000", ExamDuration: &end})
	}
	return examhall.AttemptListPage{Rows: rows, Count: int(f.n), Snapshot: f.n}, nil
}

// memJobs is an ExportStore of one job in memory.
type memJobs struct {
	mu       sync.Mutex
	job      examhall.Export
	progress []int // every progress written
}

func (m *memJobs) CreateExport(_ context.Context, e *examhall.Export) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e.ID, e.State = 1, examhall.ExportQueued
	m.job = *e
	return nil
}
func (m *memJobs) Export(context.Context, int64) (*examhall.Export, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.job
	return &e, nil
}
func (m *memJobs) Exports(context.Context, int, int) ([]examhall.Export, int, error) {
	return nil, 0, nil
}
func (m *memJobs) ClaimExport(context.Context) (*examhall.Export, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.job.State != examhall.ExportQueued {
		return nil, examhall.Errorf(examhall.ENOTFOUND, "none")
	}
	m.job.State = examhall.ExportRunning
	e := m.job
	return &e, nil
}
func (m *memJobs) ExportProgress(_ context.Context, _ int64, progress int, rows int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.job.Progress, m.job.Rows = progress, rows
	m.progress = append(m.progress, progress)
	return nil
}
func (m *memJobs) FinishExport(_ context.Context, _ int64, state examhall.ExportState, rows int64, errText string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.job.State, m.job.Rows, m.job.Error = state, rows, errText
	return nil
}
func (m *memJobs) FailUnfinishedExports(context.Context, string) (int, error) { return 0, nil }
func (m *memJobs) PruneExports(context.Context, time.Time) ([]examhall.Export, error) {
	return nil, nil
}

type utc struct{}

func (utc) Institute() examhall.Institute { return examhall.Institute{Location: time.UTC} }

// peakHeap runs fn while sampling the heap every millisecond and returns the
// most heap in use (live objects and garbage not yet collected) above what
// was in use before, in bytes.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	fn()
	close(stop)
	<-done
	if peak.Load() < before.HeapAlloc {
		return 0
	}
	return peak.Load() - before.HeapAlloc
}

// runJob exports with svc and fails tb unless the job is done with rows.
func runJob(tb testing.TB, svc *exports.Service, jobs examhall.ExportStore, format, query string, rows int64) {
	tb.Helper()
	ctx := context.Background()
	kind := examhall.ExportKindAttempts
	e, err := svc.Create(ctx, exports.Request{Kind: &kind, Format: &format, Query: &query, LinkBase: "https://exams.example.com/api/v2.5/admin/"})
	if err != nil {
		tb.Fatal(err)
	}
	if !svc.RunOnce(ctx) {
		tb.Fatal("no job ran")
	}
	if e, err = jobs.Export(ctx, e.ID); err != nil || e.State != examhall.ExportDone || (rows >= 0 && e.Rows != rows) {
		tb.Fatalf("job %+v %v, want done with %d rows", e, err, rows)
	}
}

// BenchmarkExportMemory: the heap an export needs does not grow with its
// rows (run with -benchtime=1x; see the peak-heap-MB metric).
func BenchmarkExportMemory(b *testing.B) {
	for _, format := range []string{"csv", "xlsx"} {
		for _, n := range []int64{10_000, 100_000, 1_000_000} {
			b.Run(fmt.Sprintf("%s/%d", format, n), func(b *testing.B) {
				for range b.N {
					dir := b.TempDir()
					jobs := &memJobs{}
					svc := exports.New(jobs, &fakeAttempts{n: n}, utc{}, exports.Options{Dir: dir})
					peak := peakHeap(func() { runJob(b, svc, jobs, format, "", n) })
					b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
					if st, err := os.Stat(filepath.Join(dir, "attempts-1."+format)); err == nil {
						b.ReportMetric(float64(st.Size())/(1<<20), "file-MB")
					}
				}
			})
		}
	}
}

// TestExportDatabase measures an export of a real database, such as a big
// demo one (`examhall demo --db big.db --attempts 1000000`): set
// EXAMHALL_EXPORT_DB to its path (and EXAMHALL_EXPORT_QUERY to a §8.1
// query). It reports the time, the rows and the peak heap of each format.
func TestExportDatabase(t *testing.T) {
	dsn := os.Getenv("EXAMHALL_EXPORT_DB")
	if dsn == "" {
		t.Skip("EXAMHALL_EXPORT_DB is not set")
	}
	db, err := sqlstore.Open(context.Background(), dsn, examhall.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"csv", "xlsx"} {
		dir := t.TempDir()
		svc := exports.New(db, db, utc{}, exports.Options{Dir: dir})
		start := time.Now()
		peak := peakHeap(func() { runJob(t, svc, db, format, os.Getenv("EXAMHALL_EXPORT_QUERY"), -1) })
		list, _, _ := db.Exports(context.Background(), 0, 1)
		st, _ := os.Stat(filepath.Join(dir, exports.FileName(&list[0])))
		t.Logf("%s: %d rows in %s, file %.1f MB, peak heap %.1f MB", format, list[0].Rows,
			time.Since(start).Round(time.Millisecond), float64(st.Size())/(1<<20), float64(peak)/(1<<20))
	}
}

// stoppingAttempts cancels the job's context as it reads the second page:
// the server stopping in the middle of a job.
type stoppingAttempts struct {
	fakeAttempts
	cancel context.CancelFunc
	pages  int
}

func (s *stoppingAttempts) AttemptList(ctx context.Context, f examhall.AttemptFilter) (examhall.AttemptListPage, error) {
	if s.pages++; s.pages == 2 {
		s.cancel()
		return examhall.AttemptListPage{}, ctx.Err()
	}
	return s.fakeAttempts.AttemptList(ctx, f)
}

// TestStoppedJobFails: a job running when the server stops fails with an
// error that says so, and leaves no file, whole or partial.
func TestStoppedJobFails(t *testing.T) {
	dir := t.TempDir()
	jobs := &memJobs{}
	ctx, cancel := context.WithCancel(context.Background())
	svc := exports.New(jobs, &stoppingAttempts{fakeAttempts: fakeAttempts{n: 5000}, cancel: cancel}, utc{}, exports.Options{Dir: dir})
	kind, format, query := "attempts", "xlsx", ""
	if _, err := svc.Create(ctx, exports.Request{Kind: &kind, Format: &format, Query: &query}); err != nil {
		t.Fatal(err)
	}
	if !svc.RunOnce(ctx) {
		t.Fatal("no job ran")
	}
	e, _ := jobs.Export(context.Background(), 1)
	if e.State != examhall.ExportFailed || e.Error != exports.ErrTextStopped || e.Rows != 1000 {
		t.Errorf("stopped job: %+v", e)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("files left: %v", left)
	}
}

// TestProgress: a running job's progress climbs with the rows written,
// below 100 until the job is done (the last page, full, is not known to be
// the last until the next one comes back empty).
func TestProgress(t *testing.T) {
	jobs := &memJobs{}
	svc := exports.New(jobs, &fakeAttempts{n: 5000}, utc{}, exports.Options{Dir: t.TempDir(), ProgressEvery: time.Nanosecond})
	runJob(t, svc, jobs, "csv", "", 5000)
	if want := []int{20, 40, 60, 80, 99}; !slices.Equal(jobs.progress, want) {
		t.Errorf("progress written %v, want %v", jobs.progress, want)
	}
}
