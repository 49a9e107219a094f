package drf

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/examhall/examhall"
)

func TestParsePage(t *testing.T) {
	tests := []struct {
		query string
		want  Page
	}{
		{"", Page{Number: 1, Size: 200}},
		{"page=3", Page{Number: 3, Size: 200}},
		{"page=last", Page{Number: 1, Last: true, Size: 200}},
		{"page_size=50", Page{Number: 1, Size: 50}},
		{"page_size=100000", Page{Number: 1, Size: 1000}}, // capped
		{"page_size=0", Page{Number: 1, Size: 200}},       // not positive: the default
		{"page_size=-5", Page{Number: 1, Size: 200}},
		{"page_size=abc", Page{Number: 1, Size: 200}},
	}
	for _, tt := range tests {
		q, _ := url.ParseQuery(tt.query)
		got, err := ParsePage(q, 200, 1000)
		if err != nil || got != tt.want {
			t.Errorf("ParsePage(%q) = %+v, %v; want %+v", tt.query, got, err, tt.want)
		}
	}
	if p, _ := ParsePage(url.Values{"page": {"1", "3"}, "page_size": {"9", "7"}}, 200, 1000); p.Number != 3 || p.Size != 7 {
		t.Errorf("repeated parameters: %+v, want the last values", p)
	}
	for _, bad := range []string{"page=0", "page=-1", "page=abc", "page=1.5", "page=%20", "page=92233720368547758", "page=10737419&page_size=200"} {
		q, _ := url.ParseQuery(bad)
		if _, err := ParsePage(q, 200, 1000); err != ErrInvalidPage {
			t.Errorf("ParsePage(%q) error = %v, want ErrInvalidPage", bad, err)
		}
	}
	if examhall.ErrorCodeOf(ErrInvalidPage) != examhall.ENOTFOUND || ErrInvalidPage.Message != "Invalid page." {
		t.Errorf("ErrInvalidPage = %v", ErrInvalidPage)
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		page       Page
		count      int
		wantNumber int
		wantOffset int
		wantErr    bool
	}{
		{Page{Number: 1, Size: 10}, 0, 1, 0, false}, // the empty first page exists
		{Page{Number: 2, Size: 10}, 0, 0, 0, true},
		{Page{Number: 3, Size: 10}, 25, 3, 20, false},
		{Page{Number: 4, Size: 10}, 25, 0, 0, true},
		{Page{Last: true, Size: 10}, 25, 3, 20, false},
		{Page{Last: true, Size: 10}, 0, 1, 0, false},
		{Page{Number: 2, Size: 10}, 20, 2, 10, false},
	}
	for _, tt := range tests {
		got, off, err := tt.page.Resolve(tt.count)
		if (err != nil) != tt.wantErr || got.Number != tt.wantNumber || off != tt.wantOffset {
			t.Errorf("%+v.Resolve(%d) = %+v, %d, %v", tt.page, tt.count, got, off, err)
		}
	}
}

func TestEnvelopeLinksKeepFilters(t *testing.T) {
	u, _ := url.Parse("https://exams.example.com/api/v2.5/admin/attempts/?state=1&exams=5&page=2&ordering=-date&q=a+b")
	env := NewEnvelope(u, Page{Number: 2, Size: 10}, 35, []int{})
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"count":35,` +
		`"next":"https://exams.example.com/api/v2.5/admin/attempts/?exams=5\u0026ordering=-date\u0026page=3\u0026q=a+b\u0026state=1",` +
		`"previous":"https://exams.example.com/api/v2.5/admin/attempts/?exams=5\u0026ordering=-date\u0026q=a+b\u0026state=1",` +
		`"per_page":10,"results":[]}`
	if string(b) != want {
		t.Errorf("envelope =\n%s\nwant\n%s", b, want)
	}
}

func TestEnvelopeEnds(t *testing.T) {
	u, _ := url.Parse("http://127.0.0.1:8080/api/v2.5/admin/users/?page=4")
	env := NewEnvelope(u, Page{Number: 4, Size: 10}, 35, nil)
	if env.Next != nil {
		t.Errorf("last page has next %q", *env.Next)
	}
	if env.Previous == nil || *env.Previous != "http://127.0.0.1:8080/api/v2.5/admin/users/?page=3" {
		t.Errorf("previous = %v", env.Previous)
	}
	first := NewEnvelope(u, Page{Number: 1, Size: 10}, 5, nil)
	if first.Next != nil || first.Previous != nil {
		t.Errorf("single page has links: %+v", first)
	}
}
