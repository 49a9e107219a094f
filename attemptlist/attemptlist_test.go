package attemptlist_test

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/examhall/examhall/attemptlist"
	"github.com/examhall/examhall/decimal"
)

// jsonCells reads a JSON object's keys in order and each value as the text a
// cell of it holds: a string without quotes, a number's JSON text, "" for null.
func jsonCells(t *testing.T, b []byte) (keys, cells []string) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", b)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		cell := ""
		switch v := v.(type) {
		case string:
			cell = v
		case json.Number:
			cell = v.String()
		case nil:
		default:
			t.Fatalf("%s: unexpected %T", key, v)
		}
		keys, cells = append(keys, key.(string)), append(cells, cell)
	}
	return keys, cells
}

// TestCellsAreTheJSON: every column of an export holds what the API's JSON
// holds for the same row, under the same name, in the same order.
func TestCellsAreTheJSON(t *testing.T) {
	name, when, left := "Asha Rao", "2026-01-05T10:00:00.250000+05:30", "00:59:00"
	rows := map[string]attemptlist.Row{
		"full": {ID: 7, Date: when, ExamID: 3, UserID: 9, Email: "asha@example.com", Name: &name, Phone: &name,
			CorrectAnswersCount: 1, IncorrectAnswersCount: 2, UnansweredCount: 3, Score: decimal.Decimal(-125),
			Percentage: 33.33, TimeTaken: "00:01:00", RemainingTime: &left, Result: "Pass", State: "Running",
			LastStartedTime: &when, LastAnswerUpdatedTime: &when, Speed: 40, ExamURL: "https://x/e/3/", UserURL: "https://x/u/9/"},
		"nulls":    {ID: 1, Percentage: 100},
		"tiny":     {Percentage: 1e-7},
		"huge":     {Percentage: 1e21},
		"fraction": {Percentage: 0.1 + 0.2},
		"negative": {Percentage: -math.SmallestNonzeroFloat64},
	}
	for label, row := range rows {
		b, err := json.Marshal(row)
		if err != nil {
			t.Fatal(err)
		}
		keys, want := jsonCells(t, b)
		if !reflect.DeepEqual(keys, attemptlist.Columns) {
			t.Errorf("Columns = %v, JSON keys %v", attemptlist.Columns, keys)
		}
		if got := row.Cells(nil); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Cells\n got %q\nwant %q (from %s)", label, got, want, b)
		}
	}
}
