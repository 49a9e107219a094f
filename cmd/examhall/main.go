// Command examhall runs the examhall online-examination backend. This file only
// wires the packages together; Main can be started by tests on ":0".
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/auth"
	"github.com/examhall/examhall/bundle"
	"github.com/examhall/examhall/bundleimport"
	"github.com/examhall/examhall/exports"
	"github.com/examhall/examhall/httpapi"
	"github.com/examhall/examhall/metrics"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/web"
	"github.com/examhall/examhall/webhook"
	"golang.org/x/crypto/acme/autocert"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop) // a second signal kills the process at once
	if os.Getenv("GOGC") == "" {
		// The heap of a serving examhall is small (tens of MB) and made of
		// short-lived request garbage: collecting at 4x the live heap instead
		// of 2x halves the GC work for a few MB more. GOGC overrides it.
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// Under a storm of thousands of waiting requests the live heap grows,
		// and 4x of it would be too much: past this soft limit the collector
		// runs as often as needed. GOMEMLIMIT overrides it.
		debug.SetMemoryLimit(384 << 20)
	}
	os.Exit(Exec(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// Exec runs the command line args as the process does and returns its exit
// status: 0 when done (or help was asked for), 1 when the command failed, 2
// for a command line it cannot run (or, for backup and restore, files
// they refuse: nothing is done). serve runs until ctx is done (the
// process's first SIGINT or SIGTERM), then shuts down gracefully.
func Exec(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	m := NewMain()
	m.Stdout, m.Stderr = stdout, stderr
	if err := m.ParseFlags(args, getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "examhall:", err)
		var usage *UsageError
		if errors.As(err, &usage) && usage.Hint != "" {
			fmt.Fprintln(stderr, strings.TrimSuffix(usage.Hint, "\n"))
		}
		return 2
	}
	err := m.Run(ctx)
	if err == nil && m.Config.Command == "serve" {
		select {
		case <-ctx.Done():
			m.Logger.Info("shutting down")
		case <-m.serveDone:
			err = m.serveErr
		}
	}
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(stderr, "examhall:", err)
		var usage *UsageError
		if errors.As(err, &usage) { // refused for its input (backup, restore): nothing done
			return 2
		}
		return 1
	}
	return 0
}

// Main is the program: its configuration and what it opened.
type Main struct {
	Config Config
	Clock  examhall.Clock
	Stdout io.Writer
	Stderr io.Writer
	Logger *slog.Logger

	db          *sqlstore.DB
	tempDir     string // import --dry-run's scratch database, removed by Close
	server      *http.Server
	pprofServer *http.Server
	acme        *autocert.Manager // --tls-autocert's
	acmeServer  *http.Server      // its HTTP-01 challenges
	metrics     *metrics.Metrics  // --metrics-addr; nil when off
	metricsSrv  *http.Server
	metricsAddr net.Addr
	listener    net.Listener
	serveDone   chan struct{} // closed when the server stops serving
	serveErr    error         // why it stopped
	stopSweep   context.CancelFunc
	sweepDone   chan struct{}
}

// NewMain returns a Main on the system clock and the process's output.
func NewMain() *Main {
	return &Main{Clock: examhall.SystemClock{}, Stdout: os.Stdout, Stderr: os.Stderr}
}

// ParseFlags reads the command line and the EXAMHALL_* environment (see
// ParseConfig; help goes to m.Stdout).
func (m *Main) ParseFlags(args []string, getenv func(string) string) error {
	c, err := ParseConfig(args, getenv, m.Stdout)
	if err != nil {
		return err
	}
	m.Config = c
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		m.Logger = slog.New(slog.NewJSONHandler(m.Stderr, opts))
	} else {
		m.Logger = slog.New(slog.NewTextHandler(m.Stderr, opts))
	}
	return nil
}

// Run opens and migrates the database and runs the command. For serve it
// returns once the server listens; Close stops it. loadtest, a client of a
// server, and version open no database; import --dry-run opens one it may
// not change (see openForDryRun); backup and restore do not migrate the
// database they read (see backup, restore).
func (m *Main) Run(ctx context.Context) error {
	switch {
	case m.Config.Command == "version":
		fmt.Fprintln(m.Stdout, currentVersion())
		return nil
	case m.Config.Command == "loadtest":
		return m.loadtest(ctx)
	case m.Config.Command == "backup":
		return m.backup(ctx)
	case m.Config.Command == "restore":
		return m.restore(ctx)
	case m.Config.Command == "healthcheck":
		return m.healthcheck(ctx)
	case m.Config.Command == "import" && m.Config.DryRun:
		if err := m.openForDryRun(ctx); err != nil {
			return err
		}
		return m.importBundle(ctx)
	case m.Config.Command == "serve":
		m.Logger.Info("starting examhall", currentVersion().logAttrs()...)
	}
	opts := sqlstore.Options{SQLiteSynchronous: m.Config.SQLiteSynchronous, WriteQueue: m.Config.WriteQueue}
	if m.Config.Command == "serve" && m.Config.MetricsAddr != "" {
		m.metrics = metrics.New(m.Logger)
		opts.ObserveBatch = m.metrics.ObserveBatch
	}
	db, err := sqlstore.OpenWith(ctx, m.Config.DB, m.Clock, opts)
	if err != nil {
		return err
	}
	m.db = db
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		m.Logger.Info("migrated the database", "engine", db.Engine(), "versions", applied)
	}
	switch m.Config.Command {
	case "migrate":
		current, _, err := db.SchemaVersion(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "examhall: %s database at schema version %d\n", db.Engine(), current)
		return nil
	case "import":
		return m.importBundle(ctx)
	case "demo":
		return m.loadDemo(ctx, m.authService(nil))
	case "createadmin":
		created, err := m.authService(nil).EnsureAdmin(ctx, m.Config.Username, m.Config.Password, m.Config.Email)
		if err != nil {
			return err
		}
		verb := "updated"
		if created {
			verb = "created"
		}
		fmt.Fprintf(m.Stdout, "examhall: admin %q %s\n", m.Config.Username, verb)
		return nil
	default:
		return m.serve(ctx)
	}
}

func (m *Main) serve(ctx context.Context) error {
	// Listen first: a busy port must fail before --demo loads anything and
	// prints logins that no server then serves.
	l, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return err
	}
	m.listener = m.limitConnections(l)
	tlsConfig, err := m.tlsConfig()
	if err != nil {
		return err
	}
	secret, err := m.jwtSecret(ctx)
	if err != nil {
		return err
	}
	if err := m.storeInstitute(ctx); err != nil {
		return err
	}
	authService := m.authService(auth.NewTokens(secret, m.Config.TokenLifetime, m.Clock))
	if m.Config.Demo {
		if err := m.loadDemo(ctx, authService); err != nil {
			return err
		}
	}
	if err := m.adviseAdmin(ctx); err != nil {
		return err
	}
	var baseURL *url.URL
	allowedHosts := m.Config.AllowedHosts
	if m.Config.BaseURL != "" {
		baseURL, _ = url.Parse(strings.TrimSuffix(m.Config.BaseURL, "/")) // checked by ParseConfig
		if len(allowedHosts) == 0 {
			allowedHosts = []string{baseURL.Hostname()}
		}
	}
	exporter := exports.New(m.db, m.db, m.db, exports.Options{Dir: m.exportsDir(), Retention: m.Config.ExportsRetention,
		Clock: m.Clock, Logger: m.Logger})
	// Before serving: the jobs of an earlier process fail, so that none
	// shows "running" for ever.
	if err := exporter.Recover(ctx); err != nil {
		return err
	}
	api := &httpapi.Server{
		Auth: authService, Users: m.db, Exams: m.db, Attempts: m.db, Reports: m.db, Changes: m.db, Courses: m.db, ContentReports: m.db, Webhooks: m.db, Dashboard: m.db, ItemStatistics: m.db, Timeline: m.db, DB: m.db, Institute: m.db, BaseURL: baseURL,
		Exports: exporter,
		Import:  m.db, Writes: m.db, MaxInFlight: m.Config.MaxInFlight, AllowedHosts: allowedHosts, CORSOrigins: m.Config.CORSOrigins, TrustedProxies: m.Config.TrustedProxies, MaxBodyBytes: m.Config.MaxBodyBytes,
		MaxImportBytes: m.Config.MaxImportBytes, Logger: m.Logger,
	}
	if m.metrics != nil {
		api.Metrics = m.metrics
	}
	api.Pages = (&web.Pages{Viewer: api.SessionUser, Institute: m.db, Logger: m.Logger}).Handler()
	m.server = &http.Server{
		Handler:           api.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
		TLSConfig:         tlsConfig,
	}
	if err := m.serveACMEChallenges(); err != nil {
		return err
	}
	if m.Config.PprofAddr != "" {
		if err := m.servePprof(); err != nil {
			return err
		}
	}
	if m.metrics != nil {
		if err := m.serveMetrics(); err != nil {
			return err
		}
	}
	m.db.SetWebhooks(examhall.StaticWebhookConfig{ExamURL: m.Config.ExamWebhookURL, ContentURL: m.Config.ContentWebhookURL,
		PublicKey: m.Config.WebhookPublicKey, PrivateKey: m.Config.WebhookPrivateKey, Events: m.Config.WebhookEvents})
	var observeWebhook func(examhall.WebhookOutcome)
	if m.metrics != nil {
		observeWebhook = m.metrics.ObserveWebhook
	}
	worker := webhook.New(m.db, webhook.Options{ObserveOutcome: observeWebhook, Timeout: m.Config.WebhookTimeout, BackoffMin: m.Config.WebhookBackoffMin,
		BackoffMax: m.Config.WebhookBackoffMax, GiveUpAfter: m.Config.WebhookGiveUpAfter,
		AllowPrivate: m.Config.WebhookAllowPrivate, Clock: m.Clock, Logger: m.Logger})

	sweepCtx, stopSweep := context.WithCancel(context.Background())
	m.stopSweep, m.sweepDone = stopSweep, make(chan struct{})
	workerDone, exportsDone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(workerDone)
		// Pending deliveries of earlier runs resume here, on every replica.
		worker.Run(sweepCtx)
	}()
	go func() {
		defer close(exportsDone)
		exporter.Run(sweepCtx) // a job running at shutdown fails, recorded before the database closes
	}()
	go func() {
		defer close(m.sweepDone)
		m.sweep(sweepCtx, m.Config.SweepInterval)
		<-workerDone // tries under way finish (within --webhook-timeout) before the database closes
		<-exportsDone
	}()
	m.serveDone = make(chan struct{})
	go func() {
		if tlsConfig != nil {
			m.serveErr = m.server.ServeTLS(m.listener, "", "") // the certificates are in TLSConfig
		} else {
			m.serveErr = m.server.Serve(m.listener)
		}
		close(m.serveDone)
	}()
	for _, line := range listeningLines(m.scheme(), m.listener.Addr().(*net.TCPAddr)) {
		fmt.Fprintln(m.Stdout, line)
	}
	return nil
}

// exportsDir is --exports-dir, or by default DB-exports next to a SQLite
// file DB (on the disk the data is on, kept with it), or examhall-exports in
// the temporary directory for PostgreSQL, whose data is elsewhere.
func (m *Main) exportsDir() string {
	switch {
	case m.Config.ExportsDir != "":
		return m.Config.ExportsDir
	case sqlstore.IsPostgresURL(m.Config.DB):
		return filepath.Join(os.TempDir(), "examhall-exports")
	default:
		return m.Config.DB + "-exports"
	}
}

// listeningLines say where serve listens (scheme is http or https), and,
// on a loopback address, how to listen on the network.
func listeningLines(scheme string, addr *net.TCPAddr) []string {
	port := strconv.Itoa(addr.Port)
	switch {
	case addr.IP.IsLoopback():
		return []string{"examhall listening on " + scheme + "://" + net.JoinHostPort(addr.IP.String(), port),
			"examhall: only this machine can connect; --addr :" + port + " (or 0.0.0.0:" + port + ", or EXAMHALL_ADDR) listens on every network interface"}
	case addr.IP.IsUnspecified():
		return []string{fmt.Sprintf("examhall listening on every network interface, port %s (%s); from this machine: %s://localhost:%[1]s", port, addr, scheme)}
	default:
		return []string{"examhall listening on " + scheme + "://" + net.JoinHostPort(addr.IP.String(), port)}
	}
}

// adviseAdmin logs how to create an admin when no one can log in as one.
func (m *Main) adviseAdmin(ctx context.Context) error {
	ok, err := m.db.HasAdmin(ctx)
	if err != nil || ok {
		return err
	}
	db := ""
	if m.Config.DB != "examhall.db" {
		db = m.Config.DB
		if u, err := url.Parse(db); err == nil && sqlstore.IsPostgresURL(db) {
			db = u.Redacted() // a log never shows a password
		}
		db = " --db " + shellQuote(db)
	}
	m.Logger.Warn("no admin user yet; create one with: examhall createadmin" + db + " --username admin --password PASSWORD")
	return nil
}

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`&;|<>()*?[]{}#~!") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// URL is the address the server listens on, with "localhost" for an
// unspecified host.
func (m *Main) URL() string {
	addr := m.listener.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "localhost"
	}
	return m.scheme() + "://" + net.JoinHostPort(host, fmt.Sprint(addr.Port))
}

// scheme is https when serve serves TLS, http otherwise.
func (m *Main) scheme() string {
	if m.Config.TLSCert != "" || len(m.Config.TLSAutocert) > 0 {
		return "https"
	}
	return "http"
}

// Close stops the server gracefully (no new connections, in-flight requests
// finish within the shutdown timeout) and closes the database. Closing twice
// is harmless.
func (m *Main) Close() error {
	var errs []error
	if m.stopSweep != nil {
		m.stopSweep()
		<-m.sweepDone
		m.stopSweep = nil
	}
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
		defer cancel()
		errs = append(errs, m.server.Shutdown(ctx))
		<-m.serveDone
		if !errors.Is(m.serveErr, http.ErrServerClosed) {
			errs = append(errs, m.serveErr)
		}
		m.server = nil
	}
	if m.pprofServer != nil {
		errs = append(errs, m.pprofServer.Close())
		m.pprofServer = nil
	}
	if m.acmeServer != nil {
		errs = append(errs, m.acmeServer.Close())
		m.acmeServer = nil
	}
	if m.metricsSrv != nil {
		errs = append(errs, m.metricsSrv.Close())
		m.metricsSrv = nil
	}
	if m.db != nil {
		errs = append(errs, m.db.Close())
		m.db = nil
	}
	if m.tempDir != "" {
		errs = append(errs, os.RemoveAll(m.tempDir))
		m.tempDir = ""
	}
	return errors.Join(errs...)
}

func (m *Main) authService(tokens *auth.Tokens) *auth.Service {
	return &auth.Service{
		Users: m.db, Failures: m.db, Tokens: tokens, Clock: m.Clock,
		Passwords: &auth.Passwords{Cost: m.Config.BcryptCost},
		Limits: auth.LoginLimits{PerUserAddress: m.Config.LoginFailuresPerUserAddress, PerUser: m.Config.LoginFailuresPerUser,
			PerAddress: m.Config.LoginFailuresPerAddress, Window: m.Config.LoginWindow},
	}
}

// jwtSecret is the configured secret, or the one kept in the database
// (generated by the first replica that needs it).
func (m *Main) jwtSecret(ctx context.Context) ([]byte, error) {
	if m.Config.JWTSecret != "" {
		return []byte(m.Config.JWTSecret), nil
	}
	s, err := m.db.SettingOrInit(ctx, examhall.SettingJWTSecret, func() (string, error) { return randomText(32) })
	return []byte(s), err
}

// storeInstitute stores the name and time zone given as flags (which win over
// what an import stored), then loads the institute's settings.
func (m *Main) storeInstitute(ctx context.Context) error {
	for key, value := range map[string]string{
		examhall.SettingInstituteName:     m.Config.InstituteName,
		examhall.SettingInstituteTimezone: m.Config.Timezone,
	} {
		if value != "" {
			if err := m.db.SetSetting(ctx, key, value); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
		}
	}
	return m.db.LoadSettings(ctx)
}

// importBundle loads the bundle file in one transaction and prints what it did.
func (m *Main) importBundle(ctx context.Context) error {
	f, err := os.Open(m.Config.BundlePath)
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := bundle.Parse(f)
	if err != nil {
		return describe(err)
	}
	summary, err := bundleimport.Import(ctx, m.db, b, &auth.Passwords{Cost: m.Config.BcryptCost}, m.Config.DryRun)
	if err != nil {
		return describe(err)
	}
	verb := "imported"
	if m.Config.DryRun {
		verb = "checked (dry run, nothing imported)"
	}
	fmt.Fprintf(m.Stdout, "examhall: %s %s\n", m.Config.BundlePath, verb)
	for _, kind := range []string{"users", "subjects", "exams", "courses", "attempts"} {
		fmt.Fprintf(m.Stdout, "  %-9s %d created, %d updated, %d unchanged\n", kind,
			summary.Created[kind], summary.Updated[kind], summary.Unchanged[kind])
	}
	return nil
}

// describe spells out every field of a validation error, one per line.
func describe(err error) error {
	var e *examhall.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	fields := make([]string, 0, len(e.Fields))
	for field, msgs := range e.Fields {
		fields = append(fields, "  "+field+": "+strings.Join(msgs, " "))
	}
	slices.Sort(fields)
	return fmt.Errorf("the bundle was not imported:\n%s", strings.Join(fields, "\n"))
}

// randomText is n random bytes as URL-safe base64.
func randomText(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
