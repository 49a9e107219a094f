-- The item analysis's sufficient statistics (issue 16 §1), per exam and
-- population (0 first, 1 all, 2 last, 3 best: examhall.Population), kept
-- exact (whole hundredths) by the transaction that changes an attempt, so
-- that reading an exam's analysis reads these rows and never its attempts:
--   * stat_members: which populations each completed attempt belongs to
--     (bit p for population p) and whether it awaits essay grading (then it
--     is counted in stat_pending only): what a later change must take out;
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
-- window functions choose each user's first, last and best attempt.

-- +goose Up
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
    exam_id    BIGINT   NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    population SMALLINT NOT NULL,
    attempts   BIGINT   NOT NULL,
    PRIMARY KEY (exam_id, population)
);

CREATE TABLE stat_scores (
    exam_id    BIGINT   NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    population SMALLINT NOT NULL,
    score_h    BIGINT   NOT NULL,
    attempts   BIGINT   NOT NULL,
    PRIMARY KEY (exam_id, population, score_h)
) WITHOUT ROWID;

CREATE TABLE stat_items (
    exam_id          BIGINT   NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    population       SMALLINT NOT NULL,
    exam_question_id BIGINT   NOT NULL,
    marks_h          BIGINT   NOT NULL,
    rest_h           BIGINT   NOT NULL,
    attempts         BIGINT   NOT NULL,
    PRIMARY KEY (exam_id, population, exam_question_id, marks_h, rest_h)
) WITHOUT ROWID;

CREATE TABLE stat_options (
    exam_id     BIGINT   NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    population  SMALLINT NOT NULL,
    answer_id   BIGINT   NOT NULL,
    chosen      BIGINT   NOT NULL,
    score_sum_h BIGINT   NOT NULL,
    PRIMARY KEY (exam_id, population, answer_id)
) WITHOUT ROWID;

INSERT INTO stat_members (attempt_id, exam_id, populations, pending)
    SELECT id, exam_id, 2 + CASE WHEN rf = 1 THEN 1 ELSE 0 END + CASE WHEN rl = 1 THEN 4 ELSE 0 END
            + CASE WHEN rb = 1 THEN 8 ELSE 0 END, pending_count > 0
    FROM (SELECT id, exam_id, pending_count,
            row_number() OVER (PARTITION BY exam_id, user_id ORDER BY date, id) AS rf,
            row_number() OVER (PARTITION BY exam_id, user_id ORDER BY date DESC, id DESC) AS rl,
            row_number() OVER (PARTITION BY exam_id, user_id ORDER BY score_h DESC, date, id) AS rb
        FROM attempts WHERE state = 1) AS chosen;

INSERT INTO stat_pending (exam_id, population, attempts)
    WITH p (population) AS (VALUES (0), (1), (2), (3))
    SELECT m.exam_id, p.population, count(*) FROM stat_members m JOIN p ON (m.populations >> p.population) & 1 = 1
    WHERE m.pending GROUP BY m.exam_id, p.population;

INSERT INTO stat_scores (exam_id, population, score_h, attempts)
    WITH p (population) AS (VALUES (0), (1), (2), (3))
    SELECT m.exam_id, p.population, a.score_h, count(*) FROM stat_members m
    JOIN p ON (m.populations >> p.population) & 1 = 1 JOIN attempts a ON a.id = m.attempt_id
    WHERE NOT m.pending GROUP BY m.exam_id, p.population, a.score_h;

INSERT INTO stat_items (exam_id, population, exam_question_id, marks_h, rest_h, attempts)
    WITH p (population) AS (VALUES (0), (1), (2), (3))
    SELECT g.exam_id, p.population, g.exam_question_id, g.marks_h, g.rest_h, sum(g.attempts)
    FROM (SELECT m.exam_id, m.populations, ua.exam_question_id, ua.marks_h, a.score_h - ua.marks_h AS rest_h,
            count(*) AS attempts
        FROM stat_members m JOIN attempts a ON a.id = m.attempt_id JOIN user_answers ua ON ua.attempt_id = m.attempt_id
        WHERE NOT m.pending GROUP BY m.exam_id, m.populations, ua.exam_question_id, ua.marks_h, a.score_h - ua.marks_h) AS g
    JOIN p ON (g.populations >> p.population) & 1 = 1
    GROUP BY g.exam_id, p.population, g.exam_question_id, g.marks_h, g.rest_h;

INSERT INTO stat_options (exam_id, population, answer_id, chosen, score_sum_h)
    WITH p (population) AS (VALUES (0), (1), (2), (3))
    SELECT g.exam_id, p.population, g.answer_id, sum(g.chosen), sum(g.score_sum_h)
    FROM (SELECT m.exam_id, m.populations, CAST(j.value AS BIGINT) AS answer_id, count(*) AS chosen,
            sum(a.score_h) AS score_sum_h
        FROM stat_members m JOIN attempts a ON a.id = m.attempt_id JOIN user_answers ua ON ua.attempt_id = m.attempt_id
        JOIN json_each(ua.selected_answer_ids) AS j
        WHERE NOT m.pending AND ua.selected_answer_ids <> '[]'
        GROUP BY m.exam_id, m.populations, CAST(j.value AS BIGINT)) AS g
    JOIN p ON (g.populations >> p.population) & 1 = 1
    GROUP BY g.exam_id, p.population, g.answer_id;

INSERT INTO stat_versions (exam_id, version) SELECT id, 1 FROM exams;

-- +goose Down
DROP TABLE stat_options;
DROP TABLE stat_items;
DROP TABLE stat_scores;
DROP TABLE stat_pending;
DROP TABLE stat_members;
DROP TABLE stat_versions;
