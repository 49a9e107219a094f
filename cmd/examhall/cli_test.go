package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// execute runs the examhall command line as the process would, with the
// environment env, and returns its exit code and what it printed.
func execute(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Exec(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut)
	return code, out.String(), errOut.String()
}

const wantUsage = `usage: examhall <command> [flags]

examhall serves online exams: authoring, students' attempts, scoring and
reports, over a JSON API.

commands:
  serve        run the HTTP server (on 127.0.0.1:8080 unless --addr says otherwise)
  migrate      create the database, or bring its schema up to date
  import       load an institute bundle: users, subjects, exams, courses and past attempts
  demo         fill an empty database with a made-up institute to try examhall on
  backup       copy a live SQLite database to a file, while serve keeps serving
  restore      make a new SQLite database from a backup file
  createadmin  create the admin user, or reset its password and role
  loadtest     simulate an exam morning against a running server and report latencies
  healthcheck  check that serve answers on this machine (exit 0) or not (exit 1)
  version      print the version of this build
  help         print this list, or the help of one command

"examhall help <command>" or "examhall <command> -h" shows a command's flags.
Every flag --some-name can also be set with the environment variable
EXAMHALL_SOME_NAME; a flag given on the command line wins.
`

// examhall -h, --help and help print the usage to stdout and succeed; no
// command prints it to stderr and fails; an unknown command says so.
func TestUsage(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"-help"}, {"help"}} {
		code, stdout, stderr := execute(t, nil, args...)
		if code != 0 || stdout != wantUsage || stderr != "" {
			t.Errorf("examhall %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, stdout, stderr)
		}
	}
	code, stdout, stderr := execute(t, nil)
	if code != 2 || stdout != "" || stderr != "examhall: no command given\n"+wantUsage {
		t.Errorf("examhall: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, args := range [][]string{{"frobnicate"}, {"help", "frobnicate"}, {"frobnicate", "-h"}} {
		code, stdout, stderr := execute(t, nil, args...)
		if want := "examhall: unknown command \"frobnicate\"\nRun \"examhall help\" for the list of commands.\n"; code != 2 || stdout != "" || stderr != want {
			t.Errorf("examhall %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, stdout, stderr)
		}
	}
	code, stdout, stderr = execute(t, nil, "help", "serve", "import")
	if want := "examhall: help takes one command, got 2: serve import\nRun \"examhall help\" for the list of commands.\n"; code != 2 || stdout != "" || stderr != want {
		t.Errorf("examhall help serve import: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

// Each command's help, asked for in three ways, goes to stdout: its usage
// line, what it does, and each flag as --flag with its EXAMHALL_* twin.
func TestCommandHelp(t *testing.T) {
	common := []string{"db", "log-format", "log-level"}
	tests := []struct {
		command string
		usage   string
		flags   []string
		lines   []string // lines the help must hold, in this order
	}{
		{"serve", "usage: examhall serve [flags]", append(common, "addr", "allowed-hosts", "base-url", "bcrypt-cost", "cors-origins", "demo", "institute-name",
			"jwt-secret", "login-failures-per-address", "login-failures-per-user", "login-failures-per-user-address", "login-window",
			"max-body-bytes", "max-connections", "max-import-bytes", "max-in-flight", "metrics-addr", "pprof-addr", "shutdown-timeout", "sqlite-synchronous",
			"sweep-interval", "timezone", "token-lifetime", "trusted-proxies", "write-queue",
			"exam-webhook-url", "content-webhook-url", "webhook-public-key", "webhook-private-key", "webhook-events",
			"webhook-timeout", "webhook-backoff-min", "webhook-backoff-max", "webhook-give-up-after", "webhook-allow-private",
			"webhook-retention", "exports-dir", "exports-retention", "changes-retention",
			"tls-cert", "tls-key", "tls-autocert", "tls-autocert-cache", "tls-autocert-http-addr"),
			[]string{
				"  --addr HOST:PORT  (env EXAMHALL_ADDR)",
				`      listen address; :8080 or 0.0.0.0:8080 listens on every network interface (default "127.0.0.1:8080")`,
				"  --sweep-interval duration  (env EXAMHALL_SWEEP_INTERVAL)",
				"      how often running attempts are checked for time running out (default 30s)",
			}},
		{"migrate", "usage: examhall migrate [flags]", common, nil},
		{"import", "usage: examhall import [flags] FILE", append(common, "bcrypt-cost", "dry-run"),
			[]string{
				"  --dry-run  (env EXAMHALL_DRY_RUN)",
				"      check the bundle and write nothing: the database is neither created nor migrated",
			}},
		{"demo", "usage: examhall demo [flags]", append(common, "attempts", "bcrypt-cost", "exams", "max-questions", "seed", "students"), nil},
		{"backup", "usage: examhall backup [flags]", append(common, "to"), []string{
			"  --to FILE  (env EXAMHALL_TO)",
			"      the backup file to write; it must not exist (required)",
		}},
		{"restore", "usage: examhall restore [flags]", append(common, "from"), []string{
			"  --from FILE  (env EXAMHALL_FROM)",
			"      the backup file to read, written by examhall backup (required)",
		}},
		{"createadmin", "usage: examhall createadmin [flags]", append(common, "bcrypt-cost", "email", "password", "username"),
			[]string{
				"  --password string  (env EXAMHALL_PASSWORD)",
				"      admin password (required)",
			}},
		{"loadtest", "usage: examhall loadtest [flags]", []string{"admin-password", "admin-username", "allow-remote", "cleanup", "concurrency-login",
			"heartbeat-every", "hold", "json", "log-format", "log-level", "max-retries", "questions", "ramp", "readers", "save-every", "seed", "students", "timeout", "url"}, nil},
		{"healthcheck", "usage: examhall healthcheck [flags]", []string{"addr", "log-format", "log-level", "timeout"}, nil},
		{"version", "usage: examhall version", nil, nil},
		{"help", "usage: examhall help [COMMAND]", nil, nil},
	}
	flagLine := regexp.MustCompile(`^  --([a-z-]+)(?: (\S+))?  \(env (EXAMHALL_[A-Z_]+)\)$`)
	for _, tt := range tests {
		var helps []string
		for _, args := range [][]string{{tt.command, "-h"}, {tt.command, "--help"}, {"help", tt.command}} {
			code, stdout, stderr := execute(t, nil, args...)
			if code != 0 || stderr != "" {
				t.Errorf("examhall %s: exit %d, stderr:\n%s", strings.Join(args, " "), code, stderr)
			}
			helps = append(helps, stdout)
		}
		if helps[1] != helps[0] || helps[2] != helps[0] {
			t.Errorf("%s: -h, --help and help differ:\n%s\n---\n%s\n---\n%s", tt.command, helps[0], helps[1], helps[2])
		}
		help := helps[0]
		lines := strings.Split(strings.TrimSuffix(help, "\n"), "\n")
		if lines[0] != tt.usage {
			t.Errorf("%s: usage line %q, want %q", tt.command, lines[0], tt.usage)
		}
		var flags []string
		for i, line := range lines {
			if !strings.HasPrefix(line, "  -") {
				continue
			}
			m := flagLine.FindStringSubmatch(line)
			if m == nil {
				t.Errorf("%s: flag line %q is not `  --name [VALUE]  (env EXAMHALL_NAME)`", tt.command, line)
				continue
			}
			if want := "EXAMHALL_" + strings.ToUpper(strings.ReplaceAll(m[1], "-", "_")); m[3] != want {
				t.Errorf("%s: --%s has twin %s, want %s", tt.command, m[1], m[3], want)
			}
			if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "      ") || len(lines[i+1]) < 10 {
				t.Errorf("%s: --%s has no description", tt.command, m[1])
			}
			flags = append(flags, m[1])
		}
		if want := slices.Sorted(slices.Values(tt.flags)); !slices.Equal(flags, want) {
			t.Errorf("%s: flags %v, want %v", tt.command, flags, want)
		}
		at := 0
		for _, want := range tt.lines {
			i := slices.Index(lines[at:], want)
			if i < 0 {
				t.Errorf("%s: help lacks the line %q (after line %d):\n%s", tt.command, want, at, help)
				break
			}
			at += i + 1
		}
		// The help cites nothing that is not in the repository.
		if strings.Contains(help, "SPEC") || strings.Contains(help, "§") {
			t.Errorf("%s: help cites the spec:\n%s", tt.command, help)
		}
	}
	if strings.Contains(wantUsage, "SPEC") || strings.Contains(wantUsage, "§") {
		t.Error("the usage cites the spec")
	}
}

// examhall version prints one line: version, commit and Go version.
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, stdout, stderr := execute(t, nil, args...)
		if !regexp.MustCompile(`^examhall \S+( \(revision [0-9a-f]+, [0-9TZ:-]+(, modified)?\))?, go\S+ \S+/\S+\n$`).MatchString(stdout) ||
			code != 0 || stderr != "" {
			t.Errorf("examhall %s: exit %d, stdout %q, stderr %q", args[0], code, stdout, stderr)
		}
	}
	if code, _, stderr := execute(t, nil, "version", "extra"); code != 2 || stderr != "examhall: unexpected arguments: extra\n" {
		t.Errorf("examhall version extra: exit %d, stderr %q", code, stderr)
	}
	platform := runtime.GOOS + "/" + runtime.GOARCH
	for _, tt := range []struct {
		info *debug.BuildInfo
		want string
	}{
		{&debug.BuildInfo{GoVersion: "go1.24.1", Main: debug.Module{Version: "v1.2.0"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"}, {Key: "vcs.time", Value: "2026-11-30T10:00:00Z"},
			{Key: "vcs.modified", Value: "true"}}},
			"examhall v1.2.0 (revision 0123456789abcdef0123456789abcdef01234567, 2026-11-30T10:00:00Z, modified), go1.24.1 " + platform},
		{&debug.BuildInfo{GoVersion: "go1.24.1", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"}, {Key: "vcs.time", Value: "2026-11-30T10:00:00Z"},
			{Key: "vcs.modified", Value: "false"}}},
			"examhall (devel) (revision 0123456789abcdef0123456789abcdef01234567, 2026-11-30T10:00:00Z), go1.24.1 " + platform},
		{&debug.BuildInfo{GoVersion: "go1.24.1"}, "examhall (devel), go1.24.1 " + platform},
		{nil, "examhall (unknown), " + runtime.Version() + " " + platform},
	} {
		if got := versionOf(tt.info).String(); got != tt.want {
			t.Errorf("version of %v:\n%s\nwant\n%s", tt.info, got, tt.want)
		}
	}
}

// Flags may follow the positional arguments.
func TestFlagsAfterArguments(t *testing.T) {
	dsn := sqltest.DSN(t, sqlstore.SQLite)
	bundlePath := "../../sqlstore/testdata/bundle.json"
	code, stdout, stderr := execute(t, nil, "import", bundlePath, "--dry-run", "--db", dsn, "--bcrypt-cost", "4")
	if code != 0 || !strings.Contains(stdout, "examhall: "+bundlePath+" checked (dry run, nothing imported)\n") {
		t.Errorf("import FILE --dry-run: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = execute(t, nil, "import", "--db", dsn, bundlePath, "--bcrypt-cost", "4")
	if code != 0 || !strings.Contains(stdout, "examhall: "+bundlePath+" imported\n") {
		t.Errorf("import --db X FILE --bcrypt-cost 4: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"import", "--db", dsn, "a.json", "--dry-run", "b.json"},
			"examhall: import takes one FILE, got 2: a.json b.json\nRun \"examhall import -h\" for its usage.\n"},
		{[]string{"import", "--db", dsn, "--dry-run"}, "examhall: import takes one FILE, got 0\nRun \"examhall import -h\" for its usage.\n"},
		{[]string{"migrate", "extra", "--db", dsn}, "examhall: unexpected arguments: extra\n"},
		{[]string{"import", "--db", dsn, "--log-level", "warn", "--", "--dry-run"}, "examhall: open --dry-run: no such file or directory\n"},
	} {
		code, stdout, stderr := execute(t, nil, tt.args...)
		if code == 0 || stdout != "" || stderr != tt.want {
			t.Errorf("examhall %s: exit %d\nstdout:\n%s\nstderr:\n%s\nwant stderr:\n%s", strings.Join(tt.args, " "), code, stdout, stderr, tt.want)
		}
	}
}

// A bad value, in a flag or in its environment twin, is named with the form
// wanted; the exit code is 2 and nothing runs.
func TestBadValues(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir) // a database opened by mistake would appear here
	for _, tt := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"EXAMHALL_SWEEP_INTERVAL": "abc"}, []string{"serve"},
			`examhall: EXAMHALL_SWEEP_INTERVAL: "abc" is not a duration such as 30s or 5m`},
		{nil, []string{"serve", "--sweep-interval", "abc"}, `examhall: --sweep-interval: "abc" is not a duration such as 30s or 5m`},
		{nil, []string{"serve", "--sweep-interval=5"}, `examhall: --sweep-interval: "5" is not a duration such as 30s or 5m`},
		{nil, []string{"serve", "--bcrypt-cost", "ten"}, `examhall: --bcrypt-cost: "ten" is not a whole number such as 10`},
		{map[string]string{"EXAMHALL_MAX_BODY_BYTES": "1MB"}, []string{"serve"},
			`examhall: EXAMHALL_MAX_BODY_BYTES: "1MB" is not a whole number such as 10`},
		{map[string]string{"EXAMHALL_SEED": "-1"}, []string{"demo"}, `examhall: EXAMHALL_SEED: "-1" is not a whole number, 0 or more, such as 1`},
		{map[string]string{"EXAMHALL_LOG_LEVEL": "loud"}, []string{"migrate"},
			`examhall: EXAMHALL_LOG_LEVEL: "loud" is not one of debug, info, warn or error`},
		{map[string]string{"EXAMHALL_DRY_RUN": "maybe"}, []string{"import", "b.json"}, `examhall: EXAMHALL_DRY_RUN: "maybe" is not true or false`},
		{map[string]string{"EXAMHALL_TRUSTED_PROXIES": "lb"}, []string{"serve"}, `examhall: EXAMHALL_TRUSTED_PROXIES: "lb" is not an address or CIDR`},
		{nil, []string{"serve", "--trusted-proxies", "10.0.0.0/8,lb"}, `examhall: --trusted-proxies: "lb" is not an address or CIDR`},
		{map[string]string{"EXAMHALL_LOG_FORMAT": "yaml"}, []string{"migrate"}, `examhall: --log-format: want text or json, got "yaml"`},
		{nil, []string{"serve", "--cors-origins", "https://app.example.com/"},
			`examhall: --cors-origins: "https://app.example.com/" is not an origin such as https://app.example.com (scheme, host and port only)`},
		{nil, []string{"serve", "--cors-origins", "app.example.com"},
			`examhall: --cors-origins: "app.example.com" is not an origin such as https://app.example.com (scheme, host and port only)`},
		{map[string]string{"EXAMHALL_CORS_ORIGINS": "*,https://app.example.com"}, []string{"serve"},
			`examhall: EXAMHALL_CORS_ORIGINS: "*" allows every origin and must be given alone`},
		{nil, []string{"healthcheck", "--timeout", "0s"}, `examhall: --timeout must be positive`},
		{nil, []string{"serve", "--nope"}, "examhall: flag provided but not defined: -nope\nRun \"examhall serve -h\" for its usage."},
		{nil, []string{"serve", "--addr"}, "examhall: flag needs an argument: -addr\nRun \"examhall serve -h\" for its usage."},
	} {
		code, stdout, stderr := execute(t, tt.env, tt.args...)
		if code != 2 || stdout != "" || stderr != tt.want+"\n" {
			t.Errorf("%v examhall %s: exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", tt.env, strings.Join(tt.args, " "), code, stdout, stderr, tt.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused command left files behind: %v", entries)
	}
}

// fileState is what a dry run must leave as it was: the names in dir and
// the bytes of each file.
func fileState(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	state := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		state[path] = sha256.Sum256(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return state
}

// import --dry-run writes nothing: a missing SQLite file is not created, nor
// an empty one initialised (the bundle is checked against an empty database
// in a temporary directory, removed afterwards); an existing database is not
// migrated (see TestImportDryRunPostgres) and its files are byte for byte
// what they were.
func TestImportDryRunWritesNothing(t *testing.T) {
	bundlePath, err := filepath.Abs("../../sqlstore/testdata/bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dir := t.TempDir()
	path := filepath.Join(dir, "examhall.db")

	code, stdout, stderr := execute(t, nil, "import", "--db", path, "--bcrypt-cost", "4", "--dry-run", bundlePath)
	want := "examhall: " + path + " does not exist; checking the bundle against an empty database (" + path + " is not created)\n" +
		"examhall: " + bundlePath + " checked (dry run, nothing imported)\n" +
		"  users     2 created, 0 updated, 0 unchanged\n" +
		"  subjects  2 created, 0 updated, 0 unchanged\n" +
		"  exams     1 created, 0 updated, 0 unchanged\n" +
		"  courses   0 created, 0 updated, 0 unchanged\n" +
		"  attempts  2 created, 0 updated, 0 unchanged\n"
	if code != 0 || stdout != want {
		t.Errorf("dry run on a missing file: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", code, stdout, want, stderr)
	}
	if state := fileState(t, dir); len(state) != 0 {
		t.Errorf("dry run on a missing file created %v", state)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("dry run left temporary files: %v", entries)
	}

	// An empty file is an empty database: checked as a missing one, left empty.
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = execute(t, nil, "import", "--db", path, "--bcrypt-cost", "4", "--dry-run", bundlePath)
	if want := "examhall: " + path + " is empty; checking the bundle against an empty database (" + path + " is not changed)\n"; code != 0 || !strings.HasPrefix(stdout, want) {
		t.Errorf("dry run on an empty file: exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", code, stdout, stderr, want)
	}
	if b, err := os.ReadFile(path); err != nil || len(b) != 0 {
		t.Errorf("dry run on an empty file wrote %d bytes (%v)", len(b), err)
	}
	if state := fileState(t, dir); len(state) != 1 {
		t.Errorf("dry run on an empty file left %v", state)
	}

	// A current database: checked in place, its files unchanged.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	run(t, "migrate", "--db", path)
	run(t, "createadmin", "--db", path, "--password", "secret", "--bcrypt-cost", "4")
	before := fileState(t, dir)
	code, stdout, stderr = execute(t, nil, "import", "--db", path, "--bcrypt-cost", "4", "--dry-run", bundlePath)
	if code != 0 || !strings.HasPrefix(stdout, "examhall: "+bundlePath+" checked (dry run, nothing imported)\n  users     2 created,") {
		t.Errorf("dry run on a current database: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if after := fileState(t, dir); !mapsEqual(after, before) {
		t.Errorf("dry run on a current database changed its files:\nbefore %v\nafter  %v", before, after)
	}
}

func mapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// On PostgreSQL a dry run needs the schema in place and leaves the data as it was.
func TestImportDryRunPostgres(t *testing.T) {
	dsn := sqltest.DSN(t, sqlstore.Postgres)
	bundlePath := "../../sqlstore/testdata/bundle.json"
	code, _, stderr := execute(t, nil, "import", "--db", dsn, "--dry-run", bundlePath)
	if want := "examhall: import --dry-run: the database is at schema version 0, this examhall's is 11; " +
		"a dry run does not migrate: run examhall migrate first\n"; code != 1 || stderr != want {
		t.Errorf("dry run on an empty database: exit %d, stderr:\n%s\nwant:\n%s", code, stderr, want)
	}
	db, err := sqlstore.Open(context.Background(), dsn, examhall.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if current, _, err := db.SchemaVersion(context.Background()); err != nil || current != 0 {
		t.Errorf("after a dry run the schema is at %d (%v)", current, err)
	}
	run(t, "migrate", "--db", dsn)
	code, stdout, stderr := execute(t, nil, "import", "--db", dsn, "--bcrypt-cost", "4", "--dry-run", bundlePath)
	if code != 0 || !strings.Contains(stdout, "users     2 created") {
		t.Errorf("dry run on a migrated database: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if _, count, err := db.Users(context.Background(), examhall.UserFilter{Limit: 1}); count != 0 || err != nil {
		t.Errorf("after a dry run: %d users (%v)", count, err)
	}
}

// syncBuffer is an output written by a running server and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// serveUntil runs examhall serve with args until its stdout holds lines
// lines, then stops it as a signal would, and returns the exit code and output.
func serveUntil(t *testing.T, lines int, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Exec(ctx, append([]string{"serve", "--bcrypt-cost", "4"}, args...), func(string) string { return "" }, &out, &errOut)
	}()
	deadline := time.After(30 * time.Second)
	for strings.Count(out.String(), "\n") < lines {
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d before printing %d lines:\n%s\n%s", code, lines, out.String(), errOut.String())
		case <-deadline:
			t.Fatalf("serve printed no %d lines within 30s:\n%s\n%s", lines, out.String(), errOut.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	select {
	case code = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30s")
	}
	return code, out.String(), errOut.String()
}

// logLines are the log lines of stderr without their time.
func logLines(stderr string) []string {
	return strings.Split(regexp.MustCompile(`(?m)^time=\S+ `).ReplaceAllString(strings.TrimSuffix(stderr, "\n"), ""), "\n")
}

// serve listens on 127.0.0.1:8080 by default (EXAMHALL_ADDR or --addr
// change it), says where it listens and how to listen on the network, logs
// its version, and, on a database without an admin, how to create one.
func TestServeStartup(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, nil, "127.0.0.1:8080"},
		{map[string]string{"EXAMHALL_ADDR": ":9000"}, nil, ":9000"},
		{map[string]string{"EXAMHALL_ADDR": ":9000"}, []string{"--addr", "0.0.0.0:8000"}, "0.0.0.0:8000"},
	} {
		c, err := ParseConfig(append([]string{"serve"}, tt.args...), func(k string) string { return tt.env[k] }, &bytes.Buffer{})
		if err != nil || c.Addr != tt.want {
			t.Errorf("%v serve %v: addr %q (%v), want %q", tt.env, tt.args, c.Addr, err, tt.want)
		}
	}

	dsn := sqltest.DSN(t, sqlstore.SQLite)
	code, stdout, stderr := serveUntil(t, 2, "--db", dsn, "--addr", "127.0.0.1:0")
	port := regexp.MustCompile(`^examhall listening on http://127\.0\.0\.1:(\d+)\n`).FindStringSubmatch(stdout)
	if code != 0 || port == nil || stdout != "examhall listening on http://127.0.0.1:"+port[1]+"\n"+
		"examhall: only this machine can connect; --addr :"+port[1]+" (or 0.0.0.0:"+port[1]+", or EXAMHALL_ADDR) listens on every network interface\n" {
		t.Errorf("serve: exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	logs := logLines(stderr)
	if !regexp.MustCompile(`^level=INFO msg="starting examhall" version=\S+ go=go\S+$`).MatchString(logs[0]) {
		t.Errorf("the first log line is not the version: %q", logs[0])
	}
	noAdmin := `level=WARN msg="no admin user yet; create one with: examhall createadmin --db ` + dsn + ` --username admin --password PASSWORD"`
	if n := slices.Index(logs, noAdmin); n < 0 || slices.Index(logs[n+1:], noAdmin) >= 0 {
		t.Errorf("the log lacks the line\n%s\nor has it twice:\n%s", noAdmin, strings.Join(logs, "\n"))
	}
	if logs[len(logs)-1] != `level=INFO msg="shutting down"` {
		t.Errorf("the last log line is %q", logs[len(logs)-1])
	}

	run(t, "createadmin", "--db", dsn, "--password", "secret", "--bcrypt-cost", "4")
	_, _, stderr = serveUntil(t, 2, "--db", dsn, "--addr", "127.0.0.1:0")
	if strings.Contains(stderr, "no admin user") {
		t.Errorf("serve with an admin says there is none:\n%s", stderr)
	}
}

// What serve prints of the address it listens on.
func TestListeningLines(t *testing.T) {
	for _, tt := range []struct {
		addr *net.TCPAddr
		want []string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, []string{"examhall listening on http://127.0.0.1:8080",
			"examhall: only this machine can connect; --addr :8080 (or 0.0.0.0:8080, or EXAMHALL_ADDR) listens on every network interface"}},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 8080}, []string{"examhall listening on http://[::1]:8080",
			"examhall: only this machine can connect; --addr :8080 (or 0.0.0.0:8080, or EXAMHALL_ADDR) listens on every network interface"}},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}, []string{"examhall listening on every network interface, port 8080 ([::]:8080); from this machine: http://localhost:8080"}},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 80}, []string{"examhall listening on every network interface, port 80 (0.0.0.0:80); from this machine: http://localhost:80"}},
		{&net.TCPAddr{IP: net.IPv4(192, 0, 2, 7), Port: 8080}, []string{"examhall listening on http://192.0.2.7:8080"}},
	} {
		if got := listeningLines("http", tt.addr); !slices.Equal(got, tt.want) {
			t.Errorf("%v:\n%q\nwant\n%q", tt.addr, got, tt.want)
		}
	}
	if got, want := listeningLines("https", &net.TCPAddr{IP: net.IPv6unspecified, Port: 443}),
		[]string{"examhall listening on every network interface, port 443 ([::]:443); from this machine: https://localhost:443"}; !slices.Equal(got, want) {
		t.Errorf("https:\n%q\nwant\n%q", got, want)
	}
}

// SIGINT (Ctrl-C) and SIGTERM stop serve gracefully: it logs that it shuts
// down, exits 0, and closes the database (SQLite removes its WAL file when
// the last connection closes).
func TestServeStopsOnSignal(t *testing.T) {
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dsn := sqltest.DSN(t, sqlstore.SQLite)
			logPath := filepath.Join(t.TempDir(), "serve.log")
			c := startChild(t, dsn, logPath, "--log-level", "info")
			if _, err := os.Stat(dsn + "-wal"); err != nil {
				t.Fatalf("the database has no WAL file while serving: %v", err)
			}
			c.signal(t, sig)
			log, _ := os.ReadFile(logPath)
			if !regexp.MustCompile(`(?m)^time=\S+ level=INFO msg="shutting down"$`).Match(log) {
				t.Errorf("no shutdown in the log:\n%s", log)
			}
			if _, err := os.Stat(dsn + "-wal"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the WAL file is still there (%v): the database was not closed", err)
			}
			if conn, err := net.Dial("tcp", strings.TrimPrefix(c.url, "http://")); err == nil {
				conn.Close()
				t.Error("the port still accepts connections")
			}
		})
	}
}

// TestServeBusyPort: on a port another process holds, serve --demo fails
// before it loads the demo or prints logins that no server would serve.
func TestServeBusyPort(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dsn := sqltest.DSN(t, sqlstore.SQLite)
	code, stdout, stderr := execute(t, nil, "serve", "--demo", "--db", dsn, "--addr", busy.Addr().String(), "--bcrypt-cost", "4")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "address already in use") {
		t.Errorf("serve on a busy port: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	db, err := sqlstore.Open(context.Background(), dsn, examhall.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	has, err := db.HasAdmin(context.Background())
	if err != nil || has {
		t.Errorf("after a failed start the database has an admin (%v, %v): the demo was loaded", has, err)
	}
}
