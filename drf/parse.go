package drf

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strings"
	"time"

	"github.com/examhall/examhall"
)

// DurationFormatMessage is DRF's field error for a malformed duration.
const DurationFormatMessage = "Duration has wrong format. Use one of these formats instead: [DD] [HH:[MM:]]ss[.uuuuuu]."

// ErrDuration is returned for text that is not a duration DRF accepts.
var ErrDuration = errors.New("drf: malformed duration")

var durationPattern = regexp.MustCompile(`^(?:(-?\d+) days?,? )?(?:(?:(\d+):)?(\d+):)?(\d+)(?:\.(\d{1,6}))?$`)

// ErrDurationRange is returned for a duration too long to hold: beyond
// MaxDurationDays days either way.
var ErrDurationRange = errors.New("drf: duration out of range")

// MaxDurationDays is the most days a duration may hold (time.Duration's
// range; Python's timedelta goes to 999,999,999 days).
const MaxDurationDays = int64(math.MaxInt64 / int64(24*time.Hour))

// ParseDuration reads a duration as Django's parse_duration does in its
// default format, which is also what FormatDuration writes: "3:00:00",
// "1 day, 2:03:04", "20 days, 3:58:48.044696", "90" (seconds), "1:30" (m:ss).
// Returns ErrDuration for other text and ErrDurationRange for a duration
// beyond MaxDurationDays.
func ParseDuration(s string) (time.Duration, error) {
	m := durationPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, ErrDuration
	}
	// Summed in big integers: "99999999 days" used to overflow to 80135 days.
	limit := new(big.Int).SetInt64(math.MaxInt64)
	total := new(big.Int)
	for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute, time.Second, time.Microsecond} {
		text := m[i+1]
		if i == 4 && text != "" {
			text += "000000"[len(text):]
		}
		if len(strings.TrimLeft(text, "+-0")) > 20 {
			// Beyond any duration, and big.Int reads long numbers in
			// quadratic time (900,000 digits took 8 s).
			return 0, ErrDurationRange
		}
		n, ok := new(big.Int).SetString(strings.TrimPrefix(text, "+"), 10)
		if !ok {
			continue // an absent part
		}
		total.Add(total, n.Mul(n, big.NewInt(int64(unit))))
	}
	if total.CmpAbs(limit) > 0 {
		return 0, ErrDurationRange
	}
	return time.Duration(total.Int64()), nil
}

// DateTimeFormatMessage is DRF's field error for a malformed datetime.
const DateTimeFormatMessage = "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."

// ErrDateTime is returned for text that is not an ISO 8601 datetime.
var ErrDateTime = errors.New("drf: malformed datetime")

// ParseTime reads an ISO 8601 datetime; one without an offset is in loc, as
// DRF reads naive datetimes in the current time zone.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, ErrDateTime
}

// TimeField parses an optional datetime field, recording DRF's error in errs.
func TimeField(errs examhall.FieldErrors, field string, s *string, loc *time.Location) *time.Time {
	if s == nil {
		return nil
	}
	t, err := ParseTime(*s, loc)
	if err != nil {
		errs.Add(field, DateTimeFormatMessage)
		return nil
	}
	return &t
}

// DurationField parses an optional duration field, recording DRF's error in errs.
func DurationField(errs examhall.FieldErrors, field string, s *string) *time.Duration {
	if s == nil {
		return nil
	}
	d, err := ParseDuration(*s)
	if errors.Is(err, ErrDurationRange) {
		errs.Add(field, fmt.Sprintf("The number of days must be between %d and %d.", -MaxDurationDays, MaxDurationDays))
		return nil
	}
	if err != nil {
		errs.Add(field, DurationFormatMessage)
		return nil
	}
	return &d
}
