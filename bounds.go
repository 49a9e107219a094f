package examhall

import (
	"fmt"
	"unicode/utf8"
)

// Bounds of the names and keys examhall stores, in characters (Django's
// max_length where Django has one). Besides keeping lists readable, they keep
// every indexed text far below the size PostgreSQL refuses in an index entry
// (about 2,700 bytes), which made an unbounded username, email or batch a 500
// on PostgreSQL and a 201 on SQLite.
const (
	MaxUsernameLength = 150 // Django's User.username
	MaxNameLength     = 150 // first_name, last_name (Django's)
	MaxPhoneLength    = 32
	MaxBatchLength    = 100
	MaxSlugLength     = 100 // exams and courses
	MaxKeyLength      = 100 // a bundle's keys of subjects and questions
	MaxTitleLength    = 255 // titles of exams, courses, chapters and contents; subject names
)

// CheckLength adds DRF's max_length error for field to errs when value has
// more than max characters.
func CheckLength(errs FieldErrors, field, value string, max int) {
	if utf8.RuneCountInString(value) > max {
		errs.Add(field, fmt.Sprintf("Ensure this field has no more than %d characters.", max))
	}
}
