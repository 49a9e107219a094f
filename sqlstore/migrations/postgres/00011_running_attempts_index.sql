-- The answer save writes no index of attempts (issue 16's budget for a
-- save): attempts_running held last_activity_at, a clock column every save
-- moves, so each save rewrote an index page of it (on PostgreSQL, an update
-- that changes an indexed column is not HOT and adds an entry to every
-- index of the table). No query orders or ranges on last_activity_at: the
-- background sweep selects the running attempts, which
-- attempts_one_running (a partial index WHERE state = 0) already lists.

-- +goose Up
DROP INDEX attempts_running;

-- +goose Down
CREATE INDEX attempts_running ON attempts (state, last_activity_at) WHERE state = 0;
