package decimal

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestParseAndString(t *testing.T) {
	tests := []struct {
		in   string
		want Decimal
		out  string
	}{
		{"90", 9000, "90.00"},
		{"90.00", 9000, "90.00"},
		{"4.5", 450, "4.50"},
		{"-1.25", -125, "-1.25"},
		{"+0.05", 5, "0.05"},
		{".5", 50, "0.50"},
		{"-0.5", -50, "-0.50"},
		{"0", 0, "0.00"},
		{"-0.00", 0, "0.00"},
		{"7.", 700, "7.00"},
		{"123456789012345.99", 12345678901234599, "123456789012345.99"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want || got.String() != tt.out {
			t.Errorf("Parse(%q) = %d (%s), want %d (%s)", tt.in, got, got, tt.want, tt.out)
		}
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrSyntax}, {"-", ErrSyntax}, {".", ErrSyntax}, {"1e3", ErrSyntax}, {"abc", ErrSyntax}, {" 1", ErrSyntax},
		{"1 ", ErrSyntax}, {"1,5", ErrSyntax}, {"--1", ErrSyntax}, {"0x10", ErrSyntax}, {"1.2.3", ErrSyntax}, {"1.2a", ErrSyntax},
		{"1.234", ErrPlaces}, {"-0.001", ErrPlaces}, {".125", ErrPlaces},
		{"1234567890123456", ErrRange}, {"-1234567890123456.5", ErrRange},
	}
	for _, tt := range tests {
		if got, err := Parse(tt.in); !errors.Is(err, tt.want) {
			t.Errorf("Parse(%q) = %s, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestJSON(t *testing.T) {
	b, err := json.Marshal(struct{ Score Decimal }{-125})
	if err != nil || string(b) != `{"Score":"-1.25"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var v struct{ A, B Decimal }
	if err := json.Unmarshal([]byte(`{"A":"4.00","B":2.5}`), &v); err != nil || v.A != 400 || v.B != 250 {
		t.Fatalf("Unmarshal = %+v, %v", v, err)
	}
	if err := json.Unmarshal([]byte(`{"A":"4.001"}`), &v); err == nil {
		t.Fatal("Unmarshal of 4.001 succeeded")
	}
}

func TestDivRound(t *testing.T) {
	tests := []struct{ num, den, want int64 }{
		{7, 2, 4}, {-7, 2, -4}, {7, -2, -4}, {5, 3, 2}, {4, 3, 1}, {-4, 3, -1}, {-5, 3, -2},
		{1, 0, 0}, {0, 5, 0}, {10, 5, 2},
	}
	for _, tt := range tests {
		if got := DivRound(tt.num, tt.den); got != tt.want {
			t.Errorf("DivRound(%d, %d) = %d, want %d", tt.num, tt.den, got, tt.want)
		}
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		part, whole Decimal
		want        string
	}{
		{FromInt(1), FromInt(3), "33.33"},
		{FromInt(2), FromInt(3), "66.67"},
		{FromInt(1), FromInt(8), "12.50"},
		{1, FromInt(16), "0.06"},   // 0.0625% rounds up at the half
		{-1, FromInt(16), "-0.06"}, // and away from zero below it
		{FromInt(-5), FromInt(40), "-12.50"},
		{FromInt(90), FromInt(90), "100.00"},
		{FromInt(5), 0, "0.00"},
	}
	for _, tt := range tests {
		if got := Percent(tt.part, tt.whole).String(); got != tt.want {
			t.Errorf("Percent(%s, %s) = %s, want %s", tt.part, tt.whole, got, tt.want)
		}
	}
}
