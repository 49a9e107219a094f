package httpapi_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoStorageAdapter keeps the layout of benbjohnson/wtf: the HTTP adapter
// reaches storage only through the root package's interfaces, so neither it
// nor anything it imports may import the storage adapter (issue 12). The
// same check as `go list -deps ./httpapi | grep sqlstore`.
func TestNoStorageAdapter(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the dependencies: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed %d packages: %q", len(deps), deps)
	}
	for _, dep := range deps {
		if strings.HasPrefix(dep, "github.com/examhall/examhall/sqlstore") {
			t.Errorf("httpapi depends on %s", dep)
		}
	}
}
