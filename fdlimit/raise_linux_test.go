package fdlimit_test

import (
	"syscall"
	"testing"

	"github.com/examhall/examhall/fdlimit"
)

// TestRaise: a soft limit below the hard one is raised to it.
func TestRaise(t *testing.T) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Max < 128 {
		t.Skipf("hard limit %d: too low to lower the soft one", lim.Max)
	}
	lowered := syscall.Rlimit{Cur: lim.Max / 2, Max: lim.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lowered); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim) }) //nolint:errcheck // best effort
	got, err := fdlimit.Raise()
	if err != nil {
		t.Fatal(err)
	}
	if got != (fdlimit.Limits{Soft: lim.Max, Hard: lim.Max}) {
		t.Errorf("Raise = %+v, want soft and hard %d", got, lim.Max)
	}
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur != lim.Max {
		t.Errorf("after Raise: soft %d, hard %d, %v", lim.Cur, lim.Max, err)
	}
}
