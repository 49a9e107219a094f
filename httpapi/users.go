package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/auth"
	"github.com/examhall/examhall/drf"
)

// adminUser is a user as the admin API shows it.
type adminUser struct {
	ID         int64    `json:"id"`
	URL        string   `json:"url"`
	Username   string   `json:"username"`
	Email      string   `json:"email"`
	FirstName  string   `json:"first_name"`
	LastName   string   `json:"last_name"`
	Name       *string  `json:"name"`
	Phone      string   `json:"phone"`
	Role       string   `json:"role"`
	IsActive   bool     `json:"is_active"`
	IsBlocked  bool     `json:"is_blocked"`
	DateJoined string   `json:"date_joined"`
	Batches    []string `json:"batches"`
}

func (s *Server) adminUser(r *http.Request, u *examhall.User) adminUser {
	var name *string
	if n := u.FullName(); n != "" {
		name = &n
	}
	return adminUser{
		ID: u.ID, URL: s.userURL(r, u.ID), Username: u.Username, Email: u.Email,
		FirstName: u.FirstName, LastName: u.LastName, Name: name, Phone: u.Phone, Role: string(u.Role),
		IsActive: u.IsActive, IsBlocked: u.IsBlocked, DateJoined: s.formatTime(u.DateJoined), Batches: u.Batches,
	}
}

// userURL is the admin API address of a user: the user_url of other resources.
func (s *Server) userURL(r *http.Request, id int64) string {
	return s.absoluteURL(r, "/api/v2.5/admin/users/"+strconv.FormatInt(id, 10)+"/", nil).String()
}

func (s *Server) formatTime(t time.Time) string {
	return drf.FormatTime(t, s.location())
}

// Page sizes of the admin users list.
const (
	usersPageSize    = 200
	usersMaxPageSize = 1000
)

// listUsers is GET /api/v2.5/admin/users/?q=&email=: users by id, paginated.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, err := drf.ParsePage(q, usersPageSize, usersMaxPageSize)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	filter := examhall.UserFilter{Query: drf.Param(q, "q"), Email: drf.Param(q, "email")}
	if err := filter.Validate(); err != nil {
		s.writeError(w, r, err)
		return
	}
	filter.Limit = page.Size
	var users []*examhall.User
	var count int
	resolved, err := fetchPage(page, func(offset int) (int, error) {
		filter.Offset = offset
		users, count, err = s.Users.Users(r.Context(), filter)
		return count, err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	results := make([]adminUser, len(users))
	for i, u := range users {
		results[i] = s.adminUser(r, u)
	}
	writeJSON(w, http.StatusOK, drf.NewEnvelope(s.requestURL(r), resolved, count, results))
}

// getUser is GET /api/v2.5/admin/users/<id>/.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	u, err := s.Users.UserByID(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.adminUser(r, u))
}

// userInput is the body of POST /api/v2.5/admin/users/.
type userInput struct {
	Username  string   `json:"username"`
	Password  string   `json:"password"`
	Email     string   `json:"email"`
	FirstName string   `json:"first_name"`
	LastName  string   `json:"last_name"`
	Phone     string   `json:"phone"`
	Role      string   `json:"role"`
	IsActive  *bool    `json:"is_active"`
	Batches   []string `json:"batches"`
}

// createUser is POST /api/v2.5/admin/users/. Without a password the user
// cannot log in until one is set, and the answer says so in "warnings".
func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var in userInput
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Role == "" {
		in.Role = string(examhall.RoleStudent)
	}
	u := &examhall.User{Username: in.Username, Email: in.Email, FirstName: in.FirstName, LastName: in.LastName,
		Phone: in.Phone, Role: examhall.Role(in.Role), IsActive: in.IsActive == nil || *in.IsActive, Batches: in.Batches}
	hash := ""
	if in.Password != "" {
		if len(in.Password) > auth.MaxPasswordBytes {
			s.writeError(w, r, fieldErr("password", "Ensure this field has no more than 72 bytes."))
			return
		}
		var err error
		if hash, err = s.Auth.Passwords.Hash(in.Password); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if err := s.Users.CreateUser(r.Context(), u, hash); err != nil {
		s.writeError(w, r, err)
		return
	}
	if u.Batches == nil {
		u.Batches = []string{}
	}
	out := createdUser{adminUser: s.adminUser(r, u)}
	if hash == "" {
		out.Warnings = []string{noPasswordWarning}
	}
	writeJSON(w, http.StatusCreated, out)
}

// createdUser is the answer to POST /api/v2.5/admin/users/: the user, and
// warnings about what the user cannot do yet, when there are any.
type createdUser struct {
	adminUser
	Warnings []string `json:"warnings,omitempty"`
}

// noPasswordWarning answers the creation of a user without a password: a
// user made for an import or a password given later is legitimate (SPEC §9
// does the same), but one made by mistake would fail to log in unexplained.
const noPasswordWarning = "No password was given: this user cannot log in until one is set " +
	"(PATCH /api/v2.5/admin/users/<id>/ with \"password\")."
