package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// TestExportJobs walks export jobs through their states on both engines.
func TestExportJobs(t *testing.T) {
	start := time.Date(2026, 1, 5, 4, 30, 0, 0, time.UTC)
	clock := examhalltest.NewClock(start)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clock.Set(start)
		var jobs []*examhall.Export
		for _, format := range []string{"csv", "xlsx", "csv"} {
			e := &examhall.Export{Kind: "attempts", Format: format, Query: "state=1", LinkBase: "https://x/api/v2.5/admin/"}
			if err := db.CreateExport(ctx, e); err != nil {
				t.Fatal(err)
			}
			if e.ID == 0 || e.State != examhall.ExportQueued || !e.Created.Equal(start) || e.Started != nil {
				t.Fatalf("created %+v", e)
			}
			jobs = append(jobs, e)
		}
		if err := db.ExportProgress(ctx, jobs[0].ID, 10, 1); examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
			t.Errorf("progress of a queued job: %v", err)
		}
		clock.Advance(time.Second)
		claimed, err := db.ClaimExport(ctx)
		if err != nil || claimed.ID != jobs[0].ID || claimed.State != examhall.ExportRunning || claimed.Started == nil {
			t.Fatalf("claim: %+v %v", claimed, err)
		}
		if err := db.ExportProgress(ctx, claimed.ID, 50, 500); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Second)
		if err := db.FinishExport(ctx, claimed.ID, examhall.ExportDone, 1000, ""); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishExport(ctx, claimed.ID, examhall.ExportFailed, 0, "again"); examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
			t.Errorf("finishing a finished job: %v", err)
		}
		got, err := db.Export(ctx, claimed.ID)
		if err != nil || got.State != examhall.ExportDone || got.Progress != 100 || got.Rows != 1000 || got.Finished == nil ||
			!got.Finished.Equal(start.Add(2*time.Second)) || got.Query != "state=1" || got.LinkBase != "https://x/api/v2.5/admin/" {
			t.Fatalf("done: %+v %v", got, err)
		}
		second, err := db.ClaimExport(ctx)
		if err != nil || second.ID != jobs[1].ID {
			t.Fatalf("second claim: %+v %v", second, err)
		}
		if err := db.ExportProgress(ctx, second.ID, 30, 3); err != nil {
			t.Fatal(err)
		}
		if n, err := db.FailUnfinishedExports(ctx, "restarted"); err != nil || n != 2 {
			t.Fatalf("fail unfinished: %d %v", n, err)
		}
		if _, err := db.ClaimExport(ctx); examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
			t.Errorf("claim with none queued: %v", err)
		}
		failed, _ := db.Export(ctx, second.ID)
		if failed.State != examhall.ExportFailed || failed.Error != "restarted" || failed.Progress != 30 || failed.Rows != 3 {
			t.Errorf("failed: %+v", failed)
		}
		list, count, err := db.Exports(ctx, 0, 2)
		if err != nil || count != 3 || len(list) != 2 || list[0].ID != jobs[2].ID || list[1].ID != jobs[1].ID {
			t.Fatalf("list: %v %d %v", list, count, err)
		}
		if _, err := db.Export(ctx, 999); examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
			t.Errorf("unknown job: %v", err)
		}
		pruned, err := db.PruneExports(ctx, start.Add(2*time.Second)) // finished before: none
		if err != nil || len(pruned) != 0 {
			t.Fatalf("prune: %v %v", pruned, err)
		}
		pruned, err = db.PruneExports(ctx, start.Add(time.Hour))
		if err != nil || len(pruned) != 3 {
			t.Fatalf("prune: %v %v", pruned, err)
		}
		if _, count, _ := db.Exports(ctx, 0, 10); count != 0 {
			t.Errorf("%d jobs left", count)
		}
	})
}
