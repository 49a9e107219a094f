package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// command is one of examhall's commands, as its help shows it.
type command struct {
	name    string
	args    string // its positional arguments, in its usage line ("FILE"); "" for none
	summary string // one line, in the list of commands
	about   string // what it does, in its own help: lines of at most 80 characters
}

var commands = []command{
	{"serve", "", "run the HTTP server (on 127.0.0.1:8080 unless --addr says otherwise)", `
Migrates the database, then serves the API until it is stopped. It listens
on 127.0.0.1:8080, which only this machine can reach: put a reverse proxy
with TLS in front of it, or give --addr :8080 to listen on every network
interface. Ctrl-C or SIGTERM stops it gracefully: it takes no new requests
and lets those in flight finish (up to --shutdown-timeout).`},
	{"migrate", "", "create the database, or bring its schema up to date", `
Creates the database's tables when they do not exist (and the SQLite file),
applies the schema migrations it lacks, and prints the schema version. serve
migrates too; this is for upgrading before replicas start.`},
	{"import", "FILE", "load an institute bundle: users, subjects, exams, courses and past attempts", `
Loads FILE, an institute bundle: one JSON document (format examhall-bundle/1)
with the institute's name and time zone, its users, subjects, exams with
their questions, courses and past attempts. It is imported in one
transaction: any error imports nothing, and every error is listed. Records
are matched by their natural keys (username, subject key, exam slug, question
key), so importing the same file twice changes nothing the second time.

With --dry-run the bundle is checked and nothing is written. A SQLite file
that does not exist is not created: the bundle is checked against an empty
database in a temporary directory. An existing database is not migrated: it
must be at this version's schema (run examhall migrate first).`},
	{"demo", "", "fill an empty database with a made-up institute to try examhall on", `
Fills an empty database with a made-up institute: subjects, a question bank
of every question type, exams, courses, and students with scored attempts;
then prints the admin's and the students' logins. The same --seed and sizes
give the same institute. A database that already has exams or students is
refused: the demo never mixes with real data. (serve --demo loads a smaller
one when it starts.)`},
	{"backup", "", "copy a live SQLite database to a file, while serve keeps serving", `
Writes a consistent copy of the SQLite database --db to the file --to, which
must not exist: the copy holds every write committed before it began, while
a running serve keeps serving and writing (SQLite's VACUUM INTO, in a read
transaction of its own). The copy is one compact file; keep it off the
database's disk. On PostgreSQL it refuses and shows the pg_dump, pg_restore
and point-in-time recovery commands to use instead.`},
	{"restore", "", "make a new SQLite database from a backup file", `
Copies the backup --from (a file written by examhall backup) to --db, which
must not exist or be empty: a restore never overwrites a database. The
backup must be an examhall database of this version's schema or an older
one, which is migrated forward; the backup file itself is not changed.
Stop serve, restore to a new path, then start serve with --db on it.`},
	{"createadmin", "", "create the admin user, or reset its password and role", `
Creates the admin user; when the username exists (in any case), sets its
password and makes it an active, unblocked admin.`},
	{"loadtest", "", "simulate an exam morning against a running server and report latencies", `
Simulates an exam morning against a running examhall: --students students
log in, start one exam within --ramp, save answers and send heartbeats, and
all end together after --hold, while admins read the reports. Prints the
latency percentiles and errors of each endpoint. It opens no database: it
creates its students and exam through the admin API (--admin-username,
--admin-password), and targets only this machine unless --allow-remote.`},
	{"healthcheck", "", "check that serve answers on this machine (exit 0) or not (exit 1)", `
Asks the server listening at --addr (on 127.0.0.1 when the address has no
host, as :8080) for GET /healthz/ and exits 0 when it answers 200, 1
otherwise. It reads EXAMHALL_ADDR as serve does, so in a container image
without curl it is the HEALTHCHECK: examhall healthcheck.`},
	{"version", "", "print the version of this build", `
Prints the version of this build: the module version, the commit it was
built from (with its time, and "modified" when the working tree had
uncommitted changes) and the Go release that built it.`},
	{"help", "[COMMAND]", "print this list, or the help of one command", `
Prints the list of commands, or the help of COMMAND, with its flags.`},
}

// findCommand returns the command called name.
func findCommand(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// usage is examhall's usage: the list of commands, one line each.
func usage() string {
	var b strings.Builder
	b.WriteString(`usage: examhall <command> [flags]

examhall serves online exams: authoring, students' attempts, scoring and
reports, over a JSON API.

commands:
`)
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-12s %s\n", c.name, c.summary)
	}
	b.WriteString(`
"examhall help <command>" or "examhall <command> -h" shows a command's flags.
Every flag --some-name can also be set with the environment variable
EXAMHALL_SOME_NAME; a flag given on the command line wins.
`)
	return b.String()
}

// printHelp writes the help of cmd, whose flags fs holds: its usage line,
// what it does, and each flag as --name with its environment twin.
func printHelp(w io.Writer, cmd command, fs *flag.FlagSet) {
	flags := 0
	fs.VisitAll(func(*flag.Flag) { flags++ })
	line := "usage: examhall " + cmd.name
	if flags > 0 {
		line += " [flags]"
	}
	if cmd.args != "" {
		line += " " + cmd.args
	}
	fmt.Fprintf(w, "%s\n%s\n", line, cmd.about)
	if flags == 0 {
		return
	}
	fmt.Fprint(w, "\nflags (each can also be set with the environment variable shown; a flag given\non the command line wins):\n")
	fs.VisitAll(func(f *flag.Flag) {
		value := f.Value
		if v, ok := value.(*checkedValue); ok {
			value = v.Value
		}
		// UnquoteUsage names the value by its type: duration, int, string.
		name, usage := flag.UnquoteUsage(&flag.Flag{Name: f.Name, Usage: f.Usage, Value: value})
		if n, ok := argNames[f.Name]; ok {
			name = n
		}
		if name != "" {
			name = " " + name
		}
		fmt.Fprintf(w, "  --%s%s  (env %s)\n      %s%s\n", f.Name, name, envName(f.Name), usage, defaultText(f.DefValue, value))
	})
}

// defaultText is " (default …)" for a default worth showing: not empty, zero
// or false, which the flag's text explains where it matters.
func defaultText(def string, value flag.Value) string {
	switch def {
	case "", "0", "0s", "false":
		return ""
	}
	if g, ok := value.(flag.Getter); ok {
		if _, ok := g.Get().(string); ok {
			def = fmt.Sprintf("%q", def)
		}
	}
	return " (default " + def + ")"
}
