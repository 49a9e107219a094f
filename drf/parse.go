package drf

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/examhall/examhall"
)

// DurationFormatMessage is DRF's field error for a malformed duration.
const DurationFormatMessage = "Duration has wrong format. Use one of these formats instead: [DD] [HH:[MM:]]ss[.uuuuuu]."

// ErrDuration is returned for text that is not a duration DRF accepts.
var ErrDuration = errors.New("drf: malformed duration")

var durationPattern = regexp.MustCompile(`^(?:(-?\d+) days?,? )?(?:(?:(\d+):)?(\d+):)?(\d+)(?:\.(\d{1,6}))?$`)

// ParseDuration reads a duration as Django's parse_duration does in its
// default format, which is also what FormatDuration writes: "3:00:00",
// "1 day, 2:03:04", "20 days, 3:58:48.044696", "90" (seconds), "1:30" (m:ss).
func ParseDuration(s string) (time.Duration, error) {
	m := durationPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, ErrDuration
	}
	num := func(s string) int64 {
		n, _ := strconv.ParseInt(s, 10, 64)
		return n
	}
	frac := m[5] + "000000"[len(m[5]):]
	d := time.Duration(num(m[1]))*24*time.Hour +
		time.Duration(num(m[2]))*time.Hour +
		time.Duration(num(m[3]))*time.Minute +
		time.Duration(num(m[4]))*time.Second +
		time.Duration(num(frac))*time.Microsecond
	return d, nil
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
	if err != nil {
		errs.Add(field, DurationFormatMessage)
		return nil
	}
	return &d
}
