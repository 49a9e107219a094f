package exports

import (
	"bufio"
	"encoding/csv"
	"io"

	"github.com/examhall/examhall/attemptlist"
)

// csvWriter writes rows as RFC 4180 CSV in UTF-8 (no byte order mark): a
// header of attemptlist.Columns, then each row's cells, which hold the text
// of the API's JSON values ("" for null).
type csvWriter struct {
	buf   *bufio.Writer
	csv   *csv.Writer
	cells []string
}

func newCSVWriter(w io.Writer) (*csvWriter, error) {
	buf := bufio.NewWriterSize(w, 64<<10)
	c := &csvWriter{buf: buf, csv: csv.NewWriter(buf), cells: make([]string, 0, len(attemptlist.Columns))}
	return c, c.csv.Write(attemptlist.Columns)
}

func (c *csvWriter) Write(r *attemptlist.Row) error {
	c.cells = r.Cells(c.cells[:0])
	return c.csv.Write(c.cells)
}

func (c *csvWriter) Close() error {
	c.csv.Flush()
	if err := c.csv.Error(); err != nil {
		return err
	}
	return c.buf.Flush()
}

func (c *csvWriter) Abort() {}
