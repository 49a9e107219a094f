package httpapi

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/drf"
)

// itemAnalysisOutput is GET /api/v2.5/admin/exams/<id>/statistics/ (issue 16
// §1): the test's statistics, then the questions'. Floats are rounded to 4
// decimals (examhall.AnalyseItems), null where undefined.
type itemAnalysisOutput struct {
	ExamID            int64                    `json:"exam_id"`
	Population        string                   `json:"population"`
	Attempts          int64                    `json:"attempts"`
	Pending           int64                    `json:"pending"`
	Mean              *pyFloat                 `json:"mean"`
	Median            *pyFloat                 `json:"median"`
	SD                *pyFloat                 `json:"sd"`
	Skewness          *pyFloat                 `json:"skewness"`
	Kurtosis          *pyFloat                 `json:"kurtosis"`
	CronbachAlpha     *pyFloat                 `json:"cronbach_alpha"`
	ErrorRatio        *pyFloat                 `json:"error_ratio"`
	StandardError     *pyFloat                 `json:"standard_error"`
	ScoreDistribution []itemScoreBin           `json:"score_distribution"`
	Questions         []questionAnalysisOutput `json:"questions"`
}

// itemScoreBin is a bin of the score distribution, its bounds in marks as
// JSON numbers.
type itemScoreBin struct {
	From  pyFloat `json:"from"`
	To    pyFloat `json:"to"`
	Count int     `json:"count"`
}

type questionAnalysisOutput struct {
	ExamQuestionID           int64            `json:"exam_question_id"`
	QuestionID               int64            `json:"question_id"`
	SectionID                int64            `json:"section_id"`
	Type                     string           `json:"type"`
	Marks                    decimal.Decimal  `json:"marks"`
	Attempts                 int64            `json:"attempts"`
	FacilityIndex            *pyFloat         `json:"facility_index"`
	SDPercent                *pyFloat         `json:"sd_percent"`
	DiscriminationIndex      *pyFloat         `json:"discrimination_index"`
	DiscriminativeEfficiency *pyFloat         `json:"discriminative_efficiency"`
	Answers                  []optionAnalysis `json:"answers"` // null for a question without options
}

type optionAnalysis struct {
	AnswerID      int64    `json:"answer_id"`
	Chosen        int64    `json:"chosen"`
	ChosenPercent *pyFloat `json:"chosen_percent"`
	PointBiserial *pyFloat `json:"point_biserial"`
}

// itemCSVHeader is the CSV's header: the per-question table's columns in
// the JSON's order, without answers.
var itemCSVHeader = []string{"exam_question_id", "question_id", "section_id", "type", "marks", "attempts",
	"facility_index", "sd_percent", "discrimination_index", "discriminative_efficiency"}

func floatOut(f *float64) *pyFloat {
	if f == nil {
		return nil
	}
	p := pyFloat(*f)
	return &p
}

// floatCell is a float as the CSV shows it: as in the JSON, empty for null.
func floatCell(f *float64) string {
	if f == nil {
		return ""
	}
	b, _ := pyFloat(*f).MarshalJSON()
	return string(b)
}

// getItemStatistics is GET /api/v2.5/admin/exams/<id>/statistics/
// [?population=first|all|last|best][&format=json|csv]. The parameters are
// checked before the exam is looked up: a bad one is 400 naming the field.
func (s *Server) getItemStatistics(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	q := r.URL.Query()
	errs := examhall.FieldErrors{}
	p, err := examhall.ParsePopulation(drf.Param(q, "population"))
	if err != nil {
		var e *examhall.Error
		if !errors.As(err, &e) {
			s.writeError(w, r, err)
			return
		}
		errs.Add("population", e.Message)
	}
	format := drf.Param(q, "format")
	if format != "" && format != "json" && format != "csv" {
		errs.Add("format", fmt.Sprintf(`"%s" is not a valid choice: use json or csv.`, format))
	}
	if err := errs.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.itemAnalysis.Analysis(r.Context(), id, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if format == "csv" {
		writeItemCSV(w, id, a)
		return
	}
	out := itemAnalysisOutput{ExamID: id, Population: a.Population.String(), Attempts: a.Attempts, Pending: a.Pending,
		Mean: floatOut(a.Mean), Median: floatOut(a.Median), SD: floatOut(a.SD), Skewness: floatOut(a.Skewness),
		Kurtosis: floatOut(a.Kurtosis), CronbachAlpha: floatOut(a.CronbachAlpha), ErrorRatio: floatOut(a.ErrorRatio),
		StandardError: floatOut(a.StandardError), ScoreDistribution: []itemScoreBin{}, Questions: []questionAnalysisOutput{}}
	for _, b := range a.ScoreDistribution {
		out.ScoreDistribution = append(out.ScoreDistribution, itemScoreBin{From: pyFloat(b.From.Float64()),
			To: pyFloat(b.To.Float64()), Count: b.Count})
	}
	for _, qa := range a.Questions {
		qo := questionAnalysisOutput{ExamQuestionID: qa.ExamQuestionID, QuestionID: qa.QuestionID, SectionID: qa.SectionID,
			Type: qa.Type.Label(), Marks: qa.Marks, Attempts: qa.Attempts, FacilityIndex: floatOut(qa.FacilityIndex),
			SDPercent: floatOut(qa.SDPercent), DiscriminationIndex: floatOut(qa.DiscriminationIndex),
			DiscriminativeEfficiency: floatOut(qa.DiscriminativeEfficiency)}
		if qa.Answers != nil {
			qo.Answers = []optionAnalysis{}
			for _, o := range qa.Answers {
				qo.Answers = append(qo.Answers, optionAnalysis{AnswerID: o.AnswerID, Chosen: o.Chosen,
					ChosenPercent: floatOut(o.ChosenPercent), PointBiserial: floatOut(o.PointBiserial)})
			}
		}
		out.Questions = append(out.Questions, qo)
	}
	writeJSON(w, http.StatusOK, out)
}

// writeItemCSV writes the per-question table as CSV (RFC 4180, CRLF line
// ends): a header row, then a row per question in the exam's order.
func writeItemCSV(w http.ResponseWriter, examID int64, a examhall.ItemAnalysis) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	_ = cw.Write(itemCSVHeader) // a bytes.Buffer does not fail
	for _, qa := range a.Questions {
		_ = cw.Write([]string{strconv.FormatInt(qa.ExamQuestionID, 10), strconv.FormatInt(qa.QuestionID, 10),
			strconv.FormatInt(qa.SectionID, 10), qa.Type.Label(), qa.Marks.String(), strconv.FormatInt(qa.Attempts, 10),
			floatCell(qa.FacilityIndex), floatCell(qa.SDPercent), floatCell(qa.DiscriminationIndex),
			floatCell(qa.DiscriminativeEfficiency)})
	}
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="exam-%d-statistics-%s.csv"`, examID, a.Population))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}
