// Package exports writes the admin attempts list (SPEC §8.1) to CSV and XLSX
// files in the background (issue 14, part 5). A Service validates and queues
// jobs, which it keeps in an examhall.ExportStore, and runs them one at a time
// (Run): the rows are read in keyset pages at one snapshot and written
// straight to a file, so that memory does not grow with the number of rows.
// Each row is rendered by attemptlist, as the API renders it.
//
// Jobs survive nothing more than they must: Recover, called when a process
// starts, fails the jobs an earlier process left queued or running, and
// finished jobs are deleted with their files after Options.Retention.
package exports

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/attemptlist"
)

// Options configure a Service; zero values take the defaults in brackets.
type Options struct {
	Dir           string        // where the files are written (required; created when missing)
	Retention     time.Duration // how long a finished job and its file are kept [24h]
	PageSize      int           // rows read at once [1000]
	PruneInterval time.Duration // how often Run deletes jobs past retention [10m]
	// ProgressEvery is the least time between two progress writes of a
	// running job [1s].
	ProgressEvery time.Duration
	Clock         examhall.Clock
	Logger        *slog.Logger
}

// Service runs export jobs.
type Service struct {
	store     examhall.ExportStore
	reports   examhall.ReportStore
	institute examhall.InstituteSource
	opts      Options
	wake      chan struct{}
}

// New returns a service that keeps its jobs in store and reads the attempts
// from reports, rendering dates in institute's time zone.
func New(store examhall.ExportStore, reports examhall.ReportStore, institute examhall.InstituteSource, opts Options) *Service {
	if opts.Retention <= 0 {
		opts.Retention = 24 * time.Hour
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 1000
	}
	if opts.PruneInterval <= 0 {
		opts.PruneInterval = 10 * time.Minute
	}
	if opts.ProgressEvery <= 0 {
		opts.ProgressEvery = time.Second
	}
	if opts.Clock == nil {
		opts.Clock = examhall.SystemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, reports: reports, institute: institute, opts: opts, wake: make(chan struct{}, 1)}
}

// The errors a failed job shows. They say what to do, since the client
// cannot see the logs.
const (
	ErrTextRestarted = "The server restarted while this export was queued or running; export again."
	ErrTextStopped   = "The server stopped while this export was running; export again."
	ErrTextInternal  = "The export failed with a server error; export again, and tell the administrator if it fails again."
)

// Request is what POST /api/v2.5/admin/exports/ asks for; nil is absent.
type Request struct {
	Kind   *string
	Format *string
	Query  *string // SPEC §8.1's query string, with or without its "?"; absent is ""
	// CreatedBy is the admin's user id; LinkBase the admin API's public
	// address (see examhall.Export).
	CreatedBy int64
	LinkBase  string
}

// pagingParams are the list's paging parameters, which an export ignores:
// it writes every row, at a snapshot of its own.
var pagingParams = []string{"page", "page_size", "per_page", "cursor", "snapshot"}

// parseQuery reads an export's query as the list reads its own.
func parseQuery(query string, loc *time.Location) (examhall.AttemptFilter, error) {
	q, err := url.ParseQuery(strings.TrimPrefix(query, "?"))
	if err != nil {
		return examhall.AttemptFilter{}, &examhall.Error{Code: examhall.EINVALID, Message: "Invalid input.",
			Fields: map[string][]string{"query": {"Enter a valid query string."}}}
	}
	for _, name := range pagingParams {
		q.Del(name)
	}
	f, err := attemptlist.ParseFilter(q, loc)
	return f, examhall.PrefixFields("query.", err)
}

// Create validates req and queues its job. Returns EINVALID with every
// field's errors at once (kind, format, query or query.<parameter> for a
// filter the list refuses); nothing is stored then.
func (s *Service) Create(ctx context.Context, req Request) (*examhall.Export, error) {
	errs := examhall.FieldErrors{}
	choice := func(field string, v *string, choices ...string) string {
		switch {
		case v == nil:
			errs.Add(field, "This field is required.")
		case !slices.Contains(choices, *v):
			errs.Add(field, strconv.Quote(*v)+" is not a valid choice.")
		default:
			return *v
		}
		return ""
	}
	kind := choice("kind", req.Kind, examhall.ExportKindAttempts)
	format := choice("format", req.Format, examhall.ExportCSV, examhall.ExportXLSX)
	query := ""
	if req.Query != nil {
		query = *req.Query
	}
	if _, err := parseQuery(query, s.institute.Institute().Location); err != nil {
		var e *examhall.Error
		if !errors.As(err, &e) {
			return nil, err
		}
		for field, msgs := range e.Fields {
			errs[field] = append(errs[field], msgs...)
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	e := &examhall.Export{Kind: kind, Format: format, Query: query, LinkBase: req.LinkBase, CreatedBy: req.CreatedBy}
	if err := s.store.CreateExport(ctx, e); err != nil {
		return nil, err
	}
	select { // wake Run; a wake already pending will do
	case s.wake <- struct{}{}:
	default:
	}
	return e, nil
}

// Get returns a job. Returns ENOTFOUND if there is none with id.
func (s *Service) Get(ctx context.Context, id int64) (*examhall.Export, error) {
	return s.store.Export(ctx, id)
}

// List returns a page of the jobs, newest first, and how many there are.
func (s *Service) List(ctx context.Context, offset, limit int) ([]examhall.Export, int, error) {
	return s.store.Exports(ctx, offset, limit)
}

// FileName is the name of a job's file: attempts-<id>.csv or .xlsx.
func FileName(e *examhall.Export) string {
	return e.Kind + "-" + strconv.FormatInt(e.ID, 10) + "." + e.Format
}

// ContentType is the media type of a file of format.
func ContentType(format string) string {
	if format == examhall.ExportXLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Open returns a done job's file, open for reading, and the job; the caller
// closes it. Returns ENOTFOUND if there is no such job (or its file is
// gone), ECONFLICT if it is not done.
func (s *Service) Open(ctx context.Context, id int64) (*os.File, *examhall.Export, error) {
	e, err := s.store.Export(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	switch e.State {
	case examhall.ExportDone:
	case examhall.ExportFailed:
		return nil, nil, examhall.Errorf(examhall.ECONFLICT, "This export failed; there is no file to download. Export again.")
	default:
		return nil, nil, examhall.Errorf(examhall.ECONFLICT, "This export is %s (%d%%); download it when its state is done.",
			e.State, e.Progress)
	}
	f, err := os.Open(filepath.Join(s.opts.Dir, FileName(e)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, examhall.Errorf(examhall.ENOTFOUND, "This export's file is gone; export again.")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("open export %d: %w", id, err)
	}
	return f, e, nil
}

// Recover makes the exports directory and fails every job an earlier
// process left queued or running, with ErrTextRestarted: a process runs
// only the jobs asked of it. Their partial files are removed. Call it once,
// before serving.
func (s *Service) Recover(ctx context.Context) error {
	if err := os.MkdirAll(s.opts.Dir, 0o700); err != nil {
		return fmt.Errorf("exports directory: %w", err)
	}
	n, err := s.store.FailUnfinishedExports(ctx, ErrTextRestarted)
	if err != nil {
		return err
	}
	if n > 0 {
		s.opts.Logger.Warn("exports: failed the jobs an earlier process left unfinished", "jobs", n)
	}
	partial, err := filepath.Glob(filepath.Join(s.opts.Dir, "*"+partSuffix))
	if err != nil {
		return err
	}
	for _, p := range partial {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// Run runs the queued jobs one at a time until ctx ends, and deletes the
// jobs past retention with their files every PruneInterval. It looks for
// queued jobs when Create wakes it, not on a timer: a process runs the jobs
// asked of it (Recover failed the others). A job running when ctx ends
// fails with ErrTextStopped.
func (s *Service) Run(ctx context.Context) {
	prune := time.NewTicker(s.opts.PruneInterval)
	defer prune.Stop()
	s.Prune(ctx)
	for {
		for ctx.Err() == nil && s.RunOnce(ctx) {
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-prune.C:
			s.Prune(ctx)
		}
	}
}

// RunOnce runs the oldest queued job, if any, to its end; it reports
// whether there was one.
func (s *Service) RunOnce(ctx context.Context) bool {
	e, err := s.store.ClaimExport(ctx)
	if examhall.ErrorCodeOf(err) == examhall.ENOTFOUND {
		return false
	}
	if err != nil {
		if ctx.Err() == nil {
			s.opts.Logger.Error("exports: claiming a job", "err", err)
		}
		return false
	}
	s.run(ctx, e)
	return true
}

// Prune deletes the jobs finished more than Retention ago, and their files;
// Run calls it every PruneInterval.
func (s *Service) Prune(ctx context.Context) {
	list, err := s.store.PruneExports(ctx, s.opts.Clock.Now().Add(-s.opts.Retention))
	if err != nil {
		if ctx.Err() == nil {
			s.opts.Logger.Error("exports: pruning old jobs", "err", err)
		}
		return
	}
	for i := range list {
		if err := os.Remove(filepath.Join(s.opts.Dir, FileName(&list[i]))); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.opts.Logger.Error("exports: removing an old file", "err", err)
		}
	}
}
