-- The change feed of the admin attempts list (issue 16, SPEC §8.1):
-- attempt_changes holds one row per attempt, its latest change: seq, from
-- one monotonic sequence, and whether the attempt was deleted (a tombstone,
-- kept until the sweep prunes it, --changes-retention after it first saw it:
-- tombstoned_at). A table of its own, not a column of attempts, so that an
-- answer save touches no index of attempts.
--
-- The triggers record a change in the transaction that makes it: an attempt
-- inserted, deleted (cascades from its user or exam included), or updated in
-- a stored value its §8.1 row shows (time_taken_us only once it is no longer
-- running: a running attempt's clock is computed at read time, and
-- heartbeats are not changes); a user's email, names or phone, or an exam's
-- duration (remaining_time) change every row of theirs. A change sets seq
-- NULL ("changed, not yet numbered"); the sequencer (sqlstore
-- sequenceChanges) numbers the changed rows when the feed is read, from
-- attempt_change_marks.last_seq, as on PostgreSQL (see docs/decisions.md,
-- "Change feed"): a save then costs one lookup by primary key, and a write
-- only when its row was numbered since the attempt's last change.
-- pruned_through is the largest seq of a pruned tombstone: a cursor before it
-- would miss a deletion.

-- +goose Up
CREATE TABLE attempt_changes (
    attempt_id    INTEGER PRIMARY KEY, -- no foreign key: a tombstone outlives its attempt
    seq           BIGINT, -- NULL: changed, not yet numbered
    deleted       BOOLEAN NOT NULL DEFAULT FALSE,
    tombstoned_at BIGINT -- when the sweep first saw the tombstone; NULL for a live attempt
);
CREATE UNIQUE INDEX attempt_changes_seq ON attempt_changes (seq);
CREATE INDEX attempt_changes_unsequenced ON attempt_changes (attempt_id) WHERE seq IS NULL;
CREATE INDEX attempt_changes_tombstones ON attempt_changes (tombstoned_at) WHERE deleted;

CREATE TABLE attempt_change_marks (
    id             BIGINT PRIMARY KEY CHECK (id = 1),
    last_seq       BIGINT NOT NULL, -- the largest seq ever assigned
    pruned_through BIGINT NOT NULL  -- the largest seq of a pruned tombstone
);
INSERT INTO attempt_changes (attempt_id, seq, deleted) SELECT id, row_number() OVER (ORDER BY id), FALSE FROM attempts;
INSERT INTO attempt_change_marks (id, last_seq, pruned_through) VALUES (1, (SELECT count(*) FROM attempts), 0);

-- +goose StatementBegin
CREATE TRIGGER attempts_change_inserted AFTER INSERT ON attempts BEGIN
    INSERT INTO attempt_changes (attempt_id, seq, deleted) VALUES (NEW.id, NULL, FALSE)
        ON CONFLICT (attempt_id) DO UPDATE SET seq = NULL, deleted = FALSE;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER attempts_change_updated AFTER UPDATE OF state, date, correct_count, incorrect_count,
        unanswered_count, score_h, percentage_h, result, speed, last_started_time, last_answer_updated_time,
        time_taken_us ON attempts
    WHEN OLD.state IS NOT NEW.state OR OLD.date IS NOT NEW.date OR OLD.correct_count IS NOT NEW.correct_count
        OR OLD.incorrect_count IS NOT NEW.incorrect_count OR OLD.unanswered_count IS NOT NEW.unanswered_count
        OR OLD.score_h IS NOT NEW.score_h OR OLD.percentage_h IS NOT NEW.percentage_h OR OLD.result IS NOT NEW.result
        OR OLD.speed IS NOT NEW.speed OR OLD.last_started_time IS NOT NEW.last_started_time
        OR OLD.last_answer_updated_time IS NOT NEW.last_answer_updated_time
        OR (NEW.state <> 0 AND OLD.time_taken_us IS NOT NEW.time_taken_us) BEGIN
    UPDATE attempt_changes SET seq = NULL WHERE attempt_id = NEW.id AND seq IS NOT NULL;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER attempts_change_deleted AFTER DELETE ON attempts BEGIN
    INSERT INTO attempt_changes (attempt_id, seq, deleted) VALUES (OLD.id, NULL, TRUE)
        ON CONFLICT (attempt_id) DO UPDATE SET seq = NULL, deleted = TRUE;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER users_change_attempts AFTER UPDATE OF email, first_name, last_name, phone ON users
    WHEN OLD.email IS NOT NEW.email OR OLD.first_name IS NOT NEW.first_name OR OLD.last_name IS NOT NEW.last_name
        OR OLD.phone IS NOT NEW.phone BEGIN
    UPDATE attempt_changes SET seq = NULL
        WHERE attempt_id IN (SELECT id FROM attempts WHERE user_id = NEW.id) AND seq IS NOT NULL;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER exams_change_attempts AFTER UPDATE OF duration_us ON exams
    WHEN OLD.duration_us IS NOT NEW.duration_us BEGIN
    UPDATE attempt_changes SET seq = NULL
        WHERE attempt_id IN (SELECT id FROM attempts WHERE exam_id = NEW.id) AND seq IS NOT NULL;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER exams_change_attempts;
DROP TRIGGER users_change_attempts;
DROP TRIGGER attempts_change_deleted;
DROP TRIGGER attempts_change_updated;
DROP TRIGGER attempts_change_inserted;
DROP TABLE attempt_change_marks;
DROP TABLE attempt_changes;
