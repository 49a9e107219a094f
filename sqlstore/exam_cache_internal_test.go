package sqlstore

import (
	"testing"

	"github.com/examhall/examhall"
)

// TestExamCacheBounds checks the cache's own rules: an entry answers for its
// version only, a late load of an older version does not replace a newer
// one, and the least recently used exam leaves when the cache is full.
func TestExamCacheBounds(t *testing.T) {
	c := newExamCache()
	v2 := &examhall.Exam{ID: 1, Title: "v2"}
	c.put(2, v2)
	c.put(1, &examhall.Exam{ID: 1, Title: "v1"})
	if got, ok := c.get(1, 2); !ok || got != v2 {
		t.Errorf("get(1, 2) = %v, %v; want the version 2 exam", got, ok)
	}
	if _, ok := c.get(1, 1); ok {
		t.Error("an older version answered")
	}
	if _, ok := c.get(1, 3); ok {
		t.Error("a newer version answered")
	}
	for id := int64(2); id <= examCacheSize+1; id++ {
		c.get(1, 2) // exam 1 stays the most recently used
		c.put(0, &examhall.Exam{ID: id})
	}
	if c.recent.Len() != examCacheSize || len(c.entries) != examCacheSize {
		t.Errorf("%d entries (%d in the map), want %d", c.recent.Len(), len(c.entries), examCacheSize)
	}
	if _, ok := c.get(2, 0); ok {
		t.Error("the least recently used exam stayed")
	}
	if _, ok := c.get(1, 2); !ok {
		t.Error("the most recently used exam left")
	}
}
