package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSQLiteRun runs the ceiling briefly on a scratch SQLite file and checks
// that it committed saves with examhall's settings and reported them.
func TestSQLiteRun(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "report.json")
	var stdout bytes.Buffer
	err := run(context.Background(), []string{"--db", filepath.Join(dir, "w.db"), "--rows", "500",
		"--workers", "4", "--duration", "200ms", "--json", out}, &stdout, &stdout)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stdout.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Engine != "sqlite" || rep.Transactions == 0 || rep.TxPerSec <= 0 || rep.Errors != 0 || rep.P99Ms < rep.P50Ms {
		t.Errorf("report %+v", rep)
	}
	// synchronous NORMAL is 1; WAL reads back as "wal".
	if rep.Settings["journal_mode"] != "wal" || rep.Settings["synchronous"] != "1" || rep.Settings["busy_timeout"] != "10000" {
		t.Errorf("settings %v", rep.Settings)
	}
	if !strings.Contains(stdout.String(), "tx/s") {
		t.Errorf("stdout %q", stdout.String())
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--db", "x.db", "--rows", "0"},
		{"--db", "x.db", "--workers", "0"},
		{"--db", "x.db", "--duration", "0s"},
		{"--db", "x.db", "extra"},
	} {
		if _, err := parse(args, &bytes.Buffer{}); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}
