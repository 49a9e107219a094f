package fdlimit_test

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/examhall/examhall/fdlimit"
)

// acceptAll accepts from l until it fails, sending each connection on the
// channel it returns and the error that ended it on errc.
func acceptAll(t *testing.T, l net.Listener) (<-chan net.Conn, <-chan error) {
	t.Helper()
	conns, errc := make(chan net.Conn, 16), make(chan error, 1)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				errc <- err
				return
			}
			conns <- c
		}
	}()
	return conns, errc
}

func dial(t *testing.T, l net.Listener) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func accepted(t *testing.T, conns <-chan net.Conn, client net.Conn) net.Conn {
	t.Helper()
	select {
	case c := <-conns:
		if c.RemoteAddr().String() != client.LocalAddr().String() {
			t.Fatalf("accepted %s, want %s", c.RemoteAddr(), client.LocalAddr())
		}
		return c
	case <-time.After(5 * time.Second):
		t.Fatalf("%s was not accepted", client.LocalAddr())
		return nil
	}
}

func notAccepted(t *testing.T, conns <-chan net.Conn) {
	t.Helper()
	select {
	case c := <-conns:
		t.Fatalf("accepted %s over the cap", c.RemoteAddr())
	case <-time.After(200 * time.Millisecond):
	}
}

// TestListenerCap: with a cap of 2, a third client waits (connected, in the
// kernel's accept queue) until one of the two open connections closes.
func TestListenerCap(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := fdlimit.Listener(inner, 2)
	defer l.Close()
	conns, _ := acceptAll(t, l)

	first, second := dial(t, l), dial(t, l)
	c1 := accepted(t, conns, first)
	c2 := accepted(t, conns, second)
	third := dial(t, l) // the kernel completes the handshake; the listener does not take it
	notAccepted(t, conns)

	c1.Close()
	c1.Close() // a second Close gives back no second slot
	c3 := accepted(t, conns, third)
	fourth := dial(t, l)
	notAccepted(t, conns)

	c2.Close()
	accepted(t, conns, fourth).Close()
	c3.Close()
}

// TestListenerCloseWhileFull: closing a listener whose slots are all taken
// ends the Accept that waits for one.
func TestListenerCloseWhileFull(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := fdlimit.Listener(inner, 1)
	conns, errc := acceptAll(t, l)
	c := accepted(t, conns, dial(t, l))
	defer c.Close()
	l.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Accept still waits after Close")
	}
}
