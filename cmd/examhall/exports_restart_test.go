package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/exports"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// TestExportsAcrossRestart runs `serve` as a real process: an export is
// done and its file kept in the exports directory (by default next to a
// SQLite file); a job that a killed process left running is failed by the
// next one's start, while the done job's file is still served.
func TestExportsAcrossRestart(t *testing.T) {
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			dsn := sqltest.DSN(t, engine)
			run(t, "createadmin", "--db", dsn, "--username", "root", "--password", "secret", "--bcrypt-cost", "4")
			var flags []string
			dir := dsn + "-exports" // the default next to a SQLite file
			if engine == sqlstore.Postgres {
				dir = t.TempDir()
				flags = []string{"--exports-dir", dir}
			}
			logs := t.TempDir()
			first := startChild(t, dsn, filepath.Join(logs, "serve-1.log"), flags...)
			c := newCrashClient(first.url)
			token := c.login(t, "root", "secret")
			var job struct {
				ID          int64
				State       string
				Rows        int64
				Error       *string
				DownloadURL *string `json:"download_url"`
			}
			c.mustJSON(t, http.MethodPost, "/api/v2.5/admin/exports/", token,
				map[string]string{"kind": "attempts", "format": "csv", "query": "ordering=id"}, http.StatusAccepted, &job)
			done := job.ID
			for deadline := time.Now().Add(20 * time.Second); job.State != "done"; time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the export did not finish: %+v", job)
				}
				c.mustJSON(t, http.MethodGet, fmt.Sprintf("/api/v2.5/admin/exports/%d/", done), token, nil, http.StatusOK, &job)
			}
			if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("attempts-%d.csv", done))); err != nil {
				t.Fatalf("the file is not in the exports directory: %v", err)
			}
			first.kill(t)

			// What a process killed in the middle of a job leaves behind.
			db, err := sqlstore.Open(context.Background(), dsn, examhall.SystemClock{})
			if err != nil {
				t.Fatal(err)
			}
			left := &examhall.Export{Kind: "attempts", Format: "xlsx"}
			if err := db.CreateExport(context.Background(), left); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ClaimExport(context.Background()); err != nil {
				t.Fatal(err)
			}
			db.Close()

			second := startChild(t, dsn, filepath.Join(logs, "serve-2.log"), flags...)
			c = newCrashClient(second.url)
			c.mustJSON(t, http.MethodGet, fmt.Sprintf("/api/v2.5/admin/exports/%d/", left.ID), token, nil, http.StatusOK, &job)
			if job.State != "failed" || job.Error == nil || *job.Error != exports.ErrTextRestarted {
				t.Errorf("the job left running: %+v", job)
			}
			req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v2.5/admin/exports/%d/download/", second.url, done), nil)
			req.Header.Set("Authorization", "JWT "+token)
			resp, err := c.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), "id,date,exam_id,user_id,email,") {
				t.Errorf("the done job's file after a restart: %d %.200s", resp.StatusCode, body)
			}
			second.stop(t)
		})
	}
}
