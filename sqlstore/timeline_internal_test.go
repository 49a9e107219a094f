package sqlstore

import (
	"encoding/json"
	"testing"
)

// TestAnswerSavedJSON: the hand-written encoding of answer_saved's data is
// json.Marshal's, for every kind of answer (escapes included).
func TestAnswerSavedJSON(t *testing.T) {
	text, number, essay := "Isaac \"Newton\" <b>", "9.80", "line\nbreak & \u2028"
	type plain answerSaved // without the MarshalJSON method
	for _, d := range []answerSaved{
		{ExamQuestionID: 7, Answer: answerShown{SelectedAnswers: []int64{}}},
		{ExamQuestionID: 8, Answer: answerShown{SelectedAnswers: []int64{3, 41}}, DurationAdded: 30},
		{ExamQuestionID: 9, Answer: answerShown{SelectedAnswers: []int64{}, ShortText: &text, NumericValue: &number, EssayText: &essay}},
	} {
		got, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(plain(d))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("answer_saved data\n got %s\nwant %s", got, want)
		}
	}
}

// TestAppendIDs: the hand-written encoding of selected answers is
// json.Marshal's, for a non-nil slice.
func TestAppendIDs(t *testing.T) {
	for _, ids := range [][]int64{{}, {7}, {3, 41, -2, 9007199254740993}} {
		want, err := json.Marshal(ids)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendIDs(nil, ids); string(got) != string(want) {
			t.Errorf("appendIDs(%v) = %s, want %s", ids, got, want)
		}
	}
}

// TestRenumber: a statement's arguments renumbered from another $n, and
// nothing else of its text changed.
func TestRenumber(t *testing.T) {
	query := `UPDATE t SET a = $2, b = '$' || $10 WHERE id = $1 AND c = $9`
	for by, want := range map[int]string{
		0: query,
		6: `UPDATE t SET a = $8, b = '$' || $16 WHERE id = $7 AND c = $15`,
	} {
		if got := renumber(query, by); got != want {
			t.Errorf("renumber by %d:\n got %s\nwant %s", by, got, want)
		}
	}
	if got, want := saveAnswerSQL(3), renumber(saveAnswerSQL(1), 2); got != want {
		t.Errorf("saveAnswerSQL(3) = %s, want %s", got, want)
	}
}
