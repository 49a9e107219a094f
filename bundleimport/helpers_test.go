package bundleimport_test

import (
	"errors"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
)

// epoch is the tests' now, as in the store's tests.
var epoch = time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC)

func dec(s string) decimal.Decimal {
	d, err := decimal.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

func asErr(err error, target **examhall.Error) bool {
	return errors.As(err, target)
}
