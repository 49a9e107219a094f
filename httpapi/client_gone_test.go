package httpapi_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/httpapi"
	"github.com/examhall/examhall/sqlstore"
)

// syncBuffer is a log written by the server's goroutines and read by the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// slowUsers is the user store with a slow UserByID: it waits until its
// context ends, then asks the database with that context, so that the
// error is the engine's own. With serverTimeout the context is one of the
// server's, with a short deadline, and the client keeps waiting.
type slowUsers struct {
	examhall.UserStore
	serverTimeout atomic.Bool
	entered       chan struct{}
}

func (u *slowUsers) UserByID(ctx context.Context, id int64) (*examhall.User, error) {
	u.entered <- struct{}{}
	if u.serverTimeout.Load() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
	}
	<-ctx.Done()
	return u.UserStore.UserByID(ctx, id)
}

// waitForLog waits for a line of the log that matches re.
func waitForLog(t *testing.T, logs *syncBuffer, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if line := re.FindString(logs.String()); line != "" {
			return line
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line matches %s:\n%s", re, logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestClientGone: a client that goes away while its request waits for the
// database is logged as such, at INFO with status 499, and no ERROR; the
// server's own time-out, with the client still there, stays an ERROR 500.
func TestClientGone(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		logs := &syncBuffer{}
		users := &slowUsers{entered: make(chan struct{}, 1)}
		a := newTestAPIWith(t, engine, func(s *httpapi.Server) {
			users.UserStore = s.Users
			s.Users = users
			s.Logger = slog.New(slog.NewTextHandler(logs, nil))
		})
		admin := a.addUser("admin", examhall.RoleAdmin)
		path := "/api/v2.5/admin/users/" + strconv.FormatInt(admin.ID, 10) + "/"

		t.Run("client goes away", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", a.server.URL+path, nil)
			req.Header.Set("Authorization", "JWT "+a.token("admin"))
			req.Header.Set("X-Request-Id", "gone-1")
			errc := make(chan error, 1)
			go func() {
				resp, err := http.DefaultClient.Do(req)
				if err == nil {
					resp.Body.Close()
				}
				errc <- err
			}()
			<-users.entered // the request waits in the store
			cancel()
			if err := <-errc; !errors.Is(err, context.Canceled) {
				t.Fatalf("client: %v, want context.Canceled", err)
			}
			line := waitForLog(t, logs, regexp.MustCompile(`.*request_id=gone-1.*`))
			for _, want := range []string{"level=INFO ", "msg=request ", "method=GET ", "status=499 ", "client_gone=true ", "context canceled"} {
				if !strings.Contains(line, want) {
					t.Errorf("request log lacks %q: %s", want, line)
				}
			}
			if strings.Contains(logs.String(), "level=ERROR") {
				t.Errorf("a client that went away was logged as an error:\n%s", logs.String())
			}
		})

		t.Run("server's own time-out", func(t *testing.T) {
			users.serverTimeout.Store(true)
			defer users.serverTimeout.Store(false)
			got := a.doWith("GET", path, http.Header{"Authorization": {"JWT " + a.token("admin")}, "X-Request-Id": {"timeout-1"}}, "")
			<-users.entered
			if got.status != http.StatusInternalServerError || got.body != `{"detail":"A server error occurred."}` {
				t.Errorf("server time-out: %d %s, want 500", got.status, got.body)
			}
			waitForLog(t, logs, regexp.MustCompile(`level=ERROR msg="request failed" .*request_id=timeout-1`))
			waitForLog(t, logs, regexp.MustCompile(`level=INFO msg=request .*status=500 .*request_id=timeout-1`))
		})
	})
}

// TestClientGoneWritesNothing: a request whose client is already gone gets
// nothing written (no status, no body) and the log says 499: on an endpoint
// the first database read that takes its context, authentication's,
// notices; on /readyz the ping.
func TestClientGoneWritesNothing(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		logs := &syncBuffer{}
		var api *httpapi.Server
		a := newTestAPIWith(t, engine, func(s *httpapi.Server) {
			s.Logger = slog.New(slog.NewTextHandler(logs, nil))
			api = s
		})
		admin := a.addUser("admin", examhall.RoleAdmin)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for i, path := range []string{"/api/v2.5/admin/users/" + strconv.FormatInt(admin.ID, 10) + "/", "/readyz/"} {
			req := httptest.NewRequestWithContext(ctx, "GET", "http://localhost"+path, nil)
			req.Header.Set("Authorization", "JWT "+a.token("admin"))
			id := "gone-" + strconv.Itoa(i)
			req.Header.Set("X-Request-Id", id)
			rec := httptest.NewRecorder()
			api.Handler().ServeHTTP(rec, req)
			if rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "" {
				t.Errorf("%s: written to a client that is gone: %q %v", path, rec.Body, rec.Header())
			}
			line := waitForLog(t, logs, regexp.MustCompile(`.*request_id=`+id+`.*`))
			if !strings.Contains(line, "level=INFO msg=request ") || !strings.Contains(line, "status=499 ") ||
				!strings.Contains(line, "client_gone=true ") {
				t.Errorf("%s: request log: %s", path, line)
			}
		}
		if strings.Contains(logs.String(), "level=ERROR") {
			t.Errorf("logged as an error:\n%s", logs.String())
		}
	})
}
