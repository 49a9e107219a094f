// Package fdlimit keeps a server within its limit of open files. Raise lifts
// the soft RLIMIT_NOFILE to the hard limit; Listener caps the connections a
// listener holds open. Under a storm of clients, the clients over the cap
// wait in the kernel's accept queue instead of the process running out of
// descriptors, where accept fails with EMFILE ("too many open files") and
// so does every file the database then tries to open.
package fdlimit

import "errors"

// Limits are a process's soft and hard limits on open files (RLIMIT_NOFILE).
type Limits struct {
	Soft uint64
	Hard uint64
}

// ErrUnsupported is Raise's error where it cannot read or set the limits.
var ErrUnsupported = errors.New("fdlimit: open-file limits are not supported on this system")
