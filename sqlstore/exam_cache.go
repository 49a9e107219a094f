package sqlstore

import (
	"container/list"
	"context"
	"fmt"
	"sync"

	"github.com/examhall/examhall"
)

// examCacheSize bounds the exams one process keeps loaded: the few that are
// being taken at a time, with room to spare. An exam of 200 questions takes
// a few hundred kilobytes.
const examCacheSize = 128

// examCache keeps loaded exams, so that the attempt flow does not read an
// exam's sections, questions and answers on every touch. An entry is valid
// for one version of its exam: every change to an exam bumps exams.version in
// the changing transaction (bumpExamVersion), and readers look the version up
// in the same statement or transaction that reads the attempt, so a replica
// never uses an exam another replica has changed since. A question belongs to
// one exam (every exam and exam question inserts its own), so a change to a
// question bumps that exam. Exam ids are never
// reused (AUTOINCREMENT, identity columns), so an id and a version name one
// exam content.
//
// The exams it hands out are shared between requests: callers must treat
// them as read-only.
type examCache struct {
	mu      sync.Mutex
	entries map[int64]*list.Element // of *cachedExam
	recent  list.List               // most recently used first
}

type cachedExam struct {
	version int64
	exam    *examhall.Exam
}

func newExamCache() *examCache {
	return &examCache{entries: map[int64]*list.Element{}}
}

// get returns the exam with the id as loaded at version, if kept.
func (c *examCache) get(id, version int64) (*examhall.Exam, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[id]
	if !ok || el.Value.(*cachedExam).version != version {
		return nil, false
	}
	c.recent.MoveToFront(el)
	return el.Value.(*cachedExam).exam, true
}

// put keeps exam as loaded at version, unless a later version is kept
// already (two requests may load around a change), dropping the least
// recently used exam when full.
func (c *examCache) put(version int64, exam *examhall.Exam) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[exam.ID]; ok {
		if kept := el.Value.(*cachedExam); kept.version <= version {
			kept.version, kept.exam = version, exam
		}
		c.recent.MoveToFront(el)
		return
	}
	c.entries[exam.ID] = c.recent.PushFront(&cachedExam{version: version, exam: exam})
	if c.recent.Len() > examCacheSize {
		oldest := c.recent.Back()
		c.recent.Remove(oldest)
		delete(c.entries, oldest.Value.(*cachedExam).exam.ID)
	}
}

// examAt returns the exam with the id as it is at version, which the caller
// has read in tx: from the cache, or loaded in tx and kept. The exam is
// shared: read-only.
func (db *DB) examAt(ctx context.Context, tx *Tx, id, version int64) (*examhall.Exam, error) {
	if exam, ok := db.exams.get(id, version); ok {
		return exam, nil
	}
	exam, err := examInTx(ctx, tx, `SELECT `+examColumns+` FROM exams WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	// Under PostgreSQL's READ COMMITTED each statement sees the latest
	// commits, so a change committed while the exam loaded may show in part of
	// it. Such a change has bumped the version: the exam is kept only when the
	// version is still the one the caller read.
	var now int64
	if err := tx.QueryRowContext(ctx, `SELECT version FROM exams WHERE id = $1`, id).Scan(&now); err != nil {
		return nil, fmt.Errorf("version of exam %d: %w", id, err)
	}
	if now == version {
		db.exams.put(version, exam)
	}
	return exam, nil
}

// bumpExamVersion marks a change to the exam, so that every replica loads it
// afresh (see examCache). Statements that update the exams row anyway bump
// the version in place instead.
func bumpExamVersion(ctx context.Context, tx *Tx, examID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE exams SET version = version + 1 WHERE id = $1`, examID); err != nil {
		return fmt.Errorf("bump version of exam %d: %w", examID, err)
	}
	return nil
}
