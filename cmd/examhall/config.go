package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/loadtest"
	"github.com/examhall/examhall/sqlstore"
)

// Config is every setting of examhall. Each flag --some-name has the
// environment twin EXAMHALL_SOME_NAME; a flag given on the command line wins.
type Config struct {
	Command string // serve, migrate, import, demo, createadmin, backup, restore, loadtest, healthcheck or version

	DB       string
	Addr     string
	BaseURL  string
	LogLevel slog.Level
	// LogFormat is how log records are written to stderr: text
	// (slog.TextHandler, key=value) or json (slog.JSONHandler, one object a
	// line, for log collectors).
	LogFormat string

	// TLS (issue 15, part 4): a certificate and key in PEM files, or
	// certificates from an ACME CA (Let's Encrypt) for TLSAutocert's
	// domains, kept in TLSAutocertCache ("" = DB-autocert next to a SQLite
	// file DB), with HTTP-01 challenges answered on TLSAutocertHTTPAddr
	// ("" = none: TLS-ALPN-01 on the TLS port only).
	TLSCert             string
	TLSKey              string
	TLSAutocert         []string
	TLSAutocertCache    string
	TLSAutocertHTTPAddr string

	InstituteName string
	Timezone      string

	JWTSecret     string
	TokenLifetime time.Duration
	BcryptCost    int

	// The login throttle's limits (auth.LoginLimits).
	LoginFailuresPerUserAddress int
	LoginFailuresPerUser        int
	LoginFailuresPerAddress     int
	LoginWindow                 time.Duration

	TrustedProxies []netip.Prefix
	// AllowedHosts are the Host header values served (Django's ALLOWED_HOSTS);
	// empty means the base URL's host. Loopback names are always served.
	AllowedHosts []string
	// CORSOrigins are the origins whose scripts may call the API, exactly as
	// browsers send Origin (scheme://host[:port], lower case), or ["*"] for
	// any; empty sends no CORS headers (httpapi.Server.CORSOrigins).
	CORSOrigins []string

	MaxBodyBytes    int64
	MaxImportBytes  int64
	DryRun          bool   // import: check only
	BundlePath      string // import: the bundle file
	ShutdownTimeout time.Duration
	PprofAddr       string // serve: where to serve Go profiles ("" = nowhere)
	MetricsAddr     string // serve: where to serve Prometheus metrics ("" = nowhere)
	// SQLiteSynchronous is SQLite's synchronous setting: normal or full
	// (see sqlstore.Options).
	SQLiteSynchronous string
	// WriteQueue bounds the writes waiting to be written; one more is a 503.
	WriteQueue     int
	MaxInFlight    int // serve: requests handled at once; one more is a 503
	MaxConnections int // serve: most open API connections (0: from the open-file limit; see limitConnections)
	SweepInterval  time.Duration

	// Webhooks (SPEC §10, issue 13): where events go, the keys that sign
	// them, and the delivery worker's schedule (webhook.Options).
	ExamWebhookURL      string
	ContentWebhookURL   string
	WebhookPublicKey    string
	WebhookPrivateKey   string // never logged
	WebhookEvents       map[examhall.WebhookEvent]bool
	WebhookTimeout      time.Duration
	WebhookBackoffMin   time.Duration
	WebhookBackoffMax   time.Duration
	WebhookGiveUpAfter  time.Duration
	WebhookAllowPrivate bool
	WebhookRetention    time.Duration

	// Exports (issue 14, part 5): where the files go ("" = next to the
	// SQLite file, or in the temporary directory for PostgreSQL; see
	// exportsDir) and how long a finished job and its file are kept.
	ExportsDir       string
	ExportsRetention time.Duration

	// ChangesRetention is how long the change feed keeps a deleted attempt's
	// tombstone (issue 16); a cursor older than a pruned one is 410.
	ChangesRetention time.Duration

	Demo bool // serve: load the demo institute into an empty database

	// demo (and serve --demo): the demo institute's size
	Students     int
	Exams        int
	Attempts     int
	Seed         uint64
	MaxQuestions int

	// backup: the file written; restore: the backup read.
	BackupTo    string
	RestoreFrom string

	// createadmin
	Username string
	Password string
	Email    string

	// healthcheck: how long to wait for serve's /healthz/ answer.
	HealthcheckTimeout time.Duration

	// loadtest: it talks to a server over HTTP and opens no database.
	LoadTest loadtest.Config
	JSONPath string // where to write the report as JSON too
}

// ParseConfig reads the command and its flags from args, with environment
// defaults from getenv. Flags may come before, between or after the
// positional arguments; "--" ends the flags. Asked for help (examhall -h,
// examhall help [COMMAND], examhall COMMAND -h), it prints it to stdout and
// returns flag.ErrHelp. A command line it cannot run is an error: a
// *UsageError when the usage or a command's help would help.
func ParseConfig(args []string, getenv func(string) string, stdout io.Writer) (Config, error) {
	var c Config
	if len(args) == 0 {
		return c, &UsageError{Err: errors.New("no command given"), Hint: usage()}
	}
	switch args[0] {
	case "-h", "-help", "--help":
		fmt.Fprint(stdout, usage())
		return c, flag.ErrHelp
	case "-version", "--version":
		args = append([]string{"version"}, args[1:]...)
	case "help":
		switch len(args) {
		case 1:
			fmt.Fprint(stdout, usage())
			return c, flag.ErrHelp
		case 2:
			name := args[1]
			if name == "-h" || name == "-help" || name == "--help" {
				name = "help"
			}
			cmd, ok := findCommand(name)
			if !ok {
				return c, unknownCommand(name)
			}
			fs, _ := newFlagSet(cmd.name, &c)
			printHelp(stdout, cmd, fs)
			return c, flag.ErrHelp
		default:
			return c, &UsageError{Err: fmt.Errorf("help takes one command, got %d: %s", len(args)-1, strings.Join(args[1:], " ")),
				Hint: `Run "examhall help" for the list of commands.`}
		}
	}
	if strings.HasPrefix(args[0], "-") {
		return c, &UsageError{Err: errors.New("no command given (flags come after it)"), Hint: usage()}
	}
	cmd, ok := findCommand(args[0])
	if !ok {
		return c, unknownCommand(args[0])
	}
	c.Command = cmd.name
	fs, failed := newFlagSet(cmd.name, &c)
	positional, err := parseArgs(fs, args[1:])
	switch {
	case errors.Is(err, flag.ErrHelp):
		printHelp(stdout, cmd, fs)
		return c, flag.ErrHelp
	case *failed != nil: // a value refused: the error names the flag and the form wanted
		return c, *failed
	case err != nil: // an unknown flag, or one without its value
		return c, &UsageError{Err: err, Hint: fmt.Sprintf(`Run "examhall %s -h" for its usage.`, cmd.name)}
	}
	if cmd.name == "import" {
		if len(positional) != 1 {
			list := ""
			if len(positional) > 0 {
				list = ": " + strings.Join(positional, " ")
			}
			return c, &UsageError{Err: fmt.Errorf("import takes one FILE, got %d%s", len(positional), list),
				Hint: `Run "examhall import -h" for its usage.`}
		}
		c.BundlePath = positional[0]
	} else if len(positional) > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(positional, " "))
	}
	if err := applyEnv(fs, getenv); err != nil {
		return c, err
	}
	addrGiven := getenv(envName("addr")) != ""
	fs.Visit(func(f *flag.Flag) { addrGiven = addrGiven || f.Name == "addr" })
	if len(c.TLSAutocert) > 0 && !addrGiven {
		// An ACME CA connects to port 443 (TLS-ALPN-01) or 80 (HTTP-01) of
		// the domain: a server getting its certificates faces the internet.
		c.Addr = ":443"
	}
	return c, c.validate()
}

// UsageError is a command line that examhall cannot run (exit status 2);
// Hint, when set, is printed after it: where to read how to write one.
type UsageError struct {
	Err  error
	Hint string
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func unknownCommand(name string) error {
	return &UsageError{Err: fmt.Errorf("unknown command %q", name), Hint: `Run "examhall help" for the list of commands.`}
}

// parseArgs parses the flags in args wherever they are among the positional
// arguments, which it returns (examhall import b.json --dry-run, as GNU tools
// allow); after "--" every argument is positional.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// newFlagSet defines the flags of command on c, with their defaults. A value
// refused while parsing is also stored in *failed, with the flag's name and
// the form wanted (the flag package's own message says only "parse error").
func newFlagSet(command string, c *Config) (fs *flag.FlagSet, failed *error) {
	fs = flag.NewFlagSet("examhall "+command, flag.ContinueOnError)
	// ParseConfig prints the help itself, to stdout, and the errors are
	// printed once, by the caller.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	switch command {
	case "version", "help":
		return fs, new(error)
	case "loadtest", "healthcheck": // clients of a server: no database
	default:
		fs.StringVar(&c.DB, "db", "examhall.db", "SQLite file path (created when missing), or a postgres:// URL")
	}
	fs.TextVar(&c.LogLevel, "log-level", slog.LevelInfo, "log level: debug, info, warn or error")
	fs.StringVar(&c.LogFormat, "log-format", "text", "log format: text (key=value) or json (one JSON object a line)")
	switch command {
	case "serve":
		fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "listen address; :8080 or 0.0.0.0:8080 listens on every network interface")
		fs.StringVar(&c.TLSCert, "tls-cert", "", "serve HTTPS (and HTTP/2) with this PEM certificate chain file; needs --tls-key")
		fs.StringVar(&c.TLSKey, "tls-key", "", "the PEM private key file of --tls-cert")
		fs.Func("tls-autocert", "comma-separated domains to get certificates for from Let's Encrypt (ACME) and serve HTTPS on; --addr then defaults to :443", func(v string) error {
			c.TLSAutocert = nil
			for _, item := range strings.Split(v, ",") {
				if item = strings.ToLower(strings.TrimSpace(item)); item != "" {
					c.TLSAutocert = append(c.TLSAutocert, item)
				}
			}
			return nil
		})
		fs.StringVar(&c.TLSAutocertCache, "tls-autocert-cache", "", "directory of the account key and certificates of --tls-autocert (default: DB-autocert next to a SQLite file DB; required with PostgreSQL)")
		fs.StringVar(&c.TLSAutocertHTTPAddr, "tls-autocert-http-addr", ":80", `with --tls-autocert, where to answer ACME HTTP-01 challenges and redirect http:// to https:// ("" for nowhere: TLS-ALPN-01 challenges on :443 only)`)
		fs.StringVar(&c.BaseURL, "base-url", "", "public base URL for absolute links (default: each request's scheme and Host)")
		fs.StringVar(&c.InstituteName, "institute-name", "", "institute name (stored in the database when given)")
		fs.StringVar(&c.Timezone, "timezone", "", "institute time zone, an IANA name such as Asia/Kolkata (stored in the database when given; default UTC)")
		fs.StringVar(&c.JWTSecret, "jwt-secret", "", "HS256 signing secret (default: generated once and kept in the database)")
		fs.DurationVar(&c.TokenLifetime, "token-lifetime", 7*24*time.Hour, "lifetime of issued tokens")
		fs.IntVar(&c.BcryptCost, "bcrypt-cost", 10, "bcrypt cost of new password hashes")
		fs.IntVar(&c.LoginFailuresPerUserAddress, "login-failures-per-user-address", 5, "failed logins of one username from one client address before each further attempt of theirs waits (1s, doubling)")
		fs.IntVar(&c.LoginFailuresPerUser, "login-failures-per-user", 20, "failed logins of one username from all addresses before every address that failed for it waits from its first failure")
		fs.IntVar(&c.LoginFailuresPerAddress, "login-failures-per-address", 100, "failed logins from one client address for all usernames before every username that failed there waits from its first failure")
		fs.DurationVar(&c.LoginWindow, "login-window", 15*time.Minute, "failed logins are forgotten this long after the latest; waits last at most half of it")
		fs.Func("allowed-hosts", "comma-separated Host header values served, besides localhost, 127.0.0.1 and ::1: names, .example.com for a domain and its subdomains, or * for any (default: the --base-url host)", func(v string) error {
			c.AllowedHosts = nil
			for _, item := range strings.Split(v, ",") {
				if item = strings.TrimSpace(item); item != "" {
					c.AllowedHosts = append(c.AllowedHosts, item)
				}
			}
			return nil
		})
		fs.Func("cors-origins", "comma-separated origins (https://app.example.com) whose scripts may call the API with an Authorization header, or * for any; never with the session cookie (default: none, no CORS headers)", func(v string) error {
			origins, err := parseOrigins(v)
			c.CORSOrigins = origins
			return err
		})
		fs.Func("trusted-proxies", "comma-separated addresses or CIDRs of load balancers whose X-Forwarded-For and X-Forwarded-Proto are believed", func(v string) error {
			c.TrustedProxies = c.TrustedProxies[:0]
			for _, item := range strings.Split(v, ",") {
				item = strings.TrimSpace(item)
				p, err := netip.ParsePrefix(item)
				if err != nil {
					addr, aerr := netip.ParseAddr(item)
					if aerr != nil {
						return fmt.Errorf("%q is not an address or CIDR", item)
					}
					p = netip.PrefixFrom(addr, addr.BitLen())
				}
				c.TrustedProxies = append(c.TrustedProxies, p.Masked())
			}
			return nil
		})
		fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", 1<<20, "largest request body accepted, in bytes")
		fs.Int64Var(&c.MaxImportBytes, "max-import-bytes", 256<<20, "largest bundle accepted by the import endpoint, in bytes")
		fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 30*time.Second, "how long shutdown (Ctrl-C, SIGTERM) waits for in-flight requests")
		fs.StringVar(&c.ExamWebhookURL, "exam-webhook-url", "", "http(s) URL that exam attempt events are POSTed to (default: none; the admin settings API overrides it)")
		fs.StringVar(&c.ContentWebhookURL, "content-webhook-url", "", "http(s) URL that chapter content attempt events are POSTed to (default: none; the admin settings API overrides it)")
		fs.StringVar(&c.WebhookPublicKey, "webhook-public-key", "", "the key field of webhook payloads (the admin settings API overrides it)")
		fs.StringVar(&c.WebhookPrivateKey, "webhook-private-key", "", "the HMAC-SHA512 key of the payloads' hash (never logged; the admin settings API overrides it)")
		c.WebhookEvents, _ = examhall.ParseWebhookEvents(examhall.DefaultWebhookEvents)
		fs.Func("webhook-events", "comma-separated exam events sent: started, completed, graded, regraded (default started,completed; the admin settings API overrides it)", func(v string) error {
			events, err := examhall.ParseWebhookEvents(v)
			if err == nil {
				c.WebhookEvents = events
			}
			return err
		})
		fs.DurationVar(&c.WebhookTimeout, "webhook-timeout", 10*time.Second, "how long a webhook receiver has to answer 2xx")
		fs.DurationVar(&c.WebhookBackoffMin, "webhook-backoff-min", 10*time.Second, "delay before the first retry of a webhook; doubles per failed try")
		fs.DurationVar(&c.WebhookBackoffMax, "webhook-backoff-max", time.Hour, "longest delay between webhook retries")
		fs.DurationVar(&c.WebhookGiveUpAfter, "webhook-give-up-after", 72*time.Hour, "a webhook still failing this long after its event is marked failed")
		fs.BoolVar(&c.WebhookAllowPrivate, "webhook-allow-private", false, "allow webhook URLs that resolve to loopback, link-local or private addresses")
		fs.DurationVar(&c.WebhookRetention, "webhook-retention", 30*24*time.Hour, "how long delivered webhooks stay in the delivery log")
		fs.StringVar(&c.ExportsDir, "exports-dir", "", "directory of the export files (default: DB-exports next to a SQLite file DB; examhall-exports in the temporary directory for PostgreSQL)")
		fs.DurationVar(&c.ExportsRetention, "exports-retention", 24*time.Hour, "how long a finished export and its file are kept")
		fs.DurationVar(&c.ChangesRetention, "changes-retention", 30*24*time.Hour, "how long the attempts change feed keeps a deleted attempt's tombstone; a cursor older than that answers 410")
		fs.DurationVar(&c.SweepInterval, "sweep-interval", 30*time.Second, "how often running attempts are checked for time running out")
		fs.StringVar(&c.SQLiteSynchronous, "sqlite-synchronous", "normal", "SQLite durability: normal (an acknowledged write survives a crash of the process) or full (it survives power loss: fsync before each acknowledgement)")
		fs.IntVar(&c.MaxInFlight, "max-in-flight", 2048, "requests handled at once (health checks aside); one more is answered 503 with Retry-After at once, so memory follows this, not the load (0: no bound)")
		fs.IntVar(&c.WriteQueue, "write-queue", sqlstore.DefaultWriteQueue, "writes that may wait to be written; one more is answered 503 with Retry-After")
		fs.IntVar(&c.MaxConnections, "max-connections", 0, "most client connections held open at once; clients over it wait to be accepted (0: the open-file limit less a reserve for the database, logs and pprof)")
		fs.StringVar(&c.PprofAddr, "pprof-addr", "", "serve Go profiles (/debug/pprof/) on this address, e.g. 127.0.0.1:6060 (default: off)")
		fs.StringVar(&c.MetricsAddr, "metrics-addr", "", "serve Prometheus metrics (GET /metrics) on this address, e.g. 127.0.0.1:9090, never on --addr (default: off)")
		fs.BoolVar(&c.Demo, "demo", false, "load the demo institute into an empty database and print the admin login")
		c.Students, c.Exams, c.Attempts, c.Seed = 200, 12, 2000, 1 // serve --demo: small, ready in seconds
	case "demo":
		fs.IntVar(&c.Students, "students", 2000, "number of students")
		fs.IntVar(&c.Exams, "exams", 50, "number of exams")
		fs.IntVar(&c.Attempts, "attempts", 20000, "number of exam attempts")
		fs.Uint64Var(&c.Seed, "seed", 1, "random seed: the same seed and sizes give the same institute")
		fs.IntVar(&c.MaxQuestions, "max-questions", 0, "cap on each exam's questions (0: the demo's own sizes, up to 45)")
		fs.IntVar(&c.BcryptCost, "bcrypt-cost", 10, "bcrypt cost of the admin and student password hashes")
	case "migrate":
	case "import":
		fs.BoolVar(&c.DryRun, "dry-run", false, "check the bundle and write nothing: the database is neither created nor migrated")
		fs.IntVar(&c.BcryptCost, "bcrypt-cost", 10, "bcrypt cost of imported passwords")
	case "backup":
		fs.StringVar(&c.BackupTo, "to", "", "the backup file to write; it must not exist (required)")
	case "restore":
		fs.StringVar(&c.RestoreFrom, "from", "", "the backup file to read, written by examhall backup (required)")
	case "createadmin":
		fs.StringVar(&c.Username, "username", "admin", "admin username")
		fs.StringVar(&c.Password, "password", "", "admin password (required)")
		fs.StringVar(&c.Email, "email", "", "admin email")
		fs.IntVar(&c.BcryptCost, "bcrypt-cost", 10, "bcrypt cost of the password hash")
	case "healthcheck":
		fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "serve's listen address (EXAMHALL_ADDR, as serve reads it); an address without a host, :8080, is checked on 127.0.0.1")
		fs.DurationVar(&c.HealthcheckTimeout, "timeout", 5*time.Second, "how long to wait for the answer")
	case "loadtest":
		lt := &c.LoadTest
		*lt = loadtest.DefaultConfig()
		fs.StringVar(&lt.URL, "url", lt.URL, "base URL of the examhall server under test")
		fs.StringVar(&lt.AdminUsername, "admin-username", "", "admin username: the run creates its students and exam through the admin API (required)")
		fs.StringVar(&lt.AdminPassword, "admin-password", "", "admin password (required)")
		fs.IntVar(&lt.Students, "students", lt.Students, "simulated students")
		fs.IntVar(&lt.Questions, "questions", lt.Questions, fmt.Sprintf("single-choice questions of the exam (at most %d)", loadtest.MaxQuestions))
		fs.DurationVar(&lt.Ramp, "ramp", lt.Ramp, "each student starts at a random moment within this window")
		fs.DurationVar(&lt.SaveEvery, "save-every", lt.SaveEvery, "time between one student's answer saves; 0 saves back to back (the highest sustained rate)")
		fs.DurationVar(&lt.HeartbeatEvery, "heartbeat-every", lt.HeartbeatEvery, "time between one student's heartbeats")
		fs.DurationVar(&lt.Hold, "hold", lt.Hold, "time after the ramp until every student ends at the same moment")
		fs.IntVar(&lt.Readers, "readers", lt.Readers, "admin goroutines reading the reporting API during the storm")
		fs.DurationVar(&lt.Timeout, "timeout", lt.Timeout, "hard bound on the whole run, setup and cleanup included")
		fs.BoolVar(&lt.AllowRemote, "allow-remote", false, "allow a --url that is not this machine (loopback)")
		fs.StringVar(&c.JSONPath, "json", "", "also write the report as JSON to this file")
		fs.Uint64Var(&lt.Seed, "seed", 0, "random seed of start offsets and answers (0: random; the report shows it)")
		fs.IntVar(&lt.LoginConcurrency, "concurrency-login", lt.LoginConcurrency, "parallel student logins during setup")
		fs.BoolVar(&lt.Cleanup, "cleanup", false, "delete the run's students and exam afterwards")
		fs.IntVar(&lt.MaxRetries, "max-retries", lt.MaxRetries, "times one request answered 503 with Retry-After is sent again, after the wait it asks for, jittered (0: a 503 is an error)")
	}
	failed = new(error)
	fs.VisitAll(func(f *flag.Flag) {
		f.Value = &checkedValue{Value: f.Value, want: wantedForm(f.Value), flag: f.Name, failed: failed}
	})
	return fs, failed
}

// argNames name the value of the flags whose type alone says too little, in
// the help: --addr HOST:PORT.
var argNames = map[string]string{
	"addr": "HOST:PORT", "pprof-addr": "HOST:PORT", "metrics-addr": "HOST:PORT", "db": "PATH|URL", "base-url": "URL", "url": "URL", "json": "FILE",
	"allowed-hosts": "HOSTS", "cors-origins": "ORIGINS", "log-format": "text|json", "trusted-proxies": "CIDRS", "timezone": "ZONE", "log-level": "LEVEL", "sqlite-synchronous": "normal|full", "exports-dir": "DIR",
	"to": "FILE", "from": "FILE",
	"tls-cert": "FILE", "tls-key": "FILE", "tls-autocert": "DOMAINS", "tls-autocert-cache": "DIR", "tls-autocert-http-addr": "HOST:PORT",
}

// checkedValue is a flag's value that, refusing a value, says which form it
// wants, and keeps that error, with the flag's name, in failed.
type checkedValue struct {
	flag.Value
	want   string // after "is not": "a duration such as 30s or 5m"; "" keeps the value's own error
	flag   string
	failed *error
}

func (v *checkedValue) Set(s string) error {
	err := v.Value.Set(s)
	if err == nil {
		return nil
	}
	if v.want != "" {
		err = fmt.Errorf("%q is not %s", s, v.want)
	}
	*v.failed = fmt.Errorf("--%s: %w", v.flag, err)
	return err
}

// IsBoolFlag lets a boolean flag stand without its value (--dry-run).
func (v *checkedValue) IsBoolFlag() bool {
	b, ok := v.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// wantedForm is the form of a value of v's type, for its errors.
func wantedForm(v flag.Value) string {
	g, ok := v.(flag.Getter)
	if !ok {
		return ""
	}
	switch g.Get().(type) {
	case time.Duration:
		return "a duration such as 30s or 5m"
	case int, int64:
		return "a whole number such as 10"
	case uint64:
		return "a whole number, 0 or more, such as 1"
	case bool:
		return "true or false"
	case *slog.Level:
		return "one of debug, info, warn or error"
	}
	return ""
}

// envName is the environment twin of the flag --name: EXAMHALL_NAME.
func envName(flag string) string {
	return "EXAMHALL_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// applyEnv sets each flag not given on the command line from its EXAMHALL_* twin.
func applyEnv(fs *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		env := envName(f.Name)
		if v := getenv(env); v != "" && !given[f.Name] {
			if err := f.Value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", env, err))
			}
		}
	})
	return errors.Join(errs...)
}

func (c *Config) validate() error {
	for name, v := range map[string]int64{
		"--login-failures-per-user-address": int64(c.LoginFailuresPerUserAddress),
		"--login-failures-per-user":         int64(c.LoginFailuresPerUser),
		"--login-failures-per-address":      int64(c.LoginFailuresPerAddress),
		"--login-window":                    int64(c.LoginWindow),
		"--sweep-interval":                  int64(c.SweepInterval),
		"--token-lifetime":                  int64(c.TokenLifetime),
		"--max-body-bytes":                  c.MaxBodyBytes,
		"--max-import-bytes":                c.MaxImportBytes,
		"--webhook-timeout":                 int64(c.WebhookTimeout),
		"--webhook-backoff-min":             int64(c.WebhookBackoffMin),
		"--webhook-backoff-max":             int64(c.WebhookBackoffMax),
		"--webhook-give-up-after":           int64(c.WebhookGiveUpAfter),
		"--webhook-retention":               int64(c.WebhookRetention),
		"--exports-retention":               int64(c.ExportsRetention),
		"--changes-retention":               int64(c.ChangesRetention),
	} {
		if c.Command == "serve" && v <= 0 {
			return fmt.Errorf("%s must be positive", name)
		}
	}
	if c.Command == "serve" {
		if c.SQLiteSynchronous != "normal" && c.SQLiteSynchronous != "full" {
			return fmt.Errorf("--sqlite-synchronous: want normal or full, got %q", c.SQLiteSynchronous)
		}
		if c.WriteQueue < 1 {
			return errors.New("--write-queue must be at least 1")
		}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" && c.LogFormat != "" { // "": version and help, which log nothing
		return fmt.Errorf("--log-format: want text or json, got %q", c.LogFormat)
	}
	if c.Command == "healthcheck" && c.HealthcheckTimeout <= 0 {
		return errors.New("--timeout must be positive")
	}
	if c.MaxInFlight < 0 {
		return errors.New("--max-in-flight must not be negative")
	}
	if c.MaxConnections < 0 {
		return errors.New("--max-connections must not be negative")
	}
	if c.Timezone != "" {
		if _, err := time.LoadLocation(c.Timezone); err != nil {
			return fmt.Errorf("--timezone: unknown time zone %q", c.Timezone)
		}
	}
	for name, v := range map[string]string{"--exam-webhook-url": c.ExamWebhookURL, "--content-webhook-url": c.ContentWebhookURL} {
		if u, err := url.Parse(v); v != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
			return fmt.Errorf("%s: want an http(s):// URL, got %q", name, v)
		}
	}
	if c.Command == "serve" && c.WebhookBackoffMax < c.WebhookBackoffMin {
		return errors.New("--webhook-backoff-max must not be below --webhook-backoff-min")
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--base-url: want http(s)://host[:port][/path], got %q", c.BaseURL)
		}
	}
	if c.Command == "demo" {
		switch {
		case c.Students < 1:
			return errors.New("--students must be at least 1")
		case c.Exams < 1:
			return errors.New("--exams must be at least 1")
		case c.Attempts < 0:
			return errors.New("--attempts must not be negative")
		case c.MaxQuestions < 0:
			return errors.New("--max-questions must not be negative")
		}
	}
	switch {
	case (c.TLSCert == "") != (c.TLSKey == ""):
		return errors.New("--tls-cert and --tls-key go together: give both or neither")
	case c.TLSCert != "" && len(c.TLSAutocert) > 0:
		return errors.New("--tls-autocert gets its own certificates: give it or --tls-cert and --tls-key, not both")
	case len(c.TLSAutocert) == 0 && c.TLSAutocertCache != "":
		return errors.New("--tls-autocert-cache needs --tls-autocert")
	case len(c.TLSAutocert) > 0 && c.TLSAutocertCache == "" && sqlstore.IsPostgresURL(c.DB):
		return errors.New("--tls-autocert needs --tls-autocert-cache with PostgreSQL: a directory kept across restarts (shared by the replicas)")
	}
	for _, domain := range c.TLSAutocert {
		if strings.ContainsAny(domain, ":/ *") || net.ParseIP(domain) != nil || !strings.Contains(domain, ".") {
			return fmt.Errorf("--tls-autocert: %q is not a domain name (an ACME CA certifies names such as exams.example.org, not addresses)", domain)
		}
	}
	switch {
	case c.Command == "backup" && c.BackupTo == "":
		return errors.New("backup: --to FILE is required")
	case c.Command == "restore" && c.RestoreFrom == "":
		return errors.New("restore: --from FILE is required")
	case (c.Command == "backup" || c.Command == "restore") && sqlstore.IsPostgresURL(c.DB):
		// Refused before connecting: PostgreSQL's own tools do it (sqlstore.PostgresBackupAdvice).
		return fmt.Errorf("%s: examhall backs up only SQLite databases; %s", c.Command, sqlstore.PostgresBackupAdvice(c.DB))
	}
	if c.Command == "createadmin" && c.Password == "" {
		return errors.New("createadmin: --password is required")
	}
	if c.Command == "loadtest" {
		if err := c.LoadTest.Validate(); err != nil {
			return err
		}
		// Refused here, as a configuration error, before anything is sent.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return loadtest.CheckTarget(ctx, c.LoadTest.URL, c.LoadTest.AllowRemote)
	}
	return nil
}

// parseOrigins reads --cors-origins: "*" alone, or comma-separated origins,
// each scheme://host[:port] with scheme http or https and nothing after the
// host (an Origin header has no path), lower-cased as browsers send them.
func parseOrigins(v string) ([]string, error) {
	var origins []string
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if item == "*" {
			origins = append(origins, item)
			continue
		}
		u, err := url.Parse(item)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" ||
			u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.HasSuffix(item, "?") || strings.HasSuffix(item, "#") {
			return nil, fmt.Errorf("%q is not an origin such as https://app.example.com (scheme, host and port only)", item)
		}
		origins = append(origins, strings.ToLower(item))
	}
	if len(origins) > 1 && slices.Contains(origins, "*") {
		return nil, errors.New(`"*" allows every origin and must be given alone`)
	}
	return origins, nil
}
