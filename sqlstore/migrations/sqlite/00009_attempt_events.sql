-- Each attempt's timeline (issue 16 §3): what happened to it, in the
-- transaction that made it happen (started, resumed, paused, heartbeat_gap,
-- answer_saved, review_marked, review_cleared, completed, graded, regraded),
-- and the integrity signals its exam room reports (source 'client':
-- focus_lost, focus_gained, fullscreen_exit, copy, paste). id, the id on the
-- wire, numbers all events in the order they were written, so that every
-- insert appends at the right edge of the table (an answer save's budget:
-- keyed by attempt, the ~150-byte rows of many attempts saving at once went
-- into the middle of the tree); the index by attempt, of small entries, serves
-- the reads, which are of one attempt's events. Not AUTOINCREMENT: its
-- sqlite_sequence row is one more write per save (the storm's saves/s 1.5 %
-- lower); the ids of the latest events can be taken again only after their
-- attempt is deleted, with them. at is Unix microseconds; data a JSON object.

-- +goose Up
CREATE TABLE attempt_events (
    id         INTEGER PRIMARY KEY,
    attempt_id BIGINT NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    type       TEXT   NOT NULL,
    at         BIGINT NOT NULL,
    source     TEXT   NOT NULL CHECK (source IN ('server', 'client')),
    data       TEXT   NOT NULL DEFAULT '{}'
);
CREATE INDEX attempt_events_attempt ON attempt_events (attempt_id, id);

-- +goose Down
DROP TABLE attempt_events;
