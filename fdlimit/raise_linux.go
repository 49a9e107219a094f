package fdlimit

import (
	"fmt"
	"syscall"
)

// Raise raises the soft limit on open files to the hard limit and returns the
// limits in force afterwards. (Go's os package already does this at start on
// Linux; Raise keeps it true whatever the runtime does, and reads the limits.)
func Raise() (Limits, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return Limits{}, fmt.Errorf("fdlimit: getrlimit: %w", err)
	}
	if lim.Cur < lim.Max {
		raised := syscall.Rlimit{Cur: lim.Max, Max: lim.Max}
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err != nil {
			return Limits{Soft: lim.Cur, Hard: lim.Max}, fmt.Errorf("fdlimit: setrlimit to %d: %w", lim.Max, err)
		}
		lim = raised
	}
	return Limits{Soft: lim.Cur, Hard: lim.Max}, nil
}
