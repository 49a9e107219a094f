package bundle_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/bundle"
	"golang.org/x/crypto/bcrypt"
)

func TestPasswordHash(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("secret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	valid := string(hash) // $2a$04$…
	const field = `users[0] "asha".password_hash`
	const notBcrypt = "Expected a bcrypt hash: $2a$, $2b$ or $2y$, a cost, and 53 characters of salt and hash."
	tests := []struct {
		name, user string
		want       []string // the messages of field; nil when the bundle is valid
	}{
		{"2a", `"password_hash": "` + valid + `"`, nil},
		{"2b", `"password_hash": "$2b$` + valid[4:] + `"`, nil},
		{"2y", `"password_hash": "$2y$` + valid[4:] + `"`, nil},
		{"both", `"password": "secret", "password_hash": "` + valid + `"`, []string{"Give either password or password_hash, not both."}},
		{"argon2", `"password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"`, []string{notBcrypt}},
		{"unknown minor", `"password_hash": "$2x$` + valid[4:] + `"`, []string{notBcrypt}},
		{"cost out of range", `"password_hash": "$2a$03$` + valid[7:] + `"`, []string{notBcrypt}},
		{"truncated", `"password_hash": "` + valid[:59] + `"`, []string{notBcrypt}},
		{"bad alphabet", `"password_hash": "` + valid[:59] + `!"`, []string{notBcrypt}},
		{"plain text", `"password_hash": "secret"`, []string{notBcrypt}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := bundle.Parse(strings.NewReader(`{"format": "examhall-bundle/1",
				"users": [{"username": "asha", ` + tt.user + `}]}`))
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if got := b.Users[0].PasswordHash; !strings.HasSuffix(got, valid[4:]) {
					t.Errorf("password_hash = %q", got)
				}
				return
			}
			var e *examhall.Error
			if !errors.As(err, &e) || !reflect.DeepEqual(e.Fields[field], tt.want) {
				t.Errorf("error = %v, want %s: %q", err, field, tt.want)
			}
		})
	}
}
