package drf

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/examhall/examhall/decimal"
)

type decodeTarget struct {
	Name    string           `json:"name"`
	Count   int              `json:"count"`
	Small   int8             `json:"small"`
	Ratio   float64          `json:"ratio"`
	On      *bool            `json:"on"`
	Marks   *decimal.Decimal `json:"marks"`
	CutOff  decimal.Decimal  `json:"cut_off"`
	IDs     []int64          `json:"ids"`
	Raw     json.RawMessage  `json:"raw"`
	Any     any              `json:"any"`
	Inner   *struct{ X int } `json:"inner"`
	Ignored string           `json:"-"`
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name, body string
		want       decodeTarget
		errs       FieldErrors // nil when none
	}{
		{"numbers as strings and 4.0 as 4", `{"name": 12.5, "count": 4.0, "ratio": 1e2}`, decodeTarget{Name: "12.5", Count: 4, Ratio: 100}, nil},
		{"null keeps a plain field", `{"name": null, "count": null, "on": null, "ids": null}`, decodeTarget{}, nil},
		{"raw keeps null", `{"raw": null}`, decodeTarget{Raw: json.RawMessage("null")}, nil},
		{"raw of an object", `{"raw": {"b": [1, "x"], "a": true}}`, decodeTarget{Raw: json.RawMessage(`{"a":true,"b":[1,"x"]}`)}, nil},
		{"any", `{"any": {"a": [1.5, null]}}`, decodeTarget{Any: map[string]any{"a": []any{json.Number("1.5"), nil}}}, nil},
		{"inner without a tag", `{"inner": {"X": 3}}`, decodeTarget{Inner: &struct{ X int }{3}}, nil},
		{"decimal null", `{"cut_off": null}`, decodeTarget{}, FieldErrors{{Path{"cut_off"}, NullMessage}}},
		{"int overflow", `{"count": 1e3, "small": 300}`, decodeTarget{}, FieldErrors{{Path{"count"}, InvalidIntMessage}, {Path{"small"}, InvalidIntMessage}}},
		{"float out of range", `{"ratio": 1e400}`, decodeTarget{}, FieldErrors{{Path{"ratio"}, InvalidNumberMessage}}},
		{"empty key", `{"": 1, "inner": {"": {}}}`, decodeTarget{Inner: &struct{ X int }{}}, FieldErrors{{Path{""}, UnknownFieldMessage}, {Path{"inner", ""}, UnknownFieldMessage}}},
		{"case matters", `{"Name": "x"}`, decodeTarget{}, FieldErrors{{Path{"Name"}, UnknownFieldMessage}}},
		{"dash field", `{"-": "x", "Ignored": "y"}`, decodeTarget{}, FieldErrors{{Path{"-"}, UnknownFieldMessage}, {Path{"Ignored"}, UnknownFieldMessage}}},
		{"inner unknown", `{"inner": {"Y": {"deep": [1]}}}`, decodeTarget{Inner: &struct{ X int }{}}, FieldErrors{{Path{"inner", "Y"}, UnknownFieldMessage}}},
		{"list item", `{"ids": [1, 2.5, "3", true]}`, decodeTarget{IDs: []int64{1, 0, 0, 0}}, FieldErrors{
			{Path{"ids", 1}, InvalidIntMessage}, {Path{"ids", 2}, InvalidIntMessage}, {Path{"ids", 3}, InvalidIntMessage}}},
		{"list of a number", `{"ids": 1.5}`, decodeTarget{}, FieldErrors{{Path{"ids"}, `Expected a list of items but got type "float".`}}},
		{"NUL in any", `{"any": ["a\u0000"]}`, decodeTarget{Any: []any{"a\x00"}}, FieldErrors{{Path{"any", 0}, NullCharacterMessage}}},
		{"NUL in raw", `{"raw": {"k\u0000": 1}}`, decodeTarget{Raw: json.RawMessage(`{}`)}, FieldErrors{{Path{"raw", "k\x00"}, NullCharacterMessage}}},
		{"repeated key in any", `{"any": {"a": 1, "a": 2}}`, decodeTarget{Any: map[string]any{"a": json.Number("1")}}, FieldErrors{{Path{"any", "a"}, DuplicateKeyMessage}}},
	}
	for _, tt := range tests {
		var got decodeTarget
		err := DecodeJSON([]byte(tt.body), &got)
		var errs FieldErrors
		if err != nil && !errors.As(err, &errs) {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(errs, tt.errs) || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %+v %v\nwant %+v %v", tt.name, got, errs, tt.want, tt.errs)
		}
	}
}

func TestDecodeJSONSyntax(t *testing.T) {
	tests := []struct{ body, problem string }{
		{``, "the body ends before the JSON value does."},
		{`   `, "the body ends before the JSON value does."},
		{`{"name": `, "the body ends before the JSON value does."},
		{`{"name" 1}`, "invalid JSON at byte 8."},
		{`{} {}`, "extra data after the JSON value at byte 3."},
		{`{}]`, "extra data after the JSON value at byte 2."},
		{"{}\n\x00", "extra data after the JSON value at byte 3."},
		{"{\"name\": \"\xed\xa0\x80\"}", "invalid UTF-8 at byte 10."}, // a UTF-16 surrogate written as UTF-8
		{`{"ids": ` + strings.Repeat("[", MaxJSONDepth) + strings.Repeat("]", MaxJSONDepth) + `}`, "the JSON value nests deeper than 64 levels."},
		{`{"count": ` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `}`, "the JSON value nests deeper than 64 levels."},
	}
	for _, tt := range tests {
		var v decodeTarget
		err := DecodeJSON([]byte(tt.body), &v)
		var syntax *JSONSyntaxError
		if !errors.As(err, &syntax) || syntax.Problem != tt.problem {
			t.Errorf("%q: %v, want %s", tt.body, err, tt.problem)
		}
	}
	if err := DecodeJSON([]byte(" {}\r\n\t "), &decodeTarget{}); err != nil {
		t.Errorf("whitespace: %v", err)
	}
}

func TestPath(t *testing.T) {
	for _, key := range []string{"non_field_errors", "marks", "sections[1].questions[0].marks", "selected_answers[2]", "a[0][1].b"} {
		p := ParsePath(key)
		if key == "non_field_errors" {
			p = nil
		}
		if got := p.String(); got != key {
			t.Errorf("ParsePath(%q).String() = %q", key, got)
		}
	}
	type item struct{ Key string }
	root := struct {
		Items []item `json:"items"`
	}{[]item{{"a"}, {"b"}}}
	label := func(elem any) string { return ` "` + elem.(item).Key + `"` }
	if got := (Path{"items", 1, "x"}).Label(root, label); got != `items[1] "b".x` {
		t.Errorf("Label = %s", got)
	}
	if got := (Path{"", "items", 0, ""}).String(); got != `"".items[0].""` {
		t.Errorf("empty keys: %s", got)
	}
	if got := (Path{"items", 5, "x"}).Label(root, label); got != `items[5].x` {
		t.Errorf("Label past the end = %s", got)
	}
}

func TestCheckText(t *testing.T) {
	for s, want := range map[string]error{"": nil, "आ😀": nil, "a\x00": ErrNullCharacter, "\xff": ErrInvalidUTF8, "\xed\xa0\x80": ErrInvalidUTF8} {
		if err := CheckText(s); !errors.Is(err, want) || (want == nil) != (err == nil) {
			t.Errorf("CheckText(%q) = %v, want %v", s, err, want)
		}
	}
}
