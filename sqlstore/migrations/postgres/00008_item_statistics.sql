-- The item analysis's sufficient statistics (issue 16 §1), kept exact
-- (whole hundredths) by the transaction that changes an attempt, so that
-- reading an exam's analysis reads these rows and never its attempts. The
-- counts are kept per exam and membership: populations is a set of
-- populations (bit p for examhall.Population p: 1 first, 2 all, 4 last,
-- 8 best), and a population's count is the sum over the sets holding it.
-- Most users have one attempt, in all four populations (15): a completion
-- then writes each count once, not four times.
--   * stat_members: each completed attempt's set, and whether it awaits
--     essay grading (then it is counted in stat_pending only): what a later
--     change must take out;
--   * stat_scores: the distribution of the score X;
--   * stat_items: the joint distribution of (x_i, X − x_i) per exam
--     question (marks_h, rest_h): every per-question sum, and the sorted
--     distributions of Moodle's discriminative efficiency, follow from it;
--   * stat_options: per chosen answer, its choosers and their score sum;
--   * stat_pending: population members awaiting grading;
--   * stat_versions: bumped by every transaction that changes the above
--     (first, so that it also serialises an exam's changes of them).
-- A count taken back to 0 stays as a row of 0 (reads skip it): removing it
-- would cost a statement per change for rows that are few.
--
-- The backfill builds everything from the completed attempts, set-based:
-- window functions choose each user's first, last and best attempt. The
-- attempts are locked against writes first, so that none changes between
-- the backfill and the end of the migration.

-- +goose Up
LOCK TABLE attempts IN SHARE ROW EXCLUSIVE MODE;
CREATE TABLE stat_versions (
    exam_id BIGINT PRIMARY KEY REFERENCES exams (id) ON DELETE CASCADE,
    version BIGINT NOT NULL
);

CREATE TABLE stat_members (
    attempt_id  BIGINT  PRIMARY KEY REFERENCES attempts (id) ON DELETE CASCADE,
    exam_id     BIGINT  NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    populations SMALLINT NOT NULL,
    pending     BOOLEAN NOT NULL
);
CREATE INDEX stat_members_exam ON stat_members (exam_id);

CREATE TABLE stat_pending (
    exam_id     BIGINT   NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    populations SMALLINT NOT NULL,
    attempts    BIGINT   NOT NULL,
    PRIMARY KEY (exam_id, populations)
);

CREATE TABLE stat_scores (
    exam_id     BIGINT   NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    populations SMALLINT NOT NULL,
    score_h     BIGINT   NOT NULL,
    attempts    BIGINT   NOT NULL,
    PRIMARY KEY (exam_id, populations, score_h)
);

CREATE TABLE stat_items (
    exam_id          BIGINT   NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    populations      SMALLINT NOT NULL,
    exam_question_id BIGINT   NOT NULL,
    marks_h          BIGINT   NOT NULL,
    rest_h           BIGINT   NOT NULL,
    attempts         BIGINT   NOT NULL,
    PRIMARY KEY (exam_id, populations, exam_question_id, marks_h, rest_h)
);

CREATE TABLE stat_options (
    exam_id     BIGINT   NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    populations SMALLINT NOT NULL,
    answer_id   BIGINT   NOT NULL,
    chosen      BIGINT   NOT NULL,
    score_sum_h BIGINT   NOT NULL,
    PRIMARY KEY (exam_id, populations, answer_id)
);

INSERT INTO stat_members (attempt_id, exam_id, populations, pending)
    SELECT id, exam_id, 2 + CASE WHEN rf = 1 THEN 1 ELSE 0 END + CASE WHEN rl = 1 THEN 4 ELSE 0 END
            + CASE WHEN rb = 1 THEN 8 ELSE 0 END, pending_count > 0
    FROM (SELECT id, exam_id, pending_count,
            row_number() OVER (PARTITION BY exam_id, user_id ORDER BY date, id) AS rf,
            row_number() OVER (PARTITION BY exam_id, user_id ORDER BY date DESC, id DESC) AS rl,
            row_number() OVER (PARTITION BY exam_id, user_id ORDER BY score_h DESC, date, id) AS rb
        FROM attempts WHERE state = 1) AS chosen;

INSERT INTO stat_pending (exam_id, populations, attempts)
    SELECT exam_id, populations, count(*) FROM stat_members WHERE pending GROUP BY exam_id, populations;

INSERT INTO stat_scores (exam_id, populations, score_h, attempts)
    SELECT m.exam_id, m.populations, a.score_h, count(*) FROM stat_members m JOIN attempts a ON a.id = m.attempt_id
    WHERE NOT m.pending GROUP BY m.exam_id, m.populations, a.score_h;

INSERT INTO stat_items (exam_id, populations, exam_question_id, marks_h, rest_h, attempts)
    SELECT m.exam_id, m.populations, ua.exam_question_id, ua.marks_h, a.score_h - ua.marks_h, count(*)
    FROM stat_members m JOIN attempts a ON a.id = m.attempt_id JOIN user_answers ua ON ua.attempt_id = m.attempt_id
    WHERE NOT m.pending GROUP BY m.exam_id, m.populations, ua.exam_question_id, ua.marks_h, a.score_h - ua.marks_h;

INSERT INTO stat_options (exam_id, populations, answer_id, chosen, score_sum_h)
    SELECT m.exam_id, m.populations, CAST(j.value AS BIGINT), count(*), sum(a.score_h)
    FROM stat_members m JOIN attempts a ON a.id = m.attempt_id JOIN user_answers ua ON ua.attempt_id = m.attempt_id
    CROSS JOIN LATERAL jsonb_array_elements_text(CAST(ua.selected_answer_ids AS jsonb)) AS j (value)
    WHERE NOT m.pending AND ua.selected_answer_ids <> '[]'
    GROUP BY m.exam_id, m.populations, CAST(j.value AS BIGINT);

INSERT INTO stat_versions (exam_id, version) SELECT id, 1 FROM exams;

-- +goose Down
DROP TABLE stat_options;
DROP TABLE stat_items;
DROP TABLE stat_scores;
DROP TABLE stat_pending;
DROP TABLE stat_members;
DROP TABLE stat_versions;
