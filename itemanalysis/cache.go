// Package itemanalysis serves exams' item analyses (issue 16 §1): each is
// computed from the store's sufficient statistics (examhall.AnalyseItems)
// and kept in memory until they change, so that a later request costs the
// one-row read of their version.
package itemanalysis

import (
	"context"
	"sync"

	"github.com/examhall/examhall"
)

// maxEntries bounds the analyses kept (an exam has four, one per
// population); past it, an arbitrary one is forgotten.
const maxEntries = 512

type key struct {
	exam       int64
	population examhall.Population
}

type entry struct {
	version  int64
	analysis examhall.ItemAnalysis
}

// Cache computes and keeps item analyses. It is safe for concurrent use.
type Cache struct {
	store   examhall.ItemStatisticsStore
	mu      sync.Mutex
	entries map[key]entry
}

// New returns a cache over store.
func New(store examhall.ItemStatisticsStore) *Cache {
	return &Cache{store: store, entries: map[key]entry{}}
}

// Analysis returns the exam's item analysis for the population: the kept
// one while the store's ItemStatisticsVersion is the one it was computed
// at, else computed afresh (and kept). The analysis is shared: read-only.
// Returns ENOTFOUND if no exam has the id.
func (c *Cache) Analysis(ctx context.Context, examID int64, p examhall.Population) (examhall.ItemAnalysis, error) {
	k := key{examID, p}
	version, err := c.store.ItemStatisticsVersion(ctx, examID)
	if err != nil {
		return examhall.ItemAnalysis{}, err
	}
	c.mu.Lock()
	e, ok := c.entries[k]
	c.mu.Unlock()
	if ok && e.version == version {
		return e.analysis, nil
	}
	d, version, err := c.store.ItemStatistics(ctx, examID, p)
	if err != nil {
		return examhall.ItemAnalysis{}, err
	}
	a := examhall.AnalyseItems(d)
	c.mu.Lock()
	defer c.mu.Unlock()
	// A parallel request may have kept a newer one: versions only grow.
	if kept, ok := c.entries[k]; !ok || kept.version <= version {
		if !ok && len(c.entries) >= maxEntries {
			for old := range c.entries {
				delete(c.entries, old)
				break
			}
		}
		c.entries[k] = entry{version: version, analysis: a}
	}
	return a, nil
}
