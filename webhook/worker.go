// Package webhook delivers the events of the webhook outbox (SPEC §10, issue
// 13): a Worker claims due deliveries from an examhall.WebhookOutbox, POSTs
// each to its URL and records the outcome, retrying with exponential backoff
// and jitter until it gives up. It is a use case over the root package's
// interfaces; the store writes the events, in the transactions of the
// changes that cause them, and the requests that cause them never wait for
// a delivery.
package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/examhall/examhall"
)

// Options configure a Worker; zero values take the defaults in brackets.
type Options struct {
	Timeout       time.Duration // one try's limit, answer included [10s]
	BackoffMin    time.Duration // the first retry's delay [10s]
	BackoffMax    time.Duration // the longest delay [1h]
	GiveUpAfter   time.Duration // from queueing, after which a failed try fails the delivery [72h]
	PollInterval  time.Duration // how often the outbox is read [1s]
	Batch         int           // deliveries claimed at once, sent in parallel [16]
	AllowPrivate  bool          // send to loopback, link-local and private addresses too
	Clock         examhall.Clock
	Logger        *slog.Logger
	HTTPTransport http.RoundTripper // tests; nil: a transport with the SSRF guard
	// ObserveOutcome, when set, is told the outcome of every try once it
	// is recorded (for /metrics); it must return at once.
	ObserveOutcome func(examhall.WebhookOutcome)
}

// Worker sends the outbox's deliveries. Several workers (replicas) may share
// one outbox: each claims rows under a lease of its own.
type Worker struct {
	outbox examhall.WebhookOutbox
	opts   Options
	owner  string
	client *http.Client
}

// New returns a worker over outbox.
func New(outbox examhall.WebhookOutbox, opts Options) *Worker {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.BackoffMin <= 0 {
		opts.BackoffMin = 10 * time.Second
	}
	if opts.BackoffMax < opts.BackoffMin {
		opts.BackoffMax = max(time.Hour, opts.BackoffMin)
	}
	if opts.GiveUpAfter <= 0 {
		opts.GiveUpAfter = 72 * time.Hour
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.Batch <= 0 {
		opts.Batch = 16
	}
	if opts.Clock == nil {
		opts.Clock = examhall.SystemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	transport := opts.HTTPTransport
	if transport == nil {
		transport = guardedTransport(opts.AllowPrivate)
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	return &Worker{outbox: outbox, opts: opts, owner: hex.EncodeToString(id[:]),
		client: &http.Client{Transport: transport, Timeout: opts.Timeout,
			// A redirect is not followed: it could lead past the SSRF guard's
			// intent (a public URL redirecting to an internal one is checked
			// again by the dialer, but a receiver should be configured with
			// its final URL anyway).
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Run delivers until ctx ends, reading the outbox every PollInterval (at
// once again after a full batch).
func (w *Worker) Run(ctx context.Context) {
	for {
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.opts.Logger.Error("webhook deliveries", "err", err)
		}
		if n == w.opts.Batch && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(w.opts.PollInterval):
		}
	}
}

// RunOnce claims one batch of due deliveries, sends them in parallel and
// records their outcomes; it returns how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	// The lease outlasts a try by a margin, so that a slow receiver's
	// delivery is not claimed again by another replica while it runs.
	list, err := w.outbox.ClaimWebhookDeliveries(ctx, w.owner, w.opts.Batch, w.opts.Timeout+30*time.Second)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	errs := make([]error, len(list))
	for i := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := &list[i]
			o := w.try(ctx, d)
			// Recorded even when ctx ends meanwhile: the try happened.
			errs[i] = w.outbox.FinishWebhookDelivery(context.WithoutCancel(ctx), d.ID, w.owner, o)
			if w.opts.ObserveOutcome != nil {
				w.opts.ObserveOutcome(o)
			}
		}()
	}
	wg.Wait()
	return len(list), errors.Join(errs...)
}

// try sends d once and says what came of it.
func (w *Worker) try(ctx context.Context, d *examhall.WebhookDelivery) examhall.WebhookOutcome {
	start := w.opts.Clock.Now()
	status, err := w.post(ctx, d)
	o := examhall.WebhookOutcome{Status: status, Duration: w.opts.Clock.Now().Sub(start)}
	if err == nil && status >= 200 && status < 300 {
		o.Delivered = true
		return o
	}
	if err != nil {
		o.Error = err.Error()
	} else {
		o.Error = "HTTP " + strconv.Itoa(status)
	}
	now := w.opts.Clock.Now()
	if next := now.Add(w.Backoff(d.Tries + 1)); next.Sub(d.Queued) < w.opts.GiveUpAfter {
		o.NextTry = next
	}
	w.opts.Logger.Warn("webhook delivery failed", "delivery", d.ID, "event", d.Event, "tries", d.Tries+1,
		"error", o.Error, "gave_up", o.NextTry.IsZero())
	return o
}

func (w *Worker) post(ctx context.Context, d *examhall.WebhookDelivery) (int, error) {
	// A try under way when the worker stops finishes (within Timeout), so
	// that shutdown records its outcome instead of a cancelled try.
	req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodPost, d.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return 0, fmt.Errorf("bad URL: %w", err)
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return 0, fmt.Errorf("URL scheme %q is not http or https", req.URL.Scheme)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "examhall-webhooks")
	req.Header.Set("X-Examhall-Event", string(d.Event))
	req.Header.Set("X-Examhall-Delivery", strconv.FormatInt(d.ID, 10))
	resp, err := w.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}

// Backoff is the delay before try number tries+1 after tries failed ones:
// BackoffMin doubled per failed try, at most BackoffMax, with full jitter
// in its upper half and never below BackoffMin, so that receivers coming
// back from an outage are not hit by every replica at once.
func (w *Worker) Backoff(tries int) time.Duration {
	d := w.opts.BackoffMin
	for i := 1; i < tries && d < w.opts.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, w.opts.BackoffMax)
	half := int64(d / 2)
	if half > 0 {
		if n, err := rand.Int(rand.Reader, big.NewInt(half+1)); err == nil {
			d = time.Duration(half + n.Int64())
		}
	}
	return max(d, w.opts.BackoffMin)
}

// guardedTransport is an HTTP transport that refuses to connect to
// loopback, link-local, private, unspecified and multicast addresses unless
// allowPrivate: the check runs on the address actually dialled, after DNS,
// so a name that resolves (or re-resolves) to an internal address is
// refused too. Proxies from the environment are not used: they would hide
// the address.
func guardedTransport(allowPrivate bool) *http.Transport {
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: func(network, address string, _ syscall.RawConn) error {
		if allowPrivate {
			return nil
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("webhook address %q: %w", address, err)
		}
		if ip := ap.Addr().Unmap(); !Public(ip) {
			return fmt.Errorf("webhook address %s is not public (loopback, link-local or private); --webhook-allow-private allows it", ip)
		}
		return nil
	}}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = dialer.DialContext
	return t
}

// Public reports whether ip is an address the SSRF guard lets the worker
// connect to.
func Public(ip netip.Addr) bool {
	return ip.IsValid() && !ip.IsLoopback() && !ip.IsPrivate() && !ip.IsLinkLocalUnicast() &&
		!ip.IsLinkLocalMulticast() && !ip.IsUnspecified() && !ip.IsMulticast() && !ip.IsInterfaceLocalMulticast()
}
