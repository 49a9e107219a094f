-- The admin dashboard's counts (issue 14) tell how many completed attempts
-- await essay grading, beside the counts by state: attempt_counts.pending is
-- how many of the row's attempts have pending_count > 0, kept by the same
-- trigger function in the same transaction as the attempts, so that reading
-- it costs a few rows for an exam of 1,000,000 attempts. The table is locked
-- against writes first, so that no attempt changes between the backfill and
-- the new triggers (replicas of the build before this one go on writing
-- attempts while it migrates; their writes wait for it, then are counted).
--
-- The grading queue reads the attempts awaiting grading, oldest first, by
-- exam or of every exam: two partial indexes hold only those attempts (the
-- backlog), not all of them. Only completed attempts are scored, so only
-- they have pending_count > 0; the condition names no state, so that no
-- index on state looks as good to a planner without statistics.

-- +goose Up
LOCK TABLE attempts IN SHARE ROW EXCLUSIVE MODE;
ALTER TABLE attempt_counts ADD COLUMN pending BIGINT NOT NULL DEFAULT 0;
INSERT INTO attempt_counts (exam_id, state, shard, attempts, pending)
    SELECT exam_id, state, 0, 0, count(*) FROM attempts WHERE pending_count > 0 GROUP BY exam_id, state
    ON CONFLICT (exam_id, state, shard) DO UPDATE SET pending = EXCLUDED.pending;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION count_attempts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE attempt_counts SET attempts = attempts - 1,
                pending = pending - CASE WHEN OLD.pending_count > 0 THEN 1 ELSE 0 END
            WHERE exam_id = OLD.exam_id AND state = OLD.state AND shard = OLD.id % 16;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO attempt_counts (exam_id, state, shard, attempts, pending)
            VALUES (NEW.exam_id, NEW.state, NEW.id % 16, 1, CASE WHEN NEW.pending_count > 0 THEN 1 ELSE 0 END)
            ON CONFLICT (exam_id, state, shard) DO UPDATE SET attempts = attempt_counts.attempts + 1,
                pending = attempt_counts.pending + EXCLUDED.pending;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

DROP TRIGGER attempts_recounted ON attempts;
CREATE TRIGGER attempts_recounted AFTER UPDATE OF state, pending_count ON attempts FOR EACH ROW
    WHEN (OLD.state IS DISTINCT FROM NEW.state OR (OLD.pending_count > 0) IS DISTINCT FROM (NEW.pending_count > 0))
    EXECUTE FUNCTION count_attempts();

CREATE INDEX attempts_exam_grading ON attempts (exam_id, completed_on, id) WHERE pending_count > 0;
CREATE INDEX attempts_grading ON attempts (completed_on, id) WHERE pending_count > 0;

-- +goose Down
LOCK TABLE attempts IN SHARE ROW EXCLUSIVE MODE;
DROP INDEX attempts_grading;
DROP INDEX attempts_exam_grading;
DROP TRIGGER attempts_recounted ON attempts;
CREATE TRIGGER attempts_recounted AFTER UPDATE OF state ON attempts FOR EACH ROW
    WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION count_attempts();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION count_attempts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE attempt_counts SET attempts = attempts - 1
            WHERE exam_id = OLD.exam_id AND state = OLD.state AND shard = OLD.id % 16;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO attempt_counts (exam_id, state, shard, attempts) VALUES (NEW.exam_id, NEW.state, NEW.id % 16, 1)
            ON CONFLICT (exam_id, state, shard) DO UPDATE SET attempts = attempt_counts.attempts + 1;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

ALTER TABLE attempt_counts DROP COLUMN pending;
