-- The admin dashboard's counts (issue 14) tell how many completed attempts
-- await essay grading, beside the counts by state: attempt_counts.pending is
-- how many of the row's attempts have pending_count > 0, kept by the same
-- triggers in the same transaction as the attempts, so that reading it costs
-- a few rows for an exam of 1,000,000 attempts. The triggers are made again
-- to keep it; their names stay, so that a schema check of an older build
-- still finds them.
--
-- The grading queue reads the attempts awaiting grading, oldest first, by
-- exam or of every exam: two partial indexes hold only those attempts (the
-- backlog), not all of them. Only completed attempts are scored, so only
-- they have pending_count > 0; the condition names no state, so that no
-- index on state looks as good to a planner without statistics.

-- +goose Up
ALTER TABLE attempt_counts ADD COLUMN pending BIGINT NOT NULL DEFAULT 0;
INSERT INTO attempt_counts (exam_id, state, shard, attempts, pending)
    SELECT exam_id, state, 0, 0, count(*) FROM attempts WHERE pending_count > 0 GROUP BY exam_id, state
    ON CONFLICT (exam_id, state, shard) DO UPDATE SET pending = excluded.pending;

DROP TRIGGER attempts_counted;
DROP TRIGGER attempts_recounted;
DROP TRIGGER attempts_uncounted;

-- +goose StatementBegin
CREATE TRIGGER attempts_counted AFTER INSERT ON attempts BEGIN
    INSERT INTO attempt_counts (exam_id, state, shard, attempts, pending)
        VALUES (NEW.exam_id, NEW.state, 0, 1, NEW.pending_count > 0)
        ON CONFLICT (exam_id, state, shard) DO UPDATE SET attempts = attempts + 1, pending = pending + excluded.pending;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER attempts_recounted AFTER UPDATE OF state, pending_count ON attempts
    WHEN OLD.state <> NEW.state OR (OLD.pending_count > 0) <> (NEW.pending_count > 0) BEGIN
    UPDATE attempt_counts SET attempts = attempts - 1, pending = pending - (OLD.pending_count > 0)
        WHERE exam_id = OLD.exam_id AND state = OLD.state AND shard = 0;
    INSERT INTO attempt_counts (exam_id, state, shard, attempts, pending)
        VALUES (NEW.exam_id, NEW.state, 0, 1, NEW.pending_count > 0)
        ON CONFLICT (exam_id, state, shard) DO UPDATE SET attempts = attempts + 1, pending = pending + excluded.pending;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER attempts_uncounted AFTER DELETE ON attempts BEGIN
    UPDATE attempt_counts SET attempts = attempts - 1, pending = pending - (OLD.pending_count > 0)
        WHERE exam_id = OLD.exam_id AND state = OLD.state AND shard = 0;
END;
-- +goose StatementEnd

CREATE INDEX attempts_exam_grading ON attempts (exam_id, completed_on, id) WHERE pending_count > 0;
CREATE INDEX attempts_grading ON attempts (completed_on, id) WHERE pending_count > 0;

-- +goose Down
DROP INDEX attempts_grading;
DROP INDEX attempts_exam_grading;
DROP TRIGGER attempts_uncounted;
DROP TRIGGER attempts_recounted;
DROP TRIGGER attempts_counted;

-- +goose StatementBegin
CREATE TRIGGER attempts_counted AFTER INSERT ON attempts BEGIN
    INSERT INTO attempt_counts (exam_id, state, shard, attempts) VALUES (NEW.exam_id, NEW.state, 0, 1)
        ON CONFLICT (exam_id, state, shard) DO UPDATE SET attempts = attempts + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER attempts_recounted AFTER UPDATE OF state ON attempts WHEN OLD.state <> NEW.state BEGIN
    UPDATE attempt_counts SET attempts = attempts - 1 WHERE exam_id = OLD.exam_id AND state = OLD.state AND shard = 0;
    INSERT INTO attempt_counts (exam_id, state, shard, attempts) VALUES (NEW.exam_id, NEW.state, 0, 1)
        ON CONFLICT (exam_id, state, shard) DO UPDATE SET attempts = attempts + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER attempts_uncounted AFTER DELETE ON attempts BEGIN
    UPDATE attempt_counts SET attempts = attempts - 1 WHERE exam_id = OLD.exam_id AND state = OLD.state AND shard = 0;
END;
-- +goose StatementEnd

ALTER TABLE attempt_counts DROP COLUMN pending;
