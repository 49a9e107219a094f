package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// dockerfileBuild is the Dockerfile's build command, which TestStaticBinary
// repeats.
const dockerfileBuild = `RUN CGO_ENABLED=0 go build -trimpath -tags timetzdata -ldflags "-s -w" -o /out/examhall ./cmd/examhall`

// TestDockerfile checks the Dockerfile for what docker build cannot be run
// here to show (hadolint is not in Debian 12 either): the build command
// TestStaticBinary runs, a non-root user, the data volume with the database
// in it, and the healthcheck command as HEALTHCHECK, in exec form.
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		lines[strings.TrimSuffix(strings.TrimSpace(line), " \\")] = true
	}
	for _, want := range []string{
		dockerfileBuild,
		"FROM gcr.io/distroless/static-debian12:nonroot",
		"COPY --from=build --chown=65532:65532 /out/data /data",
		"ENV EXAMHALL_DB=/data/examhall.db",
		"EXAMHALL_ADDR=:8080",
		"USER 65532:65532",
		"VOLUME /data",
		"EXPOSE 8080",
		`CMD ["/usr/local/bin/examhall", "healthcheck"]`,
		`ENTRYPOINT ["/usr/local/bin/examhall"]`,
		`CMD ["serve"]`,
	} {
		if !lines[want] {
			t.Errorf("Dockerfile lacks the line %s", want)
		}
	}
	if strings.Index(string(b), "VOLUME /data") < strings.Index(string(b), "/out/data /data") {
		t.Error("VOLUME /data comes before /data is made: the non-root user could not write a new volume")
	}
}

// TestStaticBinary builds examhall as the Dockerfile does (CGO_ENABLED=0,
// -trimpath, the time zone database embedded) and runs what the image runs:
// version, serve (with JSON logs and CORS, from EXAMHALL_* variables as the
// image sets them) and healthcheck, its HEALTHCHECK, which passes while
// serve serves and fails once it has stopped.
func TestStaticBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "examhall")
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	build := exec.Command(gobin, "build", "-trimpath", "-tags", "timetzdata",
		"-ldflags", "-s -w", "-o", bin, ".") // as dockerfileBuild
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("the binary is dynamically linked (%v): it would not run on scratch or distroless/static", p.Type)
		}
	}
	f.Close()

	run := func(env []string, args ...string) (int, string, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if _, ok := err.(*exec.ExitError); err != nil && !ok {
			t.Fatal(err)
		}
		return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
	}
	// An environment of the image's kind: nothing of the test's own.
	env := []string{"EXAMHALL_DB=" + filepath.Join(dir, "data", "examhall.db"), "EXAMHALL_LOG_FORMAT=json",
		"EXAMHALL_CORS_ORIGINS=https://app.example.com"}
	if err := os.Mkdir(filepath.Join(dir, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := run(env, "version"); code != 0 || stderr != "" ||
		!regexp.MustCompile(`^examhall \S+.*, go\S+ linux/\S+\n$`).MatchString(stdout) {
		t.Errorf("version: exit %d %q %q", code, stdout, stderr)
	}

	serve := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--bcrypt-cost", "4")
	serve.Env = env
	var logs syncBuffer
	serve.Stderr = &logs
	stdout, err := serve.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- serve.Wait() }()
	defer func() {
		serve.Process.Kill() //nolint:errcheck // it may have stopped already
		<-exited
	}()
	found := make(chan string, 1)
	go func() {
		scan := bufio.NewScanner(stdout)
		for scan.Scan() {
			if m := regexp.MustCompile(`^examhall listening on http://(127\.0\.0\.1:\d+)$`).FindStringSubmatch(scan.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	var addr string
	select {
	case addr = <-found:
	case err := <-exited:
		t.Fatalf("serve exited: %v\n%s", err, logs.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not listen within 60s\n%s", logs.String())
	}
	port := addr[strings.LastIndex(addr, ":")+1:]

	// The HEALTHCHECK: EXAMHALL_ADDR=:8080 in the image means 127.0.0.1.
	for _, args := range [][]string{{"healthcheck", "--addr", addr}, {"healthcheck"}} {
		code, out, stderr := run(append(env, "EXAMHALL_ADDR=:"+port), args...)
		if want := "examhall: http://" + addr + "/healthz/ answered 200 OK\n"; code != 0 || out != want || stderr != "" {
			t.Errorf("%v: exit %d %q %q, want 0 %q", args, code, out, stderr, want)
		}
	}

	req, _ := http.NewRequest("OPTIONS", "http://"+addr+"/api/v2.5/me/", nil)
	req.Header.Set("Origin", "https://app.example.com")
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("X-Request-Id", "preflight-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		resp.Header.Get("Access-Control-Allow-Methods") != "GET, HEAD, OPTIONS" {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}

	if err := serve.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		exited <- err // for the deferred clean-up
		if err != nil {
			t.Errorf("serve after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30s of SIGTERM")
	}
	if code, out, stderr := run(env, "healthcheck", "--addr", addr, "--timeout", "2s"); code != 1 || out != "" ||
		!strings.HasPrefix(stderr, "examhall: healthcheck: ") {
		t.Errorf("healthcheck of a stopped server: exit %d %q %q, want 1", code, out, stderr)
	}

	// Every line of the log is a JSON object; the preflight's has its route.
	var preflight map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, line)
		}
		if rec["request_id"] == "preflight-1" {
			preflight = rec
		}
		if rec["path"] == "/healthz/" {
			t.Errorf("a passing health probe was logged at info: %s", line)
		}
	}
	if preflight == nil || preflight["level"] != "INFO" || preflight["msg"] != "request" || preflight["status"] != float64(204) ||
		preflight["method"] != "OPTIONS" || preflight["route"] != "/api/v2.5/me/" {
		t.Errorf("preflight's log line: %v\n%s", preflight, logs.String())
	}
}
