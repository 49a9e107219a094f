package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/examhall/examhall"
)

// Defaults of the write queue (Options).
const (
	// DefaultWriteQueue is how many writes may wait for the writer before
	// more are refused: at the few thousand writes a second one SQLite
	// writer commits in batches, a few hundred milliseconds of work.
	DefaultWriteQueue = 1000
	// maxBatch bounds the writes that share one commit, so that the first
	// of a batch is not kept waiting for its acknowledgement by too many
	// behind it.
	maxBatch = 256
)

// groupCommitter is SQLite's writer: one goroutine that runs the writes
// waiting in its queue together in one transaction, each in its own
// savepoint (a write that fails rolls back alone and gets its own error),
// commits once, and only then answers each of them. Nothing is
// acknowledged before the commit that holds it has returned; with
// synchronous=FULL that commit is on disk, with NORMAL it survives a crash
// of the process (SQLite's WAL).
type groupCommitter struct {
	db      *DB
	queue   chan *writeOp
	stop    chan struct{}
	closing sync.Once
	done    chan struct{}
	// batches and written count what the writer did, for tests and
	// benchmarks.
	batches, written atomic.Int64
	// observe, when set, is told each batch's size (Options.ObserveBatch).
	observe func(writes int)
}

// writeOp is one write waiting for the writer.
type writeOp struct {
	ctx   context.Context
	fn    func(tx *Tx) error
	state atomic.Int32 // opQueued, then opTaken by the writer or opAbandoned by its caller
	done  chan error   // the write's outcome, once committed (or not); buffered
}

const (
	opQueued int32 = iota
	opTaken
	opAbandoned
)

func newGroupCommitter(db *DB, size int) *groupCommitter {
	g := &groupCommitter{db: db, queue: make(chan *writeOp, size), stop: make(chan struct{}), done: make(chan struct{})}
	go g.run()
	return g
}

// do runs fn in the writer's next transaction and returns its outcome once
// that transaction has committed. A full queue is EUNAVAILABLE at once. A
// caller whose context ends while its write still waits gets the context's
// error and the write is dropped; once the writer has taken it, the caller
// waits for its outcome (a few milliseconds).
func (g *groupCommitter) do(ctx context.Context, fn func(tx *Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-g.stop:
		return errWriterClosed
	default:
	}
	op := &writeOp{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case g.queue <- op:
	default:
		g.db.refused.Add(1)
		return examhall.ErrWritesFull
	}
	select {
	case err := <-op.done:
		return err
	case <-ctx.Done():
		if op.state.CompareAndSwap(opQueued, opAbandoned) {
			return ctx.Err()
		}
		return <-op.done
	case <-g.done:
		// Queued after the writer drained its queue for the last time.
		if op.state.CompareAndSwap(opQueued, opAbandoned) {
			return errWriterClosed
		}
		return <-op.done
	}
}

// errWriterClosed answers a write sent after the database was closed.
var errWriterClosed = errors.New("sqlstore: the database is closed")

// close stops the writer after the writes already queued.
func (g *groupCommitter) close() {
	g.closing.Do(func() { close(g.stop) })
	<-g.done
}

func (g *groupCommitter) run() {
	defer close(g.done)
	batch := make([]*writeOp, 0, maxBatch)
	for {
		batch = batch[:0]
		select {
		case op := <-g.queue:
			batch = append(batch, op)
		case <-g.stop:
			// Answer what is still queued, then stop.
			for {
				select {
				case op := <-g.queue:
					g.commit([]*writeOp{op})
				default:
					return
				}
			}
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case op := <-g.queue:
				batch = append(batch, op)
			default:
				break fill
			}
		}
		g.commit(batch)
	}
}

// commit runs the batch in one transaction and answers each write.
func (g *groupCommitter) commit(batch []*writeOp) {
	taken := batch[:0]
	for _, op := range batch {
		if op.state.CompareAndSwap(opQueued, opTaken) {
			taken = append(taken, op)
		}
	}
	if len(taken) == 0 {
		return
	}
	results, err := g.runBatch(taken)
	for i, op := range taken {
		if err != nil {
			op.done <- err
		} else {
			op.done <- results[i]
		}
	}
	g.batches.Add(1)
	g.written.Add(int64(len(taken)))
	if g.observe != nil {
		g.observe(len(taken))
	}
}

// runBatch runs the writes in one transaction: each in a savepoint, rolled
// back alone when it fails. It returns each write's own error, or an error
// for all of them when the transaction itself failed (nothing of the batch
// committed then, or, if COMMIT's outcome is unknown, nothing is
// acknowledged).
func (g *groupCommitter) runBatch(batch []*writeOp) ([]error, error) {
	db := g.db
	// Not the callers' contexts: a client that goes away must not interrupt
	// a statement, which in SQLite rolls back the whole transaction, and
	// with it everyone else's writes.
	ctx := context.Background()
	db.write.stmts.prepareWanted(ctx)
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback() //nolint:errcheck // a no-op after Commit
	results := make([]error, len(batch))
	// A write alone needs no savepoint (two statements): when it fails, the
	// transaction, which holds nothing else, is rolled back instead.
	alone := len(batch) == 1
	for i, op := range batch {
		if err := op.ctx.Err(); err != nil {
			results[i] = err // its client has gone: not run
			continue
		}
		if !alone {
			if _, err := sqlTx.ExecContext(ctx, `SAVEPOINT write`); err != nil {
				return nil, fmt.Errorf("savepoint: %w", err)
			}
		}
		tx := &Tx{Tx: sqlTx, db: db, stmts: db.write.stmts, now: db.clock.Now(), detached: context.WithoutCancel(op.ctx)}
		results[i] = runWrite(op.fn, tx)
		if alone {
			continue
		}
		if results[i] != nil {
			if _, err := sqlTx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT write`); err != nil {
				return nil, fmt.Errorf("rollback to savepoint: %w", err)
			}
		}
		if _, err := sqlTx.ExecContext(ctx, `RELEASE SAVEPOINT write`); err != nil {
			return nil, fmt.Errorf("release savepoint: %w", err)
		}
	}
	if alone && results[0] != nil {
		return results, nil // rolled back by the deferred Rollback
	}
	if err := sqlTx.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return results, nil
}

// runWrite runs one write, turning a panic into its error so that one bad
// write cannot take the writer, and every write queued behind it, down.
func runWrite(fn func(tx *Tx) error, tx *Tx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("write panicked: %v", v)
		}
	}()
	return fn(tx)
}

// admission bounds the writes that wait for a PostgreSQL connection, as the
// group committer's queue does on SQLite: past it a write is EUNAVAILABLE at
// once instead of waiting out its client.
type admission chan struct{}

func (a admission) enter() error {
	select {
	case a <- struct{}{}:
		return nil
	default:
		return examhall.ErrWritesFull
	}
}

func (a admission) leave() { <-a }

// WriteStats tells how many write transactions the group committer has
// committed and how many writes they held (0, 0 on PostgreSQL).
func (db *DB) WriteStats() (batches, writes int64) {
	if db.writer == nil {
		return 0, 0
	}
	return db.writer.batches.Load(), db.writer.written.Load()
}

// HoldWriter holds the writes until release is called. On SQLite it takes
// the writer: writes queue behind it, up to the queue's size, and then are
// refused. On PostgreSQL it takes every place of the admission, so that
// every write is refused. For maintenance that needs a moment without
// writes, and for tests of the queue.
func (db *DB) HoldWriter(ctx context.Context) (release func(), err error) {
	if db.writer == nil {
		for range cap(db.admission) {
			db.admission <- struct{}{}
		}
		var once atomic.Bool
		return func() {
			if once.CompareAndSwap(false, true) {
				for range cap(db.admission) {
					db.admission.leave()
				}
			}
		}, nil
	}
	held, free := make(chan struct{}), make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- db.writer.do(ctx, func(*Tx) error {
			close(held)
			<-free
			return nil
		})
	}()
	select {
	case <-held:
	case err := <-errc:
		return nil, err
	}
	var once atomic.Bool
	return func() {
		if once.CompareAndSwap(false, true) {
			close(free)
			<-errc
		}
	}, nil
}

// QueuedWrites is how many writes wait for the writer now (0 on PostgreSQL).
func (db *DB) QueuedWrites() int {
	if db.writer == nil {
		return 0
	}
	return len(db.writer.queue)
}

// WritesFull tells whether a write now would find the queue full (and be
// refused): the HTTP layer sheds write requests before doing any work for
// them, so that a refusal costs microseconds when the server is busiest.
func (db *DB) WritesFull() bool {
	if db.writer != nil {
		return len(db.writer.queue) >= cap(db.writer.queue)
	}
	return db.admission != nil && len(db.admission) >= cap(db.admission)
}
