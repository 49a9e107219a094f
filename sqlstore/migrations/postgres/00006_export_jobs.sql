-- Export jobs (issue 14, part 5): the admin attempts list (SPEC §8.1)
-- written to a CSV or XLSX file in the background. state is 0 queued,
-- 1 running, 2 done, 3 failed; progress is a percentage and rows the rows
-- written so far; created, started and finished are Unix microseconds;
-- link_base is the admin API's public address when the job was asked for
-- (the prefix of exam_url and user_url); error says why a job failed. The
-- files live in the exports directory, named by id; a job and its file are
-- deleted some time after it finished (--exports-retention).

-- +goose Up
CREATE TABLE export_jobs (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       TEXT     NOT NULL CHECK (kind IN ('attempts')),
    format     TEXT     NOT NULL CHECK (format IN ('csv', 'xlsx')),
    query      TEXT     NOT NULL DEFAULT '',
    link_base  TEXT     NOT NULL DEFAULT '',
    created_by BIGINT   REFERENCES users (id) ON DELETE SET NULL,
    state      SMALLINT NOT NULL DEFAULT 0 CHECK (state IN (0, 1, 2, 3)),
    progress   SMALLINT NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    rows_done  BIGINT   NOT NULL DEFAULT 0,
    error      TEXT     NOT NULL DEFAULT '',
    created    BIGINT   NOT NULL,
    started    BIGINT,
    finished   BIGINT
);
CREATE INDEX export_jobs_unfinished ON export_jobs (id) WHERE state IN (0, 1);
CREATE INDEX export_jobs_finished ON export_jobs (finished) WHERE state IN (2, 3);

-- +goose Down
DROP INDEX export_jobs_finished;
DROP INDEX export_jobs_unfinished;
DROP TABLE export_jobs;
