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
