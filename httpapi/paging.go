package httpapi

import "github.com/examhall/examhall/drf"

// fetchPage reads one page of a list whose total comes back with the page:
// fetch reads the rows at an offset and returns the total. A page past the
// end is drf.ErrInvalidPage; page=last is read again once the total is known.
func fetchPage(page drf.Page, fetch func(offset int) (total int, err error)) (drf.Page, error) {
	offset := 0
	if !page.Last {
		offset = (page.Number - 1) * page.Size
	}
	total, err := fetch(offset)
	if err != nil {
		return drf.Page{}, err
	}
	resolved, at, err := page.Resolve(total)
	if err != nil {
		return drf.Page{}, err
	}
	if at != offset {
		if _, err := fetch(at); err != nil {
			return drf.Page{}, err
		}
	}
	return resolved, nil
}
