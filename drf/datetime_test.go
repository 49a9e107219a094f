package drf

import (
	"testing"
	"time"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestFormatTime(t *testing.T) {
	kolkata := mustZone(t, "Asia/Kolkata")     // +05:30
	kathmandu := mustZone(t, "Asia/Kathmandu") // +05:45
	stJohns := mustZone(t, "America/St_Johns") // -03:30 in winter
	tests := []struct {
		t    time.Time
		loc  *time.Location
		want string
	}{
		{time.Date(2023, 1, 23, 6, 5, 37, 930389000, time.UTC), kolkata, "2023-01-23T11:35:37.930389+05:30"},
		{time.Date(2021, 4, 13, 11, 45, 12, 0, time.UTC), kolkata, "2021-04-13T17:15:12+05:30"},
		{time.Date(2021, 3, 16, 3, 59, 21, 860924000, time.UTC), time.UTC, "2021-03-16T03:59:21.860924Z"},
		{time.Date(2021, 3, 16, 3, 59, 21, 0, time.UTC), time.UTC, "2021-03-16T03:59:21Z"},
		{time.Date(2021, 3, 16, 3, 59, 21, 999, time.UTC), time.UTC, "2021-03-16T03:59:21Z"},         // below a microsecond
		{time.Date(2021, 3, 16, 3, 59, 21, 1000, time.UTC), time.UTC, "2021-03-16T03:59:21.000001Z"}, // one microsecond
		{time.Date(2024, 12, 31, 18, 30, 0, 500000000, time.UTC), kathmandu, "2025-01-01T00:15:00.500000+05:45"},
		{time.Date(2024, 1, 10, 12, 0, 0, 0, time.UTC), stJohns, "2024-01-10T08:30:00-03:30"},
	}
	for _, tt := range tests {
		if got := FormatTime(tt.t, tt.loc); got != tt.want {
			t.Errorf("FormatTime(%v, %v) = %q, want %q", tt.t, tt.loc, got, tt.want)
		}
	}
	if FormatTimePtr(nil, time.UTC) != nil {
		t.Error("FormatTimePtr(nil) is not nil")
	}
}

func TestParseDate(t *testing.T) {
	kolkata := mustZone(t, "Asia/Kolkata")
	got, err := ParseDate("2021-02-02", kolkata)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2021, 2, 1, 18, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("ParseDate = %v, want %v", got.UTC(), want)
	}
	for _, same := range []string{"2021-2-2", "02/02/2021", "2/2/21", "Feb 2 2021", "Feb 2, 2021", "2 February 2021", " 2021-02-02 "} {
		if d, err := ParseDate(same, kolkata); err != nil || !d.Equal(got) {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", same, d, err, got)
		}
	}
	for _, bad := range []string{"", "2021-02-30", "2021-13-01", "2021-02-02T00:00:00", "tomorrow", "02-02-2021"} {
		if _, err := ParseDate(bad, kolkata); err == nil {
			t.Errorf("ParseDate(%q) succeeded", bad)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	us := time.Microsecond
	day := 24 * time.Hour
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0:00:00"},
		{2*time.Hour + 47*time.Minute + 53*time.Second + 76906*us, "2:47:53.076906"},
		{day + 2*time.Hour + 3*time.Minute + 4*time.Second, "1 day, 2:03:04"},
		{20*day + 3*time.Hour + 58*time.Minute + 48*time.Second + 44696*us, "20 days, 3:58:48.044696"},
		{59 * time.Second, "0:00:59"},
		{10 * time.Hour, "10:00:00"},
		{us, "0:00:00.000001"},
		{999 * time.Nanosecond, "0:00:00"},
		{-time.Second, "-1 day, 23:59:59"},
		{-(day + time.Second), "-2 days, 23:59:59"},
		{-day, "-1 day, 0:00:00"},
		{-us, "-1 day, 23:59:59.999999"},
	}
	for _, tt := range tests {
		if got := FormatDuration(tt.d); got != tt.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
