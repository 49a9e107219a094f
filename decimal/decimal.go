// Package decimal is exact two-decimal arithmetic for marks, scores and
// percentages: values are whole hundredths, never floats.
package decimal

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
)

// Decimal is a number with two decimals, held as a count of hundredths.
type Decimal int64

// FromInt returns the whole number n.
func FromInt(n int64) Decimal { return Decimal(n * 100) }

// The errors of Parse, for callers that word each for their users (the drf
// package gives DRF's messages). Match them with errors.Is.
var (
	// ErrSyntax is returned for text that is not a decimal number at all.
	ErrSyntax = errors.New("decimal: not a number")
	// ErrPlaces is returned for a number with more than two decimal places.
	ErrPlaces = errors.New("decimal: more than two decimal places")
	// ErrRange is returned for a number with more than MaxWholeDigits digits
	// before the point.
	ErrRange = errors.New("decimal: too many digits before the decimal point")
)

// MaxWholeDigits is the most digits a Decimal takes before its point
// (values below ±10^15, well inside int64 hundredths).
const MaxWholeDigits = 15

// Parse reads "4", "4.5", "-1.25", "+0.50" or ".5". Text that is not a plain
// decimal (blanks, exponents, letters) is ErrSyntax, more than two decimal
// places ErrPlaces, more than MaxWholeDigits digits before the point
// ErrRange: never rounded.
func Parse(s string) (Decimal, error) {
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	switch {
	case (whole == "" && frac == "") || !digits(whole) || !digits(frac):
		return 0, ErrSyntax
	case len(frac) > 2:
		return 0, ErrPlaces
	case len(whole) > MaxWholeDigits:
		return 0, ErrRange
	}
	var v int64
	for _, c := range whole {
		v = v*10 + int64(c-'0')
	}
	frac += "00"[len(frac):]
	v = v*100 + int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	if neg {
		v = -v
	}
	return Decimal(v), nil
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// String renders d with exactly two decimals: "90.00", "-1.25", "0.05".
func (d Decimal) String() string {
	v := int64(d)
	sign := ""
	if v < 0 {
		sign = "-"
		if v == math.MinInt64 {
			return "-92233720368547758.08"
		}
		v = -v
	}
	frac := strconv.FormatInt(v%100, 10)
	if len(frac) == 1 {
		frac = "0" + frac
	}
	return sign + strconv.FormatInt(v/100, 10) + "." + frac
}

// Float64 is d as a float, for the JSON fields that the wire format keeps as numbers.
func (d Decimal) Float64() float64 { return float64(d) / 100 }

// MarshalJSON writes d as a JSON string, as Django REST Framework writes decimals.
func (d Decimal) MarshalJSON() ([]byte, error) {
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON accepts a JSON string or number with at most two decimals;
// its errors are those of Parse.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	var s string
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	} else {
		s = string(b)
	}
	v, err := Parse(strings.TrimSpace(s))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// DivRound returns num/den rounded half away from zero; 0 when den is 0.
func DivRound(num, den int64) int64 {
	if den == 0 {
		return 0
	}
	neg := (num < 0) != (den < 0)
	n, d := abs(num), abs(den)
	q, r := n/d, n%d
	if r >= d-r {
		q++
	}
	if neg {
		return -q
	}
	return q
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// Percent returns part/whole × 100 with two decimals, rounded half away from
// zero; 0 when whole is 0.
func Percent(part, whole Decimal) Decimal {
	return Decimal(DivRound(int64(part)*10000, int64(whole)))
}
