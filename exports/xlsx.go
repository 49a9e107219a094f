package exports

import (
	"archive/zip"
	"fmt"
	"io"
	"time"

	"github.com/examhall/examhall/attemptlist"
	"github.com/xuri/excelize/v2"
)

// xlsxMaxRows is the most rows an XLSX sheet holds (Excel's limit); the
// rows past it go on to another sheet, "Attempts 2", with the header again.
const xlsxMaxRows = 1 << 20

// sheetName is the name of the n-th sheet (from 1).
func sheetName(n int) string {
	if n == 1 {
		return "Attempts"
	}
	return fmt.Sprintf("Attempts %d", n)
}

// xlsxWriter writes rows as an XLSX workbook with excelize's StreamWriter,
// which keeps the sheet in a temporary file past 16 MB, not in memory, and
// zips it straight into the output file.
// Cells are typed: ids, counts, score, percentage and speed are numbers;
// date, last_started_time and last_answer_updated_time are Excel datetimes
// showing the institute's wall-clock time (the zone the API's strings carry;
// Excel has no zones), formatted yyyy-mm-dd hh:mm:ss; the rest are the API's
// strings (time_taken and remaining_time as "HH:MM:SS"); null is an empty
// cell.
type xlsxWriter struct {
	out        io.Writer
	file       *excelize.File
	stream     *excelize.StreamWriter
	sheet, row int
	dateStyle  int
	scoreStyle int
	cells      []any
}

func newXLSXWriter(out io.Writer, tmpDir string) (*xlsxWriter, error) {
	f := excelize.NewFile(excelize.Options{TmpDir: tmpDir})
	// Write would build the whole zip in a bytes.Buffer first (a 1,000,000
	// row workbook is ~90 MB compressed): the zip goes straight to out
	// instead, and the buffer stays empty. (Excel's zip64 header fix-up,
	// which needs that buffer, is for a sheet over 4 GB unzipped: at most
	// xlsxMaxRows rows of ~700 bytes are far from it.)
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(out) })
	x := &xlsxWriter{out: out, file: f, cells: make([]any, len(attemptlist.Columns))}
	format := "yyyy-mm-dd hh:mm:ss"
	var err error
	if x.dateStyle, err = f.NewStyle(&excelize.Style{CustomNumFmt: &format}); err != nil {
		return nil, x.fail(err)
	}
	if x.scoreStyle, err = f.NewStyle(&excelize.Style{NumFmt: 2}); err != nil { // 0.00
		return nil, x.fail(err)
	}
	if err := f.SetSheetName("Sheet1", sheetName(1)); err != nil {
		return nil, x.fail(err)
	}
	return x, x.startSheet(1)
}

// fail closes the workbook (removing its temporary files) and returns err.
func (x *xlsxWriter) fail(err error) error {
	x.file.Close() //nolint:errcheck // err is what went wrong
	return err
}

// startSheet opens sheet n (after flushing the one before) with its header.
func (x *xlsxWriter) startSheet(n int) error {
	if x.stream != nil {
		if err := x.stream.Flush(); err != nil {
			return x.fail(err)
		}
	}
	if n > 1 {
		if _, err := x.file.NewSheet(sheetName(n)); err != nil {
			return x.fail(err)
		}
	}
	sw, err := x.file.NewStreamWriter(sheetName(n))
	if err != nil {
		return x.fail(err)
	}
	header := make([]any, len(attemptlist.Columns))
	for i, c := range attemptlist.Columns {
		header[i] = c
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return x.fail(err)
	}
	if err := sw.SetRow("A1", header); err != nil {
		return x.fail(err)
	}
	x.stream, x.sheet, x.row = sw, n, 1
	return nil
}

func (x *xlsxWriter) Write(r *attemptlist.Row) error {
	if x.row == xlsxMaxRows {
		if err := x.startSheet(x.sheet + 1); err != nil {
			return err
		}
	}
	x.row++
	c := x.cells
	date, err := x.date(&r.Date)
	if err != nil {
		return x.fail(err)
	}
	c[0], c[1], c[2], c[3], c[4], c[5], c[6] = r.ID, date, r.ExamID, r.UserID, r.Email, text(r.Name), text(r.Phone)
	c[7], c[8], c[9] = r.CorrectAnswersCount, r.IncorrectAnswersCount, r.UnansweredCount
	c[10] = excelize.Cell{StyleID: x.scoreStyle, Value: r.Score.Float64()}
	c[11], c[12], c[13], c[14], c[15] = r.Percentage, r.TimeTaken, text(r.RemainingTime), r.Result, r.State
	if c[16], err = x.date(r.LastStartedTime); err != nil {
		return x.fail(err)
	}
	if c[17], err = x.date(r.LastAnswerUpdatedTime); err != nil {
		return x.fail(err)
	}
	c[18], c[19], c[20] = r.Speed, r.ExamURL, r.UserURL
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return x.fail(err)
	}
	if err := x.stream.SetRow(cell, c); err != nil {
		return x.fail(err)
	}
	return nil
}

// date is a datetime cell of one of the API's datetime strings (nil for
// null): the instant in the string's own offset, which excelize writes as
// that wall-clock time.
func (x *xlsxWriter) date(s *string) (any, error) {
	if s == nil {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return nil, err
	}
	return excelize.Cell{StyleID: x.dateStyle, Value: t}, nil
}

// text is a string cell, nil (empty) for null.
func text(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func (x *xlsxWriter) Close() error {
	if err := x.stream.Flush(); err != nil {
		return x.fail(err)
	}
	if err := x.file.Write(x.out); err != nil {
		return x.fail(err)
	}
	return x.file.Close()
}

func (x *xlsxWriter) Abort() { x.file.Close() } //nolint:errcheck // dropped anyway
