package browsertest

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

// manifestRow matches a file row of a VENDORED.md written by
// scripts/vendor-web.sh: | `file` | `package/...` | `sha256` |
var manifestRow = regexp.MustCompile("(?m)^\\| `([^`]+)` \\| `package/[^`]+` \\| `([0-9a-f]{64})` \\|$")

// TestVendoredFiles: every vendored file is listed in its folder's
// VENDORED.md with the sha256 it has (so none was edited by hand), and every
// file in the folder is listed (so none was added by hand).
func TestVendoredFiles(t *testing.T) {
	for _, dir := range []string{"axe", "../static/vendor"} {
		t.Run(dir, func(t *testing.T) {
			manifest, err := os.ReadFile(filepath.Join(dir, "VENDORED.md"))
			if err != nil {
				t.Fatal(err)
			}
			var listed []string
			for _, m := range manifestRow.FindAllStringSubmatch(string(manifest), -1) {
				name, want := m[1], m[2]
				listed = append(listed, name)
				data, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != want {
					t.Errorf("%s: sha256 %x, VENDORED.md says %s: run scripts/vendor-web.sh", name, sum, want)
				}
			}
			var present []string
			err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(dir, path)
				if rel != "VENDORED.md" {
					present = append(present, filepath.ToSlash(rel))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(listed)
			slices.Sort(present)
			if len(listed) == 0 || !slices.Equal(listed, present) {
				t.Errorf("VENDORED.md lists %q; the folder holds %q", listed, present)
			}
		})
	}
}
