package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/httpapi"
	"github.com/examhall/examhall/sqlstore"
)

// observed is a RequestObserver that keeps what it is told.
type observed struct {
	mu       sync.Mutex
	requests []string // "route method status"
}

func (o *observed) ObserveRequest(route, method string, status int, elapsed time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.requests = append(o.requests, fmt.Sprintf("%s %s %d", route, method, status))
}

func (o *observed) ObserveShed(string) {}

func (o *observed) take() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	r := o.requests
	o.requests = nil
	return r
}

// TestRequestRoutes: each request is observed once, under the ServeMux
// pattern that served it, not its path (with or without the trailing
// slash, whatever the ids); a request refused before routing is observed
// with no route.
func TestRequestRoutes(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		o := &observed{}
		a := newTestAPIWith(t, engine, func(s *httpapi.Server) { s.Metrics = o })
		a.addUser("admin", examhall.RoleAdmin)
		admin := a.token("admin")
		o.take()
		a.must(200, "GET", "/api/v2.5/admin/users/1/", admin, nil, nil)
		a.must(200, "GET", "/api/v2.5/admin/users/1", admin, nil, nil)
		a.must(404, "GET", "/api/v2.5/admin/users/999/", admin, nil, nil)
		a.must(404, "GET", "/api/no/such/thing/", admin, nil, nil)
		a.must(401, "GET", "/api/v2.5/admin/users/", "", nil, nil)
		req, _ := http.NewRequest("GET", a.server.URL+"/api/v2.5/admin/users/", nil)
		req.Host = "evil.example.net"
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := []string{
			"/api/v2.5/admin/users/{id}/{$} GET 200",
			"/api/v2.5/admin/users/{id}/{$} GET 200",
			"/api/v2.5/admin/users/{id}/{$} GET 404",
			"/api/ GET 404",
			"/api/v2.5/admin/users/{$} GET 401",
			fmt.Sprintf(" GET %d", resp.StatusCode),
		}
		if got := o.take(); !slices.Equal(got, want) || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("observed %q, want %q (Host refused with %d)", got, want, resp.StatusCode)
		}
	})
}
