package drf

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	us := time.Microsecond
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"3:00:00", 3 * time.Hour},
		{"0:00:00", 0},
		{"1 day, 2:03:04", 26*time.Hour + 3*time.Minute + 4*time.Second},
		{"20 days, 3:58:48.044696", 20*24*time.Hour + 3*time.Hour + 58*time.Minute + 48*time.Second + 44696*us},
		{"2:47:53.076906", 2*time.Hour + 47*time.Minute + 53*time.Second + 76906*us},
		{"1:30", 90 * time.Second},
		{"90", 90 * time.Second},
		{"0:00:01.5", 1500 * time.Millisecond},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "abc", "1:2:3:4", "3h", "1 day 2:00:00x", "0:00:00.1234567"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) succeeded", bad)
		}
	}
	for _, d := range []time.Duration{0, 3 * time.Hour, 20*24*time.Hour + 44696*us, 59*time.Minute + 59*time.Second + 999999*us} {
		if got, err := ParseDuration(FormatDuration(d)); err != nil || got != d {
			t.Errorf("round trip of %v: %v, %v", d, got, err)
		}
	}
}

func TestParseTime(t *testing.T) {
	kolkata := mustZone(t, "Asia/Kolkata")
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2026-01-01T09:00:00+05:30", time.Date(2026, 1, 1, 3, 30, 0, 0, time.UTC)},
		{"2026-01-01T03:30:00Z", time.Date(2026, 1, 1, 3, 30, 0, 0, time.UTC)},
		{"2026-01-01T03:30:00.250000Z", time.Date(2026, 1, 1, 3, 30, 0, 250000000, time.UTC)},
		{"2026-01-01T09:00:00", time.Date(2026, 1, 1, 3, 30, 0, 0, time.UTC)}, // naive: institute time
		{"2026-01-01T09:00", time.Date(2026, 1, 1, 3, 30, 0, 0, time.UTC)},
		{"2026-01-01 09:00:00", time.Date(2026, 1, 1, 3, 30, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in, kolkata)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "2026-01-01", "01/01/2026 09:00", "2026-13-01T00:00:00Z", "tomorrow"} {
		if _, err := ParseTime(bad, kolkata); err == nil {
			t.Errorf("ParseTime(%q) succeeded", bad)
		}
	}
}

// TestParseDurationRange: a duration beyond time.Duration's range is
// refused, not wrapped around ("99999999 days" used to read as 80135 days).
func TestParseDurationRange(t *testing.T) {
	for _, in := range []string{"99999999 days, 0:00:00", "106752 days, 0:00:00", "-106752 days, 0:00:00",
		"999999999999:00:00", "9999999999999999999999", "106751 days, 23:59:59",
		strings.Repeat("9", 900000) + " days, 0:00:00", "0:00:" + strings.Repeat("1", 100000)} {
		if d, err := ParseDuration(in); !errors.Is(err, ErrDurationRange) {
			t.Errorf("ParseDuration(%q) = %v, %v; want ErrDurationRange", in, d, err)
		}
	}
	if d, err := ParseDuration("106751 days, 0:00:00"); err != nil || d != 106751*24*time.Hour {
		t.Errorf("ParseDuration(106751 days) = %v, %v", d, err)
	}
}
