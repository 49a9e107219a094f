package bundle_test

import (
	"errors"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/bundle"
)

func readBundle(tb testing.TB) string {
	tb.Helper()
	raw, err := os.ReadFile("../sqlstore/testdata/bundle.json")
	if err != nil {
		tb.Fatal(err)
	}
	return string(raw)
}

// TestParseErrors is every way a bundle's JSON can be wrong: each error names
// the record (index and key, slug or username) and the field, in DRF's words.
func TestParseErrors(t *testing.T) {
	raw := readBundle(t)
	const q1 = `exams[0] "mock-1".sections[0].questions[0] "q-001".`
	tests := []struct {
		name     string
		from, to string // replaced once in the test bundle; from "" replaces the whole bundle
		want     map[string][]string
	}{
		// Fault 3: exactly one JSON value, then only whitespace.
		{"two bundles", "", raw + raw, map[string][]string{
			"non_field_errors": {"JSON parse error - extra data after the JSON value at byte " + itoa(len(raw)) + "."}}},
		{"trailing garbage", "", raw + " x", map[string][]string{
			"non_field_errors": {"JSON parse error - extra data after the JSON value at byte " + itoa(len(raw)+1) + "."}}},
		{"trailing bracket", "", raw + "]", map[string][]string{
			"non_field_errors": {"JSON parse error - extra data after the JSON value at byte " + itoa(len(raw)) + "."}}},
		{"duplicate top-level key", `"format": "examhall-bundle/1",`, `"format": "examhall-bundle/1", "format": "examhall-bundle/1",`,
			map[string][]string{"format": {"This key appears more than once in its object."}}},
		{"duplicate deep key", `"marks": "4.00", "negative_marks": "1.00"`, `"marks": "4.00", "marks": "5.00", "negative_marks": "1.00"`,
			map[string][]string{q1 + "marks": {"This key appears more than once in its object."}}},
		{"duplicate key of an answer", `"selected": [0], "duration": 40`, `"selected": [0], "duration": 40, "duration": 41`,
			map[string][]string{`attempts[0] "mock-1"/"asha".answers[0] "q-001".duration`: {"This key appears more than once in its object."}}},

		// Fault 4: bad decimals, keyed to their field.
		{"marks 3 places", `"marks": "4.00", "negative_marks": "1.00"`, `"marks": "4.005", "negative_marks": "1.00"`,
			map[string][]string{q1 + "marks": {"Ensure that there are no more than 2 decimal places."}}},
		{"marks not a number", `"marks": "4.00", "negative_marks": "1.00"`, `"marks": "abc", "negative_marks": "1.00"`,
			map[string][]string{q1 + "marks": {"A valid number is required."}}},
		{"marks too large", `"marks": "4.00", "negative_marks": "1.00"`, `"marks": "1234567890123456", "negative_marks": "1.00"`,
			map[string][]string{q1 + "marks": {"Ensure that there are no more than 15 digits before the decimal point."}}},
		{"marks a list", `"marks": "4.00", "negative_marks": "1.00"`, `"marks": [4], "negative_marks": "1.00"`,
			map[string][]string{q1 + "marks": {"A valid number is required."}}},
		{"negative_marks", `"negative_marks": "1.00"`, `"negative_marks": "x"`,
			map[string][]string{q1 + "negative_marks": {"A valid number is required."}}},
		{"partial_marks", `"partial_marks": null`, `"partial_marks": "0.125"`,
			map[string][]string{q1 + "partial_marks": {"Ensure that there are no more than 2 decimal places."}}},
		{"pass_percentage", `"pass_percentage": 40`, `"pass_percentage": 40.123`,
			map[string][]string{`exams[0] "mock-1".pass_percentage`: {"Ensure that there are no more than 2 decimal places."}}},
		{"cut_off", `"cut_off": 0`, `"cut_off": "none"`,
			map[string][]string{`exams[0] "mock-1".sections[0].cut_off`: {"A valid number is required."}}},
		{"cut_off null", `"cut_off": 0`, `"cut_off": null`,
			map[string][]string{`exams[0] "mock-1".sections[0].cut_off`: {"This field may not be null."}}},
		{"marks_awarded", `"marks_awarded": "7.00"`, `"marks_awarded": "abc"`,
			map[string][]string{`attempts[0] "mock-1"/"asha".answers[3] "q-004".marks_awarded`: {"A valid number is required."}}},
		{"numerical_min", `"numerical_min": "9.75"`, `"numerical_min": "abc"`,
			map[string][]string{`exams[0] "mock-1".sections[0].questions[1] "q-002".numerical_min`: {"A valid number is required."}}},

		// Fault 4: wrong JSON types, keyed with index and field.
		{"bundle is a list", "", `[]`, map[string][]string{"non_field_errors": {"Invalid data. Expected a dictionary, but got list."}}},
		{"bundle is a string", "", `"bundle"`, map[string][]string{"non_field_errors": {"Invalid data. Expected a dictionary, but got str."}}},
		{"institute a list", `"institute": {"name": "Demo Academy", "timezone": "Asia/Kolkata"}`, `"institute": []`,
			map[string][]string{"institute": {"Invalid data. Expected a dictionary, but got list."}}},
		{"sections a dict", `"sections": [`, `"sections": {}, "x": [`,
			map[string][]string{`exams[0] "mock-1".sections`: {`Expected a list of items but got type "dict".`},
				`exams[0] "mock-1".x`: {"Unknown field."}}},
		{"duration a bool", `"duration": "3:00:00"`, `"duration": true`,
			map[string][]string{`exams[0] "mock-1".duration`: {"Not a valid string."}}},
		{"published a string", `"published": true`, `"published": "yes"`,
			map[string][]string{`exams[0] "mock-1".published`: {"Must be a valid boolean."}}},
		{"max_retakes a fraction", `"max_retakes": null`, `"max_retakes": 1.5`,
			map[string][]string{`exams[0] "mock-1".max_retakes`: {"A valid integer is required."}}},
		{"selected index a string", `"selected": [0]`, `"selected": [0, "a"]`,
			map[string][]string{`attempts[0] "mock-1"/"asha".answers[0] "q-001".selected[1]`: {"A valid integer is required."}}},
		{"users a dict", `"users": [`, `"users": {"a": 1}, "x": [`,
			map[string][]string{"users": {`Expected a list of items but got type "dict".`}, "x": {"Unknown field."}}},
		{"unknown key", `"phone": "9000000001"`, `"phone": "9000000001", "mobile": "1"`,
			map[string][]string{`users[0] "asha".mobile`: {"Unknown field."}}},
		{"several at once", `"marks": "4.00", "negative_marks": "1.00"`, `"marks": "4.005", "negative_marks": false`,
			map[string][]string{q1 + "marks": {"Ensure that there are no more than 2 decimal places."},
				q1 + "negative_marks": {"A valid number is required."}}},

		// Fault 5: text no engine can store.
		{"NUL in a title", `"title": "Mock Test 1"`, `"title": "Mock\u0000Test 1"`,
			map[string][]string{`exams[0] "mock-1".title`: {"Null characters are not allowed."}}},
		{"NUL in a key", `"phone": "9000000001"`, `"ph\u0000one": "9000000001"`,
			map[string][]string{"users[0] \"asha\".ph\x00one": {"Null characters are not allowed."}}},
		{"NUL in an answer", `"text": "newton"`, `"text": "new\u0000ton"`,
			map[string][]string{`attempts[0] "mock-1"/"asha".answers[2] "q-003".text`: {"Null characters are not allowed."}}},
		{"invalid UTF-8", `"first_name": "Asha"`, "\"first_name\": \"As\xffha\"",
			map[string][]string{"non_field_errors": {"JSON parse error - invalid UTF-8 at byte " + itoa(strings.Index(raw, `"Asha"`)+3) + "."}}},
		{"deep nesting", "", strings.Repeat("[", 100000) + strings.Repeat("]", 100000),
			map[string][]string{"non_field_errors": {"JSON parse error - the JSON value nests deeper than 64 levels."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := tt.to
			if tt.from != "" {
				text = strings.Replace(raw, tt.from, tt.to, 1)
				if text == raw {
					t.Fatal("the replacement did not apply")
				}
			}
			_, err := bundle.Parse(strings.NewReader(text))
			var e *examhall.Error
			if !errors.As(err, &e) || e.Code != examhall.EINVALID || !reflect.DeepEqual(e.Fields, tt.want) {
				t.Errorf("error = %v\nwant %q", err, tt.want)
			}
		})
	}
	if _, err := bundle.Parse(strings.NewReader(" \n" + raw + " \r\n\t")); err != nil {
		t.Errorf("surrounding whitespace: %v", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
