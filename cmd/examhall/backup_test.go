package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall/loadtest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// examhall backup copies the database a running serve uses while a
// loadtest storm of students start, save answers and end; examhall restore
// makes a new database from the copy, which a second serve serves with every
// attempt committed before the backup began (read through the admin API).
func TestBackupRestoreCommands(t *testing.T) {
	dsn := sqltest.DSN(t, sqlstore.SQLite)
	m, out := start(t, "--db", dsn, "--demo", "--sweep-interval", "1h") // no attempt changes but the storm's
	password := regexp.MustCompile(`admin login: username admin, password (\S+)\n`).FindStringSubmatch(out)
	if password == nil {
		t.Fatalf("serve --demo printed %q", out)
	}
	_, token := login(t, m.URL(), "admin", password[1])
	const page = "/api/v2.5/admin/attempts/?page_size=500&ordering=id" // demo attempts, unchanged by the storm
	status, want := get(t, m.URL()+page, token)
	if status != 200 || !strings.HasPrefix(want, `{"count":2000,`) {
		t.Fatalf("attempts: %d %.80s", status, want)
	}
	count := func(base, token string) int {
		t.Helper()
		status, body := get(t, base+"/api/v2.5/admin/attempts/?page_size=1", token)
		var v struct{ Count int }
		if err := json.Unmarshal([]byte(body), &v); status != 200 || err != nil {
			t.Fatalf("attempts: %d %.80s", status, body)
		}
		return v.Count
	}

	lt := loadtest.DefaultConfig()
	lt.URL, lt.AdminUsername, lt.AdminPassword = m.URL(), "admin", password[1]
	lt.Students, lt.Questions, lt.Ramp, lt.SaveEvery, lt.Hold, lt.Timeout = 20, 10, 0, 0, 2*time.Second, time.Minute
	storm := make(chan error, 1)
	go func() {
		report, err := loadtest.Run(context.Background(), lt)
		if err == nil && report.Abandoned > 0 {
			err = fmt.Errorf("%d students abandoned", report.Abandoned)
		}
		storm <- err
	}()
	deadline := time.Now().Add(30 * time.Second)
	for count(m.URL(), token) < 2000+lt.Students { // every student has started
		if time.Now().After(deadline) {
			t.Fatal("the storm's attempts did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // saves under way

	dir := t.TempDir()
	backup, restored := filepath.Join(dir, "backup.db"), filepath.Join(dir, "restored.db")
	code, stdout, stderr := execute(t, nil, "backup", "--db", dsn, "--to", backup)
	if want := regexp.MustCompile(`^examhall: backed up \S+ \(schema version \d+\) to ` + regexp.QuoteMeta(backup) + `: \d+ bytes in \S+\n$`); code != 0 || !want.MatchString(stdout) || stderr != "" {
		t.Fatalf("backup: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if err := <-storm; err != nil {
		t.Fatalf("the storm: %v", err)
	}
	code, stdout, stderr = execute(t, nil, "restore", "--from", backup, "--db", restored)
	if want := regexp.MustCompile(`^examhall: restored \S+ to \S+ \(schema version \d+\)\n$`); code != 0 || !want.MatchString(stdout) || stderr != "" {
		t.Fatalf("restore: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	r, _ := start(t, "--db", restored, "--sweep-interval", "1h")
	_, token = login(t, r.URL(), "admin", password[1])
	status, got := get(t, r.URL()+page, token)
	// Links name the server they came from; the count has the storm's too.
	if got = strings.ReplaceAll(got, r.URL(), m.URL()); status != 200 || results(t, got) != results(t, want) {
		t.Errorf("restored attempts: %d\n%.300s\nwant\n%.300s", status, got, want)
	}
	if n := count(r.URL(), token); n != 2000+lt.Students {
		t.Errorf("restored: %d attempts, want the demo's 2000 and the storm's %d", n, lt.Students)
	}
}

// results is the results array of a list body, as sent.
func results(t *testing.T, body string) string {
	t.Helper()
	var v struct{ Results json.RawMessage }
	if err := json.Unmarshal([]byte(body), &v); err != nil || len(v.Results) < 1000 {
		t.Fatalf("a list of attempts: %v\n%.300s", err, body)
	}
	return string(v.Results)
}

// backup and restore refuse (exit status 2, nothing written) a file that
// exists, a missing database, a file that is not a backup, and PostgreSQL,
// for which they print the pg_dump and pg_restore commands.
func TestBackupRestoreRefused(t *testing.T) {
	dsn := sqltest.DSN(t, sqlstore.SQLite)
	run(t, "migrate", "--db", dsn)
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.db")
	tests := []struct {
		args   []string
		stderr string
	}{
		{[]string{"backup", "--db", dsn, "--to", existing}, "examhall: " + existing + " exists: a backup never overwrites a file; choose a new name\n"},
		{[]string{"backup", "--db", missing, "--to", filepath.Join(dir, "b.db")}, "examhall: backup: no database at " + missing + "\n"},
		{[]string{"backup", "--db", dsn}, "examhall: backup: --to FILE is required\n"},
		{[]string{"restore", "--from", dsn, "--db", existing}, "examhall: " + existing + " exists: a restore never overwrites a database; choose a new path\n"},
		{[]string{"restore", "--from", existing, "--db", missing}, "examhall: " + existing + " is not a SQLite database\n"},
		{[]string{"restore", "--db", missing}, "examhall: restore: --from FILE is required\n"},
		{[]string{"backup", "--db", "postgres://examhall:secret@db.example.org/examhall", "--to", missing},
			"examhall: backup: examhall backs up only SQLite databases; " + sqlstore.PostgresBackupAdvice("postgres://examhall@db.example.org/examhall") + "\n"},
		{[]string{"restore", "--from", dsn, "--db", "postgres://db.example.org/examhall"},
			"examhall: restore: examhall backs up only SQLite databases; " + sqlstore.PostgresBackupAdvice("postgres://db.example.org/examhall") + "\n"},
	}
	for _, tt := range tests {
		code, stdout, stderr := execute(t, nil, tt.args...)
		if code != 2 || stdout != "" || stderr != tt.stderr {
			t.Errorf("examhall %s: exit %d\nstdout: %s\nstderr: %s\nwant:   %s", strings.Join(tt.args, " "), code, stdout, stderr, tt.stderr)
		}
		if b, err := os.ReadFile(existing); err != nil || string(b) != "keep me" {
			t.Errorf("examhall %s: %s now holds %q, %v", strings.Join(tt.args, " "), existing, b, err)
		}
		if _, err := os.Stat(missing); !os.IsNotExist(err) {
			t.Errorf("examhall %s: %s made: %v", strings.Join(tt.args, " "), missing, err)
		}
	}
	if !strings.Contains(sqlstore.PostgresBackupAdvice("postgres://examhall@db.example.org/examhall"),
		"pg_dump --format=custom --file=examhall.dump 'postgres://examhall@db.example.org/examhall'") {
		t.Error("the advice lacks the pg_dump command")
	}
}
