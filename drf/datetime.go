package drf

import (
	"strconv"
	"strings"
	"time"
)

// FormatTime renders t in loc as Python's datetime.isoformat() does, the way
// DRF writes datetimes: microseconds with six digits, left out when zero, and
// the offset of loc, "Z" for UTC ("2023-01-23T11:35:37.930389+05:30",
// "2021-03-16T03:59:21Z").
func FormatTime(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	layout := "2006-01-02T15:04:05"
	if t.Nanosecond()/1000 != 0 {
		layout += ".000000"
	}
	if _, offset := t.Zone(); offset == 0 {
		return t.Format(layout) + "Z"
	}
	return t.Format(layout + "-07:00")
}

// FormatTimePtr is FormatTime for an optional time: nil stays nil (JSON null).
func FormatTimePtr(t *time.Time, loc *time.Location) *string {
	if t == nil {
		return nil
	}
	s := FormatTime(*t, loc)
	return &s
}

// dateLayouts are Django's default DATE_INPUT_FORMATS, which its date
// fields and django-filter accept: 2021-02-02 (also 2021-2-2), 02/02/2021,
// 02/02/21, Feb 2 2021 and the other spellings.
var dateLayouts = []string{"2006-1-2", "1/2/2006", "1/2/06", "Jan 2 2006", "Jan 2, 2006", "2 Jan 2006",
	"2 Jan, 2006", "January 2 2006", "January 2, 2006", "2 January 2006", "2 January, 2006"}

// ParseDate reads a date as Django does and returns the instant that day
// starts in loc.
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	var err error
	for _, layout := range dateLayouts {
		var t time.Time
		if t, err = time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}

// FormatDuration renders d as Python's str(timedelta): "0:00:00",
// "2:47:53.076906", "1 day, 2:03:04", "20 days, 3:58:48.044696", and for
// negative values "-1 day, 23:59:59" (days carry the sign, the rest is positive).
// Durations are truncated to whole microseconds, timedelta's resolution.
func FormatDuration(d time.Duration) string {
	us := int64(d / time.Microsecond)
	const usPerDay = 86400 * 1000000
	days := us / usPerDay
	rest := us % usPerDay
	if rest < 0 {
		days--
		rest += usPerDay
	}
	secs, micros := rest/1000000, rest%1000000
	b := make([]byte, 0, 32)
	if days != 0 {
		b = strconv.AppendInt(b, days, 10)
		if days == 1 || days == -1 {
			b = append(b, " day, "...)
		} else {
			b = append(b, " days, "...)
		}
	}
	b = strconv.AppendInt(b, secs/3600, 10)
	b = append(b, ':')
	b = appendTwoDigits(b, secs/60%60)
	b = append(b, ':')
	b = appendTwoDigits(b, secs%60)
	if micros != 0 {
		b = append(b, '.')
		m := strconv.FormatInt(micros, 10)
		for i := len(m); i < 6; i++ {
			b = append(b, '0')
		}
		b = append(b, m...)
	}
	return string(b)
}

// FormatDurationPtr is FormatDuration for an optional duration: nil stays nil.
func FormatDurationPtr(d *time.Duration) *string {
	if d == nil {
		return nil
	}
	s := FormatDuration(*d)
	return &s
}

func appendTwoDigits(b []byte, v int64) []byte {
	return append(b, byte('0'+v/10), byte('0'+v%10))
}
