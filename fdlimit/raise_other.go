//go:build !linux

package fdlimit

// Raise is Linux-only; elsewhere it returns ErrUnsupported and the caller
// caps connections by configuration alone.
func Raise() (Limits, error) { return Limits{}, ErrUnsupported }
