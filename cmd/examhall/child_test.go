package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"
)

// childEnv makes the test binary run examhall's main instead of the tests,
// so that the crash test can kill -9 a real `examhall serve` process without
// building a second binary: the child is the very code under test, compiled
// with the same flags (-race included), and costs no `go build` per run.
const childEnv = "EXAMHALL_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is an `examhall serve` process.
type child struct {
	cmd     *exec.Cmd
	url     string
	logPath string     // its stderr
	exited  chan error // Wait's result, once it has exited
	waitErr error
	once    sync.Once
}

// startChild starts `examhall serve` on dsn and a free loopback port, with
// args added to the command line, and waits until it listens. The child is killed when t ends, if not before.
func startChild(t *testing.T, dsn, logPath string, args ...string) *child {
	t.Helper()
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close() // the child has its own descriptor
	listening := &lineWatcher{pattern: regexp.MustCompile(`examhall listening on (http://127\.0\.0\.1:\d+)\n`), found: make(chan string, 1)}
	c := &child{logPath: logPath, exited: make(chan error, 1)}
	c.cmd = exec.Command(os.Args[0], append([]string{"serve", "--db", dsn, "--addr", "127.0.0.1:0", "--bcrypt-cost", "4",
		"--log-level", "warn", "--shutdown-timeout", "5s"}, args...)...)
	c.cmd.Env = append(os.Environ(), childEnv+"=1")
	c.cmd.Stdout, c.cmd.Stderr = listening, logFile
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.exited <- c.cmd.Wait() }()
	t.Cleanup(func() { // before the database's own clean-up, registered earlier
		c.kill(t)
		// A child that was killed tells of its races and panics only here.
		if b, _ := os.ReadFile(logPath); bytes.Contains(b, []byte("WARNING: DATA RACE")) || bytes.Contains(b, []byte("panic: ")) {
			t.Error("examhall serve found a data race or panicked")
		}
		if t.Failed() {
			c.showLog(t)
		}
	})
	select {
	case c.url = <-listening.found:
		return c
	case <-c.exited:
		t.Fatal("examhall serve exited before it listened")
	case <-time.After(30 * time.Second):
		t.Fatal("examhall serve did not listen within 30s")
	}
	return nil
}

// kill sends SIGKILL and waits for the process to be gone.
func (c *child) kill(t *testing.T) {
	t.Helper()
	c.once.Do(func() {
		if err := c.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
			t.Errorf("kill examhall serve: %v", err)
		}
		c.waitErr = <-c.exited
	})
}

// stop shuts the child down gracefully and checks that it exited cleanly
// (a data race found in the child under -race makes it exit with 66).
func (c *child) stop(t *testing.T) {
	t.Helper()
	c.signal(t, syscall.SIGTERM)
}

// signal sends sig, which must stop the child, and checks that it exited
// with 0 within 20 seconds.
func (c *child) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	c.once.Do(func() {
		if err := c.cmd.Process.Signal(sig); err != nil {
			t.Errorf("%v to examhall serve: %v", sig, err)
		}
		select {
		case c.waitErr = <-c.exited:
		case <-time.After(20 * time.Second):
			c.cmd.Process.Kill() //nolint:errcheck // it did not stop in time: that is the error reported
			c.waitErr = fmt.Errorf("no exit within 20s of %v (%v)", sig, <-c.exited)
		}
		if c.waitErr != nil {
			t.Errorf("examhall serve after %v: %v", sig, c.waitErr)
		}
	})
}

// showLog logs the child's stderr, for a failed test.
func (c *child) showLog(t *testing.T) {
	t.Helper()
	b, err := os.ReadFile(c.logPath)
	if err != nil {
		t.Logf("the log of examhall serve: %v", err)
		return
	}
	if len(b) > 8000 {
		b = append([]byte("…"), b[len(b)-8000:]...)
	}
	t.Logf("examhall serve (%s) wrote:\n%s", c.url, b)
}

// lineWatcher is the child's stdout: it finds the first match of pattern in
// the output and sends its first group on found.
type lineWatcher struct {
	pattern *regexp.Regexp
	found   chan string
	mu      sync.Mutex
	out     bytes.Buffer
	sent    bool
}

func (w *lineWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.out.Write(p)
	if m := w.pattern.FindSubmatch(w.out.Bytes()); m != nil && !w.sent {
		w.sent = true
		w.found <- string(m[1])
	}
	return len(p), nil
}
