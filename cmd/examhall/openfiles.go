package main

import (
	"errors"
	"math"
	"net"
	"runtime"

	"github.com/examhall/examhall/fdlimit"
)

// fdReserve is how many open files to keep for everything but the API's
// connections: the SQLite files (the database, its -wal and -shm for each of
// the writer's and the readers' connections, the readers two per CPU), the
// PostgreSQL pool (32 sockets), the log, the listeners and pprof's
// connections, with room to spare: 256 plus 8 per CPU, or an eighth of the
// limit when that is more. A small limit is shared half and half.
func fdReserve(limit uint64) uint64 {
	reserve := max(256+8*uint64(runtime.GOMAXPROCS(0)), limit/8)
	return min(reserve, limit/2)
}

// limitConnections raises the soft limit on open files to the hard limit,
// logs both, and wraps l to hold at most --max-connections open, or as many
// as the limit leaves room for beside fdReserve. Where the limit cannot be
// read and no cap is given, connections are not capped.
func (m *Main) limitConnections(l net.Listener) net.Listener {
	n := m.Config.MaxConnections
	lim, err := fdlimit.Raise()
	if err != nil && !errors.Is(err, fdlimit.ErrUnsupported) {
		m.Logger.Warn("could not raise the open-file limit", "err", err) // capped below the limit as it is
	}
	if lim.Soft == 0 { // unknown
		if n == 0 {
			m.Logger.Warn("open-file limit unknown: connections not capped (set --max-connections)", "err", err)
			return l
		}
		m.Logger.Info("connections capped", "max_connections", n)
		return fdlimit.Listener(l, n)
	}
	room := lim.Soft - fdReserve(lim.Soft)
	if n == 0 {
		n = int(min(room, math.MaxInt32))
	} else if uint64(n) > room {
		m.Logger.Warn("--max-connections leaves too few open files for the database: the server may run out of them",
			"max_connections", n, "soft_limit", lim.Soft, "room", room)
	}
	m.Logger.Info("open files", "soft_limit", lim.Soft, "hard_limit", lim.Hard, "max_connections", n)
	return fdlimit.Listener(l, n)
}
