package examhall

import (
	"fmt"
	"strings"
)

// InvalidChoice is the field message for a value that is none of the valid
// choices, e.g. `"R2" is not a valid choice. Valid choices: easy, medium, hard.`
// DRF's ChoiceField stops after the first sentence; examhall names the
// choices, so that a client learns them from the error (issue 12).
func InvalidChoice(value string, valid []string) string {
	return fmt.Sprintf(`"%s" is not a valid choice. Valid choices: %s.`, value, strings.Join(valid, ", "))
}

// questionTypeOrder lists the question types as SPEC §9 names them.
var questionTypeOrder = []QuestionType{MCQSingle, MCQMultiple, TrueFalse, Numerical, ShortAnswer, Essay}

// QuestionTypeChoices are the names of the question types, in SPEC §9's order.
func QuestionTypeChoices() []string {
	names := make([]string, len(questionTypeOrder))
	for i, t := range questionTypeOrder {
		names[i] = string(t)
	}
	return names
}

// ParseQuestionType reads a question type in any spelling examhall writes:
// its name (mcq_single, the bundle's and the authoring API's input), its
// label ("MCQ, Single Correct", the admin API's output) or its code (R, the
// student API's output), so that what examhall shows can be sent back.
func ParseQuestionType(s string) (QuestionType, bool) {
	for _, t := range questionTypeOrder {
		if names := questionTypeNames[t]; s == string(t) || s == names[0] || s == names[1] {
			return t, true
		}
	}
	return "", false
}

// DifficultyChoices are the difficulty levels a question may have; none is
// given as null or "".
func DifficultyChoices() []string { return []string{string(Easy), string(Medium), string(Hard)} }

// RoleChoices are the roles a user may have.
func RoleChoices() []string {
	return []string{string(RoleAdmin), string(RoleStaff), string(RoleStudent)}
}

// ContentTypeChoices are the names of the chapter content types, by code.
func ContentTypeChoices() []string {
	return []string{ContentExam.Name(), ContentQuiz.Name(), ContentVideo.Name(), ContentAttachment.Name(),
		ContentNotes.Name(), ContentVideoConference.Name(), ContentLiveStream.Name()}
}
