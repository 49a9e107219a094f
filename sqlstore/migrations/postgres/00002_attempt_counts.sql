-- How many attempts each exam has in each state, kept by triggers in the same
-- transaction as the attempts themselves, so that the admin list's count of
-- all attempts, or of an exam's, or of a state, reads a few rows instead of
-- counting up to a million (SPEC §8.1). Triggers, not application code, so
-- that no path (cascading deletes included) can leave them behind. On
-- PostgreSQL each exam's count of a state is spread over 16 rows by attempt
-- id (shard), so that concurrent starts and ends do not queue for one row's
-- lock; SQLite has one writer and keeps shard 0 only.

-- +goose Up
CREATE TABLE attempt_counts (
    exam_id  BIGINT   NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    state    SMALLINT NOT NULL,
    shard    SMALLINT NOT NULL,
    attempts BIGINT   NOT NULL,
    PRIMARY KEY (exam_id, state, shard)
);
INSERT INTO attempt_counts (exam_id, state, shard, attempts)
    SELECT exam_id, state, 0, count(*) FROM attempts GROUP BY exam_id, state;

-- +goose StatementBegin
CREATE FUNCTION count_attempts() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER attempts_counted AFTER INSERT OR DELETE ON attempts FOR EACH ROW EXECUTE FUNCTION count_attempts();
CREATE TRIGGER attempts_recounted AFTER UPDATE OF state ON attempts FOR EACH ROW
    WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION count_attempts();

-- +goose Down
DROP TRIGGER attempts_recounted ON attempts;
DROP TRIGGER attempts_counted ON attempts;
DROP FUNCTION count_attempts();
DROP TABLE attempt_counts;
