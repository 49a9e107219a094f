package exports

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/attemptlist"
)

// partSuffix marks a file being written: it takes its name when complete,
// so that no download ever sees half a file.
const partSuffix = ".part"

// rowWriter writes rows to a file of one format.
type rowWriter interface {
	Write(r *attemptlist.Row) error
	// Close writes what is left; the file is complete when it returns nil.
	Close() error
	// Abort drops what was written (temporary files included).
	Abort()
}

// run runs a claimed job to its end and records how it ended.
func (s *Service) run(ctx context.Context, e *examhall.Export) {
	log := s.opts.Logger.With("export", e.ID, "format", e.Format)
	started := time.Now()
	rows, err := s.write(ctx, e)
	state, errText := examhall.ExportDone, ""
	switch {
	case err == nil:
		log.Info("exports: done", "rows", rows, "took", time.Since(started).Round(time.Millisecond))
	case ctx.Err() != nil:
		state, errText = examhall.ExportFailed, ErrTextStopped
		log.Warn("exports: stopped with the server", "rows", rows)
	default:
		state, errText = examhall.ExportFailed, ErrTextInternal
		log.Error("exports: failed", "rows", rows, "err", err)
	}
	// Recorded even when ctx ended: the job did end.
	if err := s.store.FinishExport(context.WithoutCancel(ctx), e.ID, state, rows, errText); err != nil {
		log.Error("exports: recording the end of a job", "err", err)
	}
}

// write writes the job's file and returns how many rows it holds.
func (s *Service) write(ctx context.Context, e *examhall.Export) (int64, error) {
	loc := s.institute.Institute().Location
	f, err := parseQuery(e.Query, loc)
	if err != nil {
		return 0, fmt.Errorf("query %q: %w", e.Query, err) // Create checked it: a fault
	}
	path := filepath.Join(s.opts.Dir, FileName(e))
	file, err := os.OpenFile(path+partSuffix, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, err
	}
	defer func() {
		if file != nil { // not complete: no file
			file.Close()
			os.Remove(path + partSuffix)
		}
	}()
	var w rowWriter
	if e.Format == examhall.ExportXLSX {
		w, err = newXLSXWriter(file, s.opts.Dir)
	} else {
		w, err = newCSVWriter(file)
	}
	if err != nil {
		return 0, err
	}
	rows, err := s.walk(ctx, e, f, loc, w)
	if err != nil {
		w.Abort()
		return rows, err
	}
	if err := w.Close(); err != nil {
		return rows, err
	}
	if err := file.Sync(); err != nil {
		return rows, err
	}
	if err := file.Close(); err != nil {
		return rows, err
	}
	file = nil
	return rows, os.Rename(path+partSuffix, path)
}

// walk reads every row f selects, in pages at the first page's snapshot,
// renders each as the API does and writes it to w. An ordering that runs
// one way is walked with a keyset cursor (each page starts after the last
// row written, at the cost of one index seek); another by offset, which
// costs more on every page but still holds one page at a time.
func (s *Service) walk(ctx context.Context, e *examhall.Export, f examhall.AttemptFilter, loc *time.Location, w rowWriter) (int64, error) {
	examURLs, userURLs := e.LinkBase+"exams/", e.LinkBase+"users/"
	_, keyset := f.CursorKey(&examhall.Attempt{})
	f.Limit = s.opts.PageSize
	var written int64
	var total int
	lastProgress := time.Now()
	for {
		if err := ctx.Err(); err != nil {
			return written, err
		}
		list, err := s.reports.AttemptList(ctx, f)
		if err != nil {
			return written, err
		}
		page := list.Rows
		if !f.SkipCount { // the first page: the count and the snapshot stand for the walk
			total, f.Snapshot, f.SkipCount = list.Count, list.Snapshot, true
		}
		now := s.opts.Clock.Now()
		for i := range page {
			row := attemptlist.NewRow(&page[i], now, loc, examURLs, userURLs)
			if err := w.Write(&row); err != nil {
				return written, err
			}
		}
		written += int64(len(page))
		if len(page) < f.Limit {
			return written, nil
		}
		if keyset {
			f.After, _ = f.CursorKey(&page[len(page)-1].Attempt)
		} else {
			f.Offset += len(page)
		}
		if time.Since(lastProgress) >= s.opts.ProgressEvery {
			lastProgress = time.Now()
			if err := s.store.ExportProgress(ctx, e.ID, progress(written, total), written); err != nil {
				return written, err
			}
		}
	}
}

// progress is written rows as a percentage of total, below 100 until the
// job is done: rows that leave the filter while it runs make the count an
// estimate.
func progress(written int64, total int) int {
	if total <= 0 {
		return 0
	}
	return int(min(99, written*100/int64(total)))
}
