package bundle_test

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/bundle"
)

// quoted is a Go-quoted string inside a message; goTalk is what only Go
// says: type names, package-prefixed errors.
var (
	quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	goTalk = regexp.MustCompile(`\b(bundle|decimal|drf|json|examhall|time)\.[A-Z]|\bu?int(8|16|32|64)\b|float(32|64)|map\[|\[\][a-z*]|\b(json|decimal|drf|strconv|bundle):|Go value`)
)

// FuzzParse reads arbitrary bodies as bundles: Parse never panics, refuses
// with an EINVALID error whose every key names a field (never empty) and
// whose messages name no Go type, and what it accepts holds no NUL.
//
// Run it with: go test -run '^$' -fuzz '^FuzzParse$' -fuzztime 60s ./bundle/
func FuzzParse(f *testing.F) {
	f.Add(readBundle(f))
	f.Fuzz(func(t *testing.T, body string) {
		b, err := bundle.Parse(strings.NewReader(body))
		if err == nil {
			text, err := json.Marshal(b)
			if err != nil || strings.Contains(string(text), `\u0000`) {
				t.Fatalf("accepted %q: %v %s", body, err, text)
			}
			return
		}
		var e *examhall.Error
		if !errors.As(err, &e) || e.Code != examhall.EINVALID || len(e.Fields) == 0 {
			t.Fatalf("%q: %v", body, err)
		}
		for key, msgs := range e.Fields {
			if key == "" || len(msgs) == 0 {
				t.Fatalf("%q: key %q: %q", body, key, msgs)
			}
			for _, m := range msgs {
				if goTalk.MatchString(quoted.ReplaceAllString(m, `""`)) { // the body's own text is echoed quoted
					t.Fatalf("%q: %s: %q speaks Go", body, key, m)
				}
			}
		}
	})
}
