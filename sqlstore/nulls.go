package sqlstore

import (
	"database/sql"
	"time"

	"github.com/examhall/examhall/decimal"
)

// Conversions between optional domain values and nullable columns (instants
// in µs, durations in µs, decimals in hundredths).

func timeArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return micros(*t)
}

func durationArg(d *time.Duration) any {
	if d == nil {
		return nil
	}
	return d.Microseconds()
}

func decimalArg(d *decimal.Decimal) any {
	if d == nil {
		return nil
	}
	return int64(*d)
}

func intArg(n *int) any {
	if n == nil {
		return nil
	}
	return int64(*n)
}

func textArg(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func timeOf(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

func durationOf(v sql.NullInt64) *time.Duration {
	if !v.Valid {
		return nil
	}
	d := time.Duration(v.Int64) * time.Microsecond
	return &d
}

func decimalOf(v sql.NullInt64) *decimal.Decimal {
	if !v.Valid {
		return nil
	}
	d := decimal.Decimal(v.Int64)
	return &d
}

func intOf(v sql.NullInt64) *int {
	if !v.Valid {
		return nil
	}
	n := int(v.Int64)
	return &n
}
