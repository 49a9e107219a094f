package drf

import (
	"math"
	"net/url"
	"strconv"

	"github.com/examhall/examhall"
)

// Page is a requested page of a list: DRF's ?page= (1-based, or "last") and
// ?page_size= parameters.
type Page struct {
	Number int  // 1-based; ignored when Last
	Last   bool // ?page=last
	Size   int
}

// ErrInvalidPage is DRF's answer to a page that is not a positive number or lies
// past the end of the list: 404 {"detail": "Invalid page."}.
var ErrInvalidPage = examhall.Errorf(examhall.ENOTFOUND, "Invalid page.")

// ParsePage reads ?page= and ?page_size= as DRF's PageNumberPagination does: a
// page_size that is not a positive integer falls back to defaultSize, one above
// maxSize is capped to it; a page that is not a positive integer (or "last") is
// ErrInvalidPage.
func ParsePage(q url.Values, defaultSize, maxSize int) (Page, error) {
	p := Page{Number: 1, Size: defaultSize}
	if s := Param(q, "page_size"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			p.Size = min(n, maxSize)
		}
	}
	switch s := Param(q, "page"); s {
	case "":
	case "last":
		p.Last = true
	default:
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > math.MaxInt32/p.Size { // no page that far exists; its offset would overflow
			return Page{}, ErrInvalidPage
		}
		p.Number = n
	}
	return p, nil
}

// Param is the value of a query parameter, the last one when it is repeated,
// as Django's QueryDict reads it.
func Param(q url.Values, name string) string {
	if v := q[name]; len(v) > 0 {
		return v[len(v)-1]
	}
	return ""
}

// Resolve fixes the page number against a list of count items: it turns
// "last" into a number and refuses pages past the end (the first page of an
// empty list exists). It returns the page with its number set and the offset of
// its first item.
func (p Page) Resolve(count int) (Page, int, error) {
	pages := NumPages(count, p.Size)
	if p.Last {
		p.Number, p.Last = pages, false
	}
	if p.Number > pages {
		return Page{}, 0, ErrInvalidPage
	}
	return p, (p.Number - 1) * p.Size, nil
}

// NumPages is the number of pages of count items, size a page; at least one.
func NumPages(count, size int) int {
	if count <= 0 {
		return 1
	}
	return (count + size - 1) / size
}

// Envelope is DRF's paginated response, keys in this order, with Testpress's
// per_page.
type Envelope struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	PerPage  int     `json:"per_page"`
	Results  any     `json:"results"`
}

// NewEnvelope wraps one resolved page of results. requestURL is the absolute URL
// of the request; next and previous are that URL with only page changed, so
// that they keep every filter (the previous link of page 2 drops page, as DRF's does).
func NewEnvelope(requestURL *url.URL, p Page, count int, results any) Envelope {
	env := Envelope{Count: count, PerPage: p.Size, Results: results}
	if p.Number < NumPages(count, p.Size) {
		env.Next = PageLink(requestURL, p.Number+1)
	}
	if p.Number > 1 {
		env.Previous = PageLink(requestURL, p.Number-1)
	}
	return env
}

// PageLink is requestURL with its page parameter set to number (left out for 1).
func PageLink(requestURL *url.URL, number int) *string {
	u := *requestURL
	q := u.Query()
	if number == 1 {
		q.Del("page")
	} else {
		q.Set("page", strconv.Itoa(number))
	}
	u.RawQuery = q.Encode() // sorted by key, as Django's replace_query_param writes it
	s := u.String()
	return &s
}
