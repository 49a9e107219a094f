package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"syscall"
	"testing"

	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// TestServeOpenFiles: serve raises the soft open-file limit to the hard one,
// logs both, and caps connections at the soft limit less the reserve.
func TestServeOpenFiles(t *testing.T) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skip(err)
	}
	var logs bytes.Buffer
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, io.Discard
	if err := m.ParseFlags([]string{"serve", "--addr", "127.0.0.1:0", "--db", sqltest.DSN(t, sqlstore.SQLite)},
		func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	m.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	want := fmt.Sprintf(`msg="open files" soft_limit=%d hard_limit=%d max_connections=%d`, lim.Max, lim.Max, lim.Max-fdReserve(lim.Max))
	if !strings.Contains(logs.String(), want) {
		t.Errorf("log lacks %s:\n%s", want, logs.String())
	}
}
