-- Each attempt's timeline (issue 16 §3): what happened to it, in the
-- transaction that made it happen (started, resumed, paused, heartbeat_gap,
-- answer_saved, review_marked, review_cleared, completed, graded, regraded),
-- and the integrity signals its exam room reports (source 'client':
-- focus_lost, focus_gained, fullscreen_exit, copy, paste). Kept together by
-- attempt, as user_answers is: every read and write is of one attempt's
-- events. n numbers an attempt's events from 1 in the order they were
-- written; the id on the wire is attempt_id * 1048576 + n, so it needs no
-- index of its own. at is Unix microseconds; data a JSON object.

-- +goose Up
CREATE TABLE attempt_events (
    attempt_id BIGINT NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    n          BIGINT NOT NULL,
    type       TEXT   NOT NULL,
    at         BIGINT NOT NULL,
    source     TEXT   NOT NULL CHECK (source IN ('server', 'client')),
    data       TEXT   NOT NULL DEFAULT '{}',
    PRIMARY KEY (attempt_id, n)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE attempt_events;
