-- The change feed of the admin attempts list (issue 16, SPEC §8.1):
-- attempt_changes holds one row per attempt, its latest change: seq, from
-- one monotonic sequence, and whether the attempt was deleted (a tombstone,
-- kept until the sweep prunes it, --changes-retention after it first saw it:
-- tombstoned_at). A table of its own, not a column of attempts, so that an
-- answer save changes no indexed column of attempts and stays a HOT update.
--
-- The triggers record a change in the transaction that makes it: an attempt
-- inserted, deleted (cascades from its user or exam included), or updated in
-- a stored value its §8.1 row shows (time_taken_us only once it is no longer
-- running: a running attempt's clock is computed at read time, and
-- heartbeats are not changes); a user's email, names or phone, or an exam's
-- duration (remaining_time) change every row of theirs. PostgreSQL commits
-- concurrently, so a number taken in the writing transaction could become
-- visible after a larger one a client has already passed: the trigger marks
-- the row changed (seq NULL) and the sequencer (sqlstore, serialized by the
-- lock on attempt_change_marks) numbers committed rows later, in order (see
-- docs/decisions.md, "Change feed"). The table is locked against writes
-- first, so that no attempt changes between the backfill and the triggers.

-- +goose Up
LOCK TABLE attempts IN SHARE ROW EXCLUSIVE MODE;
CREATE TABLE attempt_changes (
    attempt_id    BIGINT  PRIMARY KEY, -- no foreign key: a tombstone outlives its attempt
    seq           BIGINT, -- NULL: changed, not yet sequenced
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
CREATE FUNCTION record_attempt_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO attempt_changes (attempt_id, seq, deleted) VALUES (OLD.id, NULL, TRUE)
            ON CONFLICT (attempt_id) DO UPDATE SET seq = NULL, deleted = TRUE;
    ELSE
        -- A row already marked changed is left as it is (no new row
        -- version), but locked all the same (ON CONFLICT DO UPDATE locks
        -- it even when its WHERE is false): a sequencer skips it until this
        -- transaction ends, so that it cannot number the change before the
        -- state it stands for is committed.
        INSERT INTO attempt_changes (attempt_id, seq, deleted) VALUES (NEW.id, NULL, FALSE)
            ON CONFLICT (attempt_id) DO UPDATE SET seq = NULL, deleted = FALSE
            WHERE attempt_changes.seq IS NOT NULL OR attempt_changes.deleted;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER attempts_change_inserted AFTER INSERT ON attempts FOR EACH ROW EXECUTE FUNCTION record_attempt_change();
CREATE TRIGGER attempts_change_updated AFTER UPDATE OF state, date, correct_count, incorrect_count,
        unanswered_count, score_h, percentage_h, result, speed, last_started_time, last_answer_updated_time,
        time_taken_us ON attempts FOR EACH ROW
    WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.date IS DISTINCT FROM NEW.date
        OR OLD.correct_count IS DISTINCT FROM NEW.correct_count OR OLD.incorrect_count IS DISTINCT FROM NEW.incorrect_count
        OR OLD.unanswered_count IS DISTINCT FROM NEW.unanswered_count OR OLD.score_h IS DISTINCT FROM NEW.score_h
        OR OLD.percentage_h IS DISTINCT FROM NEW.percentage_h OR OLD.result IS DISTINCT FROM NEW.result
        OR OLD.speed IS DISTINCT FROM NEW.speed OR OLD.last_started_time IS DISTINCT FROM NEW.last_started_time
        OR OLD.last_answer_updated_time IS DISTINCT FROM NEW.last_answer_updated_time
        OR (NEW.state <> 0 AND OLD.time_taken_us IS DISTINCT FROM NEW.time_taken_us))
    EXECUTE FUNCTION record_attempt_change();
CREATE TRIGGER attempts_change_deleted AFTER DELETE ON attempts FOR EACH ROW EXECUTE FUNCTION record_attempt_change();

-- +goose StatementBegin
CREATE FUNCTION record_attempts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Two statements, each served by an index of attempts on its column;
    -- rows locked as in record_attempt_change.
    IF TG_TABLE_NAME = 'users' THEN
        INSERT INTO attempt_changes (attempt_id, seq, deleted) SELECT id, NULL, FALSE FROM attempts WHERE user_id = NEW.id
            ON CONFLICT (attempt_id) DO UPDATE SET seq = NULL, deleted = FALSE
            WHERE attempt_changes.seq IS NOT NULL OR attempt_changes.deleted;
    ELSE
        INSERT INTO attempt_changes (attempt_id, seq, deleted) SELECT id, NULL, FALSE FROM attempts WHERE exam_id = NEW.id
            ON CONFLICT (attempt_id) DO UPDATE SET seq = NULL, deleted = FALSE
            WHERE attempt_changes.seq IS NOT NULL OR attempt_changes.deleted;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER users_change_attempts AFTER UPDATE OF email, first_name, last_name, phone ON users FOR EACH ROW
    WHEN (OLD.email IS DISTINCT FROM NEW.email OR OLD.first_name IS DISTINCT FROM NEW.first_name
        OR OLD.last_name IS DISTINCT FROM NEW.last_name OR OLD.phone IS DISTINCT FROM NEW.phone)
    EXECUTE FUNCTION record_attempts_changed();
CREATE TRIGGER exams_change_attempts AFTER UPDATE OF duration_us ON exams FOR EACH ROW
    WHEN (OLD.duration_us IS DISTINCT FROM NEW.duration_us)
    EXECUTE FUNCTION record_attempts_changed();

-- +goose Down
LOCK TABLE attempts IN SHARE ROW EXCLUSIVE MODE;
DROP TRIGGER exams_change_attempts ON exams;
DROP TRIGGER users_change_attempts ON users;
DROP FUNCTION record_attempts_changed();
DROP TRIGGER attempts_change_deleted ON attempts;
DROP TRIGGER attempts_change_updated ON attempts;
DROP TRIGGER attempts_change_inserted ON attempts;
DROP FUNCTION record_attempt_change();
DROP TABLE attempt_change_marks;
DROP TABLE attempt_changes;
