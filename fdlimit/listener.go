package fdlimit

import (
	"net"
	"sync"
)

// Listener returns l holding at most n connections open at once. It accepts
// from l only while fewer than n are open, so a client over the cap waits in
// the kernel's accept queue (the listen backlog) until one closes; nothing is
// refused and no descriptor is taken for it meanwhile. n must be positive.
func Listener(l net.Listener, n int) net.Listener {
	if n < 1 {
		panic("fdlimit: Listener needs a positive cap")
	}
	return &listener{Listener: l, slots: make(chan struct{}, n), closed: make(chan struct{})}
}

type listener struct {
	net.Listener
	slots     chan struct{} // one token per open connection
	closeOnce sync.Once
	closed    chan struct{}
}

// Accept waits for a free slot, then for a connection.
func (l *listener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.closed: // a full listener that is closed stops waiting
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &conn{Conn: c, release: func() { <-l.slots }}, nil
}

func (l *listener) Close() error {
	err := l.Listener.Close()
	l.closeOnce.Do(func() { close(l.closed) })
	return err
}

// conn gives its slot back when it is closed, once.
type conn struct {
	net.Conn
	releaseOnce sync.Once
	release     func()
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.releaseOnce.Do(c.release)
	return err
}

// CloseWrite half-closes a TCP connection, as net/http does after an error
// response so that the client reads it before the connection is reset; on a
// connection that cannot, it does nothing and Close closes it later.
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
