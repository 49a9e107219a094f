package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/examhall/examhall/loadtest"
)

// loadtest runs a storm against a server and prints the report; --json
// writes it as JSON too. Progress lines go to stderr only when it is a
// terminal, so that logs and CI output hold just the report. A storm cut
// short by --timeout or a signal is a failure of the command, after its report.
func (m *Main) loadtest(ctx context.Context) error {
	cfg := m.Config.LoadTest
	if isTerminal(m.Stderr) {
		cfg.Progress = m.Stderr
	}
	report, err := loadtest.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if err := report.Text(m.Stdout); err != nil {
		return err
	}
	if m.Config.JSONPath != "" {
		f, err := os.Create(m.Config.JSONPath)
		if err != nil {
			return err
		}
		if err := report.WriteJSON(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	switch {
	case report.TimedOut:
		return fmt.Errorf("loadtest: --timeout %s stopped the storm before every student ended", cfg.Timeout)
	case report.Interrupted:
		return errors.New("loadtest: interrupted before every student ended")
	}
	return nil
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
