// Command read is the read ceiling of examhall's benchmarks (BENCHMARKS.md):
// the fastest a Go server could answer one page of the admin attempts list
// (SPEC §8.1) on this machine without a database.
//
// It is a bare net/http server on 127.0.0.1 whose one handler encodes, with
// encoding/json, the first n of a set of in-memory attempts built once at
// start, in the DRF envelope {count, next, previous, per_page, results}. Each
// result has every field of examhall's list item, in the same order, with
// values of the same kinds and lengths (see attemptItem), so a response is
// about as many bytes as examhall's. What is left per request is what no
// implementation of the endpoint can avoid: net/http, building the envelope
// and JSON encoding. examhall's req/s divided by this program's, measured in
// the same run with the same wrk settings, is the "ratio" in BENCHMARKS.md.
//
// Usage:
//
//	read [--port 8090] [--max 1000]
//	curl 'http://127.0.0.1:8090/api/v2.5/admin/attempts/?n=200'
//
// n defaults to 200 (a full page); shape c of the benchmark asks for as many
// as examhall's answer holds (about 10). Any path is served the same way.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// attemptItem has the fields of examhall's admin attempt list item
// (httpapi/admin_attempt_list.go, golden file
// httpapi/testdata/admin_attempts_default.json) in the same order. score is a
// plain string where examhall has a decimal with its own MarshalJSON: the
// bytes are the same, and the ceiling takes the cheaper path.
type attemptItem struct {
	ID                    int64   `json:"id"`
	Date                  string  `json:"date"`
	ExamID                int64   `json:"exam_id"`
	UserID                int64   `json:"user_id"`
	Email                 string  `json:"email"`
	Name                  *string `json:"name"`
	Phone                 *string `json:"phone"`
	CorrectAnswersCount   int     `json:"correct_answers_count"`
	IncorrectAnswersCount int     `json:"incorrect_answers_count"`
	UnansweredCount       int     `json:"unanswered_count"`
	Score                 string  `json:"score"`
	Percentage            float64 `json:"percentage"`
	TimeTaken             string  `json:"time_taken"`
	RemainingTime         *string `json:"remaining_time"`
	Result                string  `json:"result"`
	State                 string  `json:"state"`
	LastStartedTime       *string `json:"last_started_time"`
	LastAnswerUpdatedTime *string `json:"last_answer_updated_time"`
	Speed                 int     `json:"speed"`
	ExamURL               string  `json:"exam_url"`
	UserURL               string  `json:"user_url"`
}

// envelope is DRF's paginated response with Testpress's per_page, as examhall writes it.
type envelope struct {
	Count    int           `json:"count"`
	Next     *string       `json:"next"`
	Previous *string       `json:"previous"`
	PerPage  int           `json:"per_page"`
	Results  []attemptItem `json:"results"`
}

// baseURL stands for the public base URL in the *_url fields.
const baseURL = "http://127.0.0.1:8080"

// totalCount is the count the envelope reports: the benchmark's data size.
const totalCount = 1_000_000

// makeAttempts builds n attempts with realistic values, newest first as
// ?ordering=-id lists them: ids counting down from a million, dates over two
// years in an Indian time zone, mostly completed, names and phones sometimes
// missing. The same seed gives the same attempts.
func makeAttempts(n int, seed uint64) []attemptItem {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	zone := time.FixedZone("IST", 5*3600+1800)
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, zone)
	firstNames := []string{"Asha", "Bala", "Chitra", "Deepak", "Elango", "Farah", "Gopal", "Hema", "Imran", "Jaya"}
	lastNames := []string{"Iyer", "Kumar", "Nair", "Reddy", "Sharma", "Pillai", "Das", "Menon", "Rao", "Singh"}
	format := func(t time.Time) string { return t.Format("2006-01-02T15:04:05.999999Z07:00") }
	duration := func(d time.Duration) string {
		s := int64(d / time.Second)
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	out := make([]attemptItem, n)
	for i := range out {
		id := int64(totalCount - i)
		userID := 2 + rng.Int64N(100_000)
		examID := 1 + rng.Int64N(1000)
		date := start.Add(time.Duration(rng.Int64N(int64(2 * 365 * 24 * time.Hour))))
		date = date.Add(time.Duration(rng.IntN(1_000_000)) * time.Microsecond)
		examDuration := time.Duration(30+30*rng.IntN(6)) * time.Minute
		questions := 25 + 25*rng.IntN(3)
		a := attemptItem{
			ID: id, Date: format(date), ExamID: examID, UserID: userID,
			Email:   fmt.Sprintf("student%d@example.com", userID),
			ExamURL: baseURL + "/api/v2.5/admin/exams/" + strconv.FormatInt(examID, 10) + "/",
			UserURL: baseURL + "/api/v2.5/admin/users/" + strconv.FormatInt(userID, 10) + "/",
		}
		if rng.IntN(10) > 0 {
			name := firstNames[rng.IntN(len(firstNames))] + " " + lastNames[rng.IntN(len(lastNames))]
			a.Name = &name
		}
		if rng.IntN(3) > 0 {
			phone := fmt.Sprintf("9%09d", rng.IntN(1_000_000_000))
			a.Phone = &phone
		}
		started := format(date)
		a.LastStartedTime = &started
		switch r := rng.IntN(100); {
		case r < 90: // Completed
			a.State = "Completed"
			a.CorrectAnswersCount = rng.IntN(questions + 1)
			a.IncorrectAnswersCount = rng.IntN(questions - a.CorrectAnswersCount + 1)
			a.UnansweredCount = questions - a.CorrectAnswersCount - a.IncorrectAnswersCount
			marks := 4*a.CorrectAnswersCount - a.IncorrectAnswersCount
			a.Score = strconv.Itoa(marks) + ".00"
			a.Percentage = float64(int(float64(marks)/float64(4*questions)*10000)) / 100
			taken := time.Duration(rng.Int64N(int64(examDuration)))
			a.TimeTaken = duration(taken)
			remaining := duration(examDuration - taken)
			a.RemainingTime = &remaining
			updated := format(date.Add(taken))
			a.LastAnswerUpdatedTime = &updated
			if a.Percentage >= 40 {
				a.Result = "Pass"
			} else {
				a.Result = "Fail"
			}
			if minutes := taken.Minutes(); minutes >= 1 {
				a.Speed = int(float64(questions-a.UnansweredCount) / minutes * 60)
			}
		case r < 96: // Running
			a.State = "Running"
			a.UnansweredCount = questions
			a.Score, a.TimeTaken, a.Result = "0.00", "0:00:00", "NA"
			remaining := duration(examDuration)
			a.RemainingTime = &remaining
		default: // Not Started
			a.State = "Not Started"
			a.UnansweredCount = questions
			a.Score, a.TimeTaken, a.Result = "0.00", "0:00:00", "NA"
			a.LastStartedTime = nil
		}
		out[i] = a
	}
	return out
}

// handler serves the first n of attempts per request, encoded afresh each
// time the way examhall's writeJSON does: into a buffer, HTML escaping off,
// without the encoder's trailing newline.
func handler(attempts []attemptItem) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := 200
		if v := r.URL.Query().Get("n"); v != "" {
			var err error
			if n, err = strconv.Atoi(v); err != nil || n < 0 || n > len(attempts) {
				http.Error(w, fmt.Sprintf(`{"detail":"n must be 0 to %d"}`, len(attempts)), http.StatusBadRequest)
				return
			}
		}
		env := envelope{Count: totalCount, PerPage: n, Results: attempts[:n]}
		if n > 0 && n < totalCount {
			next := "http://" + r.Host + "/api/v2.5/admin/attempts/?ordering=-id&page=2&page_size=" +
				strconv.Itoa(n) + "&snapshot=" + strconv.Itoa(totalCount)
			env.Next = &next
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(env); err != nil {
			http.Error(w, `{"detail":"A server error occurred."}`, http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))) //nolint:errcheck // the client went away
	})
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		log.Fatalf("read ceiling: %v", err)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("read", flag.ContinueOnError)
	port := fs.Int("port", 8090, "TCP port on 127.0.0.1 (0 picks a free one)")
	maxN := fs.Int("max", 1000, "attempts built at start: the largest n served")
	seed := fs.Uint64("seed", 1, "seed of the generated attempts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(*port)))
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler(makeAttempts(*maxN, *seed)), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "read ceiling listening on http://%s\n", ln.Addr())
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}
