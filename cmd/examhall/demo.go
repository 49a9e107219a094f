package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/auth"
	"github.com/examhall/examhall/demo"
	"github.com/schollz/progressbar/v3"
)

// loadDemo gives an empty database the demo institute (SPEC §11) and an admin,
// and prints both logins. A database with exams or students keeps them: the
// demo never mixes with real data.
func (m *Main) loadDemo(ctx context.Context, authService *auth.Service) error {
	if err := m.demoAdmin(ctx, authService); err != nil {
		return err
	}
	held, err := m.db.HoldsInstitute(ctx)
	if err != nil {
		return err
	}
	if held && m.Config.Command == "demo" {
		return errors.New("the database already has exams or students; the demo loads into an empty one")
	}
	password, err := randomText(9)
	if err != nil {
		return err
	}
	hash, err := (&auth.Passwords{Cost: m.Config.BcryptCost}).Hash(password)
	if err != nil {
		return err
	}
	if held {
		fmt.Fprintln(m.Stdout, "examhall: the database already has exams or students; no demo data loaded")
		return m.resetDemoPassword(ctx, password, hash)
	}
	o := demo.Options{Students: m.Config.Students, Exams: m.Config.Exams, Attempts: m.Config.Attempts,
		Seed: m.Config.Seed, MaxQuestions: m.Config.MaxQuestions, Now: m.Clock.Now(), StudentPasswordHash: hash}
	// A bar on a terminal; in logs, nothing until the summary.
	if stat, err := os.Stderr.Stat(); err == nil && stat.Mode()&os.ModeCharDevice != 0 && m.Config.Command == "demo" {
		bar := progressbar.NewOptions(o.Attempts, progressbar.OptionSetWriter(os.Stderr),
			progressbar.OptionSetDescription("attempts"), progressbar.OptionShowCount(), progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("attempts"), progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish())
		o.Progress = func(stored int) { bar.Set(stored) } //nolint:errcheck // a progress bar
		defer bar.Finish()                                //nolint:errcheck // a progress bar
	}
	started := time.Now()
	sum, err := demo.Load(ctx, m.db, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "examhall: demo institute loaded in %s: %d students, %d subjects, %d exams (%d questions), %d courses, "+
		"%d attempts (%d completed, %d running, %d not started)\n", time.Since(started).Round(100*time.Millisecond),
		sum.Students, sum.Subjects, sum.Exams, sum.Questions, sum.Courses, sum.Attempts,
		sum.AttemptsByState[examhall.AttemptCompleted], sum.AttemptsByState[examhall.AttemptRunning],
		sum.AttemptsByState[examhall.AttemptNotStarted])
	fmt.Fprintf(m.Stdout, "examhall: the courses have %d chapter tests open now and %d content attempts; "+
		"an essay awaits grading; a doubt-clearing class starts in 10 minutes (join from now)\n",
		sum.CourseTests, sum.ContentAttempts)
	fmt.Fprintf(m.Stdout, "examhall: students log in as %s … %s with password %s\n",
		demo.StudentUsername(1), demo.StudentUsername(sum.Students), password)
	return nil
}

// resetDemoPassword gives the demo's students a new shared password on a
// later serve --demo and prints it: examhall keeps only password hashes, so
// the one printed at the first start cannot be shown again; a new one can.
// Students who changed their password keep theirs. A database the demo did
// not load (no examhall.SettingDemoPasswordHash) is left alone.
func (m *Main) resetDemoPassword(ctx context.Context, password, hash string) error {
	n, err := m.db.ResetSharedPassword(ctx, hash)
	if examhall.ErrorCodeOf(err) == examhall.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "examhall: students log in as %s … with password %s (re-set on this start for the %d "+
		"students who had not changed it)\n", demo.StudentUsername(1), password, n)
	return nil
}

// demoAdmin creates the admin of a database without users and prints its login.
func (m *Main) demoAdmin(ctx context.Context, authService *auth.Service) error {
	_, count, err := m.db.Users(ctx, examhall.UserFilter{Limit: 1})
	if err != nil {
		return err
	}
	if count > 0 {
		fmt.Fprintln(m.Stdout, "examhall: the database already has users; the admin login is unchanged "+
			"(examhall createadmin --username admin --password … resets it)")
		return nil
	}
	password, err := randomText(12)
	if err != nil {
		return err
	}
	if _, err := authService.EnsureAdmin(ctx, "admin", password, "admin@example.com"); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "examhall: admin login: username admin, password %s\n", password)
	return nil
}
