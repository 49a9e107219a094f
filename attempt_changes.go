package examhall

import (
	"context"
	"time"
)

// AttemptChange is an attempt's latest change in the change feed of the
// admin attempts list (issue 16): Seq orders it among all changes; Row is
// nil when the attempt was deleted (a tombstone).
type AttemptChange struct {
	Seq     int64
	ID      int64
	Deleted bool
	Row     *AttemptRow
}

// AttemptChangePage is one page of the change feed.
type AttemptChangePage struct {
	Changes []AttemptChange // in Seq order, each attempt at most once
	// Next is the sequence value to ask from next: the last change's Seq
	// while HasMore, else the largest value assigned when the page was read
	// (so a client polls on from the horizon, not from a gap).
	Next    int64
	HasMore bool
}

// AttemptChangeStore serves the change feed of the admin attempts list.
//
// Every change to a stored value an attempt's §8.1 row shows (its start,
// saves, completion, grading, a regrade, its user's names, email or phone,
// its exam's duration) gives the attempt a new sequence value, larger than
// every value visible before it (gaps allowed, reordering not); a deletion
// leaves a tombstone, kept until PruneAttemptChanges removes it. The list
// (ReportStore.AttemptList) returns the sequence value its snapshot was read
// at, so that a client walks the list once and then follows the feed from
// there, applying each change by id (last wins).
type AttemptChangeStore interface {
	// AttemptChanges returns up to limit changes with sequence values after
	// since (0: from the start of what is kept), each with its §8.1 row read
	// in the same snapshot.
	// Returns EGONE if a tombstone after since was pruned (the client would
	// miss a deletion) or since is beyond every value ever assigned (the
	// database went back, e.g. to a backup): either way the client must walk
	// the list again.
	AttemptChanges(ctx context.Context, since int64, limit int) (*AttemptChangePage, error)
	// PruneAttemptChanges forgets the tombstones first seen by an earlier
	// prune before before; now stamps the tombstones seen for the first
	// time. It returns how many it removed.
	PruneAttemptChanges(ctx context.Context, now, before time.Time) (int64, error)
}
