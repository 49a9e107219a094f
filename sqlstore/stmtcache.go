package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps prepared statements by their SQL text. The SQLite driver
// parses and plans every statement it runs unless it is prepared, which costs
// as much as running a small query; pgx keeps its own per-connection cache,
// so PostgreSQL pools go without (a nil *stmtCache). database/sql prepares a
// cached statement again on each connection that first runs it and reuses it
// there after.
//
// Preparing a statement for the cache takes a connection of its own, so it
// never happens inside a transaction (which holds one: with every connection
// held, it would wait forever). A statement first seen in a transaction runs
// unprepared and is prepared before the next transaction begins.
type stmtCache struct {
	db     *sql.DB
	mu     sync.Mutex
	m      map[string]*sql.Stmt
	wanted map[string]bool
}

// maxCachedStatements bounds the cache: the statements are a fixed set except
// for IN lists, whose texts vary with their length.
const maxCachedStatements = 1000

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
}

// get returns the prepared statement for query, preparing it, or nil when
// there is no cache, it is full, or the statement does not prepare (running
// it unprepared then reports the error). The caller must hold no connection.
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	s, ok := c.m[query]
	full := len(c.m) >= maxCachedStatements
	c.mu.Unlock()
	if ok || full {
		return s
	}
	return c.prepare(ctx, query)
}

// prepare prepares query and keeps it. The lock is not held while preparing:
// that waits for a connection, and the transactions holding the connections
// take the lock too.
func (c *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	s, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if kept, ok := c.m[query]; ok { // prepared meanwhile by another goroutine
		s.Close()
		return kept
	}
	c.m[query] = s
	return s
}

// inTx returns the prepared statement for query if there is one; otherwise it
// notes the query for prepareWanted and returns nil.
func (c *stmtCache) inTx(query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[query]
	if !ok && len(c.m)+len(c.wanted) < maxCachedStatements {
		c.wanted[query] = true
	}
	return s
}

// prepareWanted prepares the statements transactions ran unprepared. The
// caller must hold no connection.
func (c *stmtCache) prepareWanted(ctx context.Context) {
	if c == nil {
		return
	}
	c.mu.Lock()
	var queries []string
	for query := range c.wanted {
		queries = append(queries, query)
	}
	clear(c.wanted)
	c.mu.Unlock()
	for _, query := range queries {
		c.prepare(ctx, query)
	}
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.m {
		s.Close()
	}
	clear(c.m)
}
