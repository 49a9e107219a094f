package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"testing"
)

// keys lists the keys of a JSON object in the order they appear.
func keys(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", raw)
	}
	var out []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestShapeMatchesExamhall holds the ceiling to the shape of examhall's
// answer: the envelope's keys and every result's keys, in the golden file's order.
func TestShapeMatchesExamhall(t *testing.T) {
	golden, err := os.ReadFile("../../../httpapi/testdata/admin_attempts_default.json")
	if err != nil {
		t.Fatal(err)
	}
	var want struct{ Results []json.RawMessage }
	if err := json.Unmarshal(golden, &want); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"", "10", "1000"} {
		rec := httptest.NewRecorder()
		handler(makeAttempts(1000, 1)).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v2.5/admin/attempts/?n="+n, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("n=%q: status %d: %s", n, rec.Code, rec.Body)
		}
		if got, want := keys(t, rec.Body.Bytes()), keys(t, golden); !reflect.DeepEqual(got, want) {
			t.Errorf("envelope keys %v, want %v", got, want)
		}
		var got struct{ Results []json.RawMessage }
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		wantN := map[string]int{"": 200, "10": 10, "1000": 1000}[n]
		if len(got.Results) != wantN {
			t.Errorf("n=%q: %d results, want %d", n, len(got.Results), wantN)
		}
		for _, r := range got.Results {
			if k := keys(t, r); !reflect.DeepEqual(k, keys(t, want.Results[0])) {
				t.Fatalf("result keys %v, want %v", k, keys(t, want.Results[0]))
			}
		}
	}
	rec := httptest.NewRecorder()
	handler(makeAttempts(10, 1)).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/?n=11", nil))
	if rec.Code != http.StatusBadRequest {
		t.Errorf("n beyond --max: status %d, want 400", rec.Code)
	}
}
