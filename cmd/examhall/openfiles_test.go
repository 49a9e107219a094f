package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// TestServeMaxConnections: serve --max-connections 2 holds two keep-alive
// connections open and serves a third client only once one of them closes;
// meanwhile the third waits, connected, in the kernel's accept queue.
func TestServeMaxConnections(t *testing.T) {
	m, _ := start(t, "--db", sqltest.DSN(t, sqlstore.SQLite), "--max-connections", "2")
	addr := m.listener.Addr().String()
	open := func() (net.Conn, *bufio.Reader) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if _, err := io.WriteString(c, "GET /healthz/ HTTP/1.1\r\nHost: localhost\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		return c, bufio.NewReader(c)
	}
	served := func(c net.Conn, r *bufio.Reader, within time.Duration) error {
		c.SetReadDeadline(time.Now().Add(within)) //nolint:errcheck // a failure shows as a read error
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	first, firstReader := open()
	if err := served(first, firstReader, 5*time.Second); err != nil {
		t.Fatalf("first connection: %v", err)
	}
	second, secondReader := open()
	if err := served(second, secondReader, 5*time.Second); err != nil {
		t.Fatalf("second connection: %v", err)
	}
	// Both stay open (keep-alive): a third client is connected but not served.
	third, thirdReader := open()
	if err := served(third, thirdReader, 300*time.Millisecond); err == nil {
		t.Fatal("a third connection was served beside two open ones")
	} else if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Fatalf("third connection: %v, want a read time-out", err)
	}
	first.Close()
	if err := served(third, thirdReader, 5*time.Second); err != nil {
		t.Fatalf("third connection after the first closed: %v", err)
	}
}

func TestFDReserve(t *testing.T) {
	perCPU := 256 + 8*uint64(runtime.GOMAXPROCS(0))
	for _, tt := range []struct{ limit, want uint64 }{
		{1024, min(perCPU, 512)},
		{20000, max(perCPU, 2500)},
		{1 << 20, 1 << 17},
		{100, 50}, // a small limit is shared half and half
	} {
		if got := fdReserve(tt.limit); got != tt.want {
			t.Errorf("fdReserve(%d) = %d, want %d", tt.limit, got, tt.want)
		}
	}
}
