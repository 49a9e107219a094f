-- The whole examhall domain (SPEC §4). Conventions, shared with the PostgreSQL twin
-- of this file so that both engines behave the same:
--   * instants are BIGINT microseconds since the Unix epoch, UTC (exact to the
--     microsecond that the wire format shows; compared and indexed as integers);
--   * durations are BIGINT microseconds (*_us) or whole seconds/minutes where the
--     domain counts them so (*_s, *_min);
--   * decimals (marks, scores, percentages) are BIGINT hundredths (*_h);
--   * "order" and "end" are reserved words, so those columns are position / ends_at.

-- +goose Up
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL,
    username_key  TEXT    NOT NULL UNIQUE, -- lower-cased username: uniqueness ignores case
    email         TEXT    NOT NULL DEFAULT '',
    first_name    TEXT    NOT NULL DEFAULT '',
    last_name     TEXT    NOT NULL DEFAULT '',
    phone         TEXT    NOT NULL DEFAULT '',
    email_key     TEXT    NOT NULL DEFAULT '', -- lower-cased email, for the email filter
    search_text   TEXT    NOT NULL DEFAULT '', -- lower-cased username, names, email and phone, for ?q=
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'staff', 'student')),
    password_hash TEXT    NOT NULL DEFAULT '', -- '' = unusable: cannot log in
    is_active     BOOLEAN NOT NULL DEFAULT TRUE,
    is_blocked    BOOLEAN NOT NULL DEFAULT FALSE,
    date_joined   BIGINT  NOT NULL
);
-- Lower-casing happens in Go (SQLite's lower() knows only ASCII), so both
-- engines match the same users.
CREATE INDEX users_email_key ON users (email_key);

CREATE TABLE batches (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE user_batches (
    user_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    batch_id BIGINT NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, batch_id)
);
CREATE INDEX user_batches_batch ON user_batches (batch_id);

-- Failed logins per key ("user:<username_key>" or "addr:<client address>") in a
-- fixed window; kept in the database so that every replica enforces one limit.
CREATE TABLE login_failures (
    key          TEXT PRIMARY KEY,
    failures     BIGINT NOT NULL,
    window_start BIGINT NOT NULL
);

CREATE TABLE subjects (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    key       TEXT UNIQUE, -- natural key of the import bundle; NULL for subjects made in the API
    name      TEXT   NOT NULL,
    parent_id BIGINT REFERENCES subjects (id) ON DELETE RESTRICT
);
CREATE INDEX subjects_parent ON subjects (parent_id);

CREATE TABLE exams (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    slug                TEXT    NOT NULL UNIQUE,
    title               TEXT    NOT NULL,
    description         TEXT    NOT NULL DEFAULT '',
    start_date          BIGINT,
    end_date            BIGINT,
    duration_us         BIGINT, -- NULL = untimed
    pass_percentage_h   BIGINT, -- NULL = no pass mark
    mark_per_question_h BIGINT  NOT NULL DEFAULT 100,
    negative_marks_h    BIGINT  NOT NULL DEFAULT 0,
    enable_ranks        BOOLEAN NOT NULL DEFAULT TRUE,
    allow_retake        BOOLEAN NOT NULL DEFAULT FALSE,
    max_retakes         BIGINT, -- NULL = unlimited when allow_retake
    show_score          BOOLEAN NOT NULL DEFAULT TRUE,
    show_percentile     BOOLEAN NOT NULL DEFAULT TRUE,
    show_pass_or_fail   BOOLEAN NOT NULL DEFAULT TRUE,
    show_answers        BOOLEAN NOT NULL DEFAULT TRUE,
    published           BOOLEAN NOT NULL DEFAULT FALSE,
    created             BIGINT  NOT NULL,
    modified            BIGINT  NOT NULL,
    -- Bumped by every change to the exam or to anything its loaded form holds
    -- (sections, exam questions, questions, answers, accepted answers, batches),
    -- in the changing transaction: replicas cache loaded exams by (id, version).
    version             BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX exams_start_date ON exams (start_date, id);
CREATE INDEX exams_end_date ON exams (end_date, id);

CREATE TABLE exam_batches (
    exam_id  BIGINT NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    batch_id BIGINT NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    PRIMARY KEY (exam_id, batch_id)
);
CREATE INDEX exam_batches_batch ON exam_batches (batch_id);

CREATE TABLE sections (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    exam_id     BIGINT NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    position    BIGINT NOT NULL,
    name        TEXT   NOT NULL,
    duration_us BIGINT,
    cut_off_h   BIGINT NOT NULL DEFAULT 0,
    UNIQUE (exam_id, position)
);

CREATE TABLE questions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    key              TEXT UNIQUE, -- natural key of the import bundle
    type             TEXT   NOT NULL CHECK (type IN ('mcq_single', 'mcq_multiple', 'true_false', 'numerical', 'short_answer', 'essay')),
    question_html    TEXT   NOT NULL DEFAULT '',
    direction_html   TEXT,
    explanation_html TEXT   NOT NULL DEFAULT '',
    subject_id       BIGINT REFERENCES subjects (id) ON DELETE SET NULL,
    difficulty       TEXT CHECK (difficulty IN ('easy', 'medium', 'hard')),
    numerical_min    TEXT, -- exact decimal strings; compared in Go
    numerical_max    TEXT,
    created          BIGINT NOT NULL,
    modified         BIGINT NOT NULL
);
CREATE INDEX questions_subject ON questions (subject_id);

CREATE TABLE answers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    question_id BIGINT  NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    position    BIGINT  NOT NULL,
    text_html   TEXT    NOT NULL DEFAULT '',
    is_correct  BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX answers_question ON answers (question_id, position);

-- Accepted texts of a short-answer question.
CREATE TABLE accepted_answers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    question_id BIGINT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    text        TEXT   NOT NULL
);
CREATE INDEX accepted_answers_question ON accepted_answers (question_id);

CREATE TABLE exam_questions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    exam_id          BIGINT  NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    section_id       BIGINT  NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
    question_id      BIGINT  NOT NULL REFERENCES questions (id) ON DELETE RESTRICT,
    position         BIGINT  NOT NULL,
    marks_h          BIGINT  NOT NULL,
    negative_marks_h BIGINT  NOT NULL DEFAULT 0,
    partial_marks_h  BIGINT,
    is_bonus         BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (exam_id, question_id)
);
CREATE INDEX exam_questions_exam ON exam_questions (exam_id, position);
CREATE INDEX exam_questions_question ON exam_questions (question_id);

-- An exam attempt. state: 0 Running, 1 Completed, 3 Not Started (the codes of the
-- admin API's state filter); an attempt awaiting essay grading is Completed with
-- pending_count > 0. The counts and score are written by the scoring engine.
CREATE TABLE attempts (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    exam_id                  BIGINT  NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    user_id                  BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state                    SMALLINT NOT NULL CHECK (state IN (0, 1, 3)),
    date                     BIGINT  NOT NULL, -- started (created, for Not Started)
    last_started_time        BIGINT,
    last_answer_updated_time BIGINT,
    last_activity_at         BIGINT, -- end of the open running interval
    interval_open            BOOLEAN NOT NULL DEFAULT FALSE,
    completed_on             BIGINT,
    time_taken_us            BIGINT  NOT NULL DEFAULT 0,
    institute_attempt_id     TEXT,
    correct_count            BIGINT  NOT NULL DEFAULT 0,
    incorrect_count          BIGINT  NOT NULL DEFAULT 0,
    unanswered_count         BIGINT  NOT NULL DEFAULT 0,
    partial_count            BIGINT  NOT NULL DEFAULT 0,
    pending_count            BIGINT  NOT NULL DEFAULT 0, -- essays awaiting grading
    score_h                  BIGINT  NOT NULL DEFAULT 0,
    percentage_h             BIGINT  NOT NULL DEFAULT 0,
    result                   TEXT    NOT NULL DEFAULT 'Not taken',
    speed                    BIGINT  NOT NULL DEFAULT 0,
    accuracy                 BIGINT  NOT NULL DEFAULT 0,
    in_rank_population       BOOLEAN NOT NULL DEFAULT FALSE -- the user's first completed attempt
);
-- Served shapes of the admin attempts list (SPEC §8.1): each filter with each
-- ordering, id last so that keyset walks never overlap or skip.
CREATE INDEX attempts_date ON attempts (date, id);
CREATE INDEX attempts_state_date ON attempts (state, date, id);
CREATE INDEX attempts_state_id ON attempts (state, id);
CREATE INDEX attempts_exam_id ON attempts (exam_id, id);
CREATE INDEX attempts_exam_state_id ON attempts (exam_id, state, id);
CREATE INDEX attempts_exam_date ON attempts (exam_id, date, id);
CREATE INDEX attempts_exam_state_date ON attempts (exam_id, state, date, id);
CREATE INDEX attempts_exam_correct ON attempts (exam_id, correct_count, id);
CREATE INDEX attempts_exam_incorrect ON attempts (exam_id, incorrect_count, id);
CREATE INDEX attempts_exam_unanswered ON attempts (exam_id, unanswered_count, id);
CREATE INDEX attempts_user_date ON attempts (user_id, date, id);
CREATE INDEX attempts_user_exam ON attempts (user_id, exam_id, id);
CREATE INDEX attempts_correct ON attempts (correct_count, id);
CREATE INDEX attempts_incorrect ON attempts (incorrect_count, id);
CREATE INDEX attempts_unanswered ON attempts (unanswered_count, id);
CREATE INDEX attempts_state_correct ON attempts (state, correct_count, id);
CREATE INDEX attempts_state_incorrect ON attempts (state, incorrect_count, id);
CREATE INDEX attempts_state_unanswered ON attempts (state, unanswered_count, id);
-- At most one running attempt per user and exam, and one ranked attempt (the
-- first completed) per user and exam, even when requests race.
CREATE UNIQUE INDEX attempts_one_running ON attempts (user_id, exam_id) WHERE state = 0;
CREATE UNIQUE INDEX attempts_one_ranked ON attempts (exam_id, user_id) WHERE in_rank_population;
-- The background sweep finds running attempts to expire.
CREATE INDEX attempts_running ON attempts (state, last_activity_at) WHERE state = 0;

-- How many attempts of an exam's rank population hold each score: rank and
-- percentile read a few rows here, never a count over the exam's attempts.
CREATE TABLE exam_score_counts (
    exam_id  BIGINT NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    score_h  BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    PRIMARY KEY (exam_id, score_h)
);

CREATE TABLE attempt_sections (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    attempt_id       BIGINT NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    section_id       BIGINT NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
    position         BIGINT NOT NULL,
    time_taken_us    BIGINT NOT NULL DEFAULT 0,
    correct_count    BIGINT NOT NULL DEFAULT 0,
    incorrect_count  BIGINT NOT NULL DEFAULT 0,
    unanswered_count BIGINT NOT NULL DEFAULT 0,
    partial_count    BIGINT NOT NULL DEFAULT 0,
    score_h          BIGINT NOT NULL DEFAULT 0,
    UNIQUE (attempt_id, section_id)
);
CREATE INDEX attempt_sections_section ON attempt_sections (section_id);

-- One row per exam question of an attempt, answered or not, kept together by
-- attempt: every read and write of answers is of one attempt's (its questions
-- page, a save, scoring), so clustering them on the attempt makes those a
-- short range of one b-tree, and the only index. id, the answer's number on
-- the wire, is attempt_id * 65536 + its position in the attempt, so it needs
-- no index of its own and tells its attempt. selected_answer_ids is a JSON
-- array: one row per question, not per chosen answer, keeps 1M attempts x 50
-- questions at 50M rows. No foreign key to exam_questions: a question is
-- removed from an exam only while the exam has no attempts.
CREATE TABLE user_answers (
    attempt_id          BIGINT  NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    exam_question_id    BIGINT  NOT NULL,
    id                  BIGINT  NOT NULL,
    selected_answer_ids TEXT    NOT NULL DEFAULT '[]',
    short_text          TEXT,
    numeric_value       TEXT,
    essay_text          TEXT,
    result              SMALLINT NOT NULL DEFAULT 0, -- 0 Unanswered, 1 Correct, 2 Incorrect, 3 Partially Correct, 4 Pending Evaluation
    marks_h             BIGINT  NOT NULL DEFAULT 0,
    graded_marks_h      BIGINT, -- marks a grader gave an essay
    duration_s          BIGINT  NOT NULL DEFAULT 0,
    review              BOOLEAN NOT NULL DEFAULT FALSE,
    guessed             BOOLEAN NOT NULL DEFAULT FALSE,
    modified            BIGINT  NOT NULL,
    PRIMARY KEY (attempt_id, exam_question_id)
) WITHOUT ROWID;

CREATE TABLE courses (
    id                          INTEGER PRIMARY KEY AUTOINCREMENT,
    slug                        TEXT   NOT NULL UNIQUE,
    title                       TEXT   NOT NULL,
    description                 TEXT   NOT NULL DEFAULT '',
    image                       TEXT   NOT NULL DEFAULT '',
    created_by                  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    position                    BIGINT NOT NULL DEFAULT 0,
    max_allowed_views_per_video BIGINT,
    max_allowed_watch_minutes   BIGINT,
    created                     BIGINT NOT NULL,
    modified                    BIGINT NOT NULL
);

CREATE INDEX courses_created_by ON courses (created_by);

-- The batches a course is for; a course without batches is for everyone.
CREATE TABLE course_batches (
    course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    batch_id  BIGINT NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    PRIMARY KEY (course_id, batch_id)
);
CREATE INDEX course_batches_batch ON course_batches (batch_id);

CREATE TABLE chapters (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    course_id   BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    position    BIGINT NOT NULL,
    title       TEXT   NOT NULL,
    description TEXT   NOT NULL DEFAULT '',
    created     BIGINT NOT NULL,
    modified    BIGINT NOT NULL
);
CREATE INDEX chapters_course ON chapters (course_id, position);

CREATE TABLE videos (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT   NOT NULL,
    url        TEXT   NOT NULL DEFAULT '',
    duration_s BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE attachments (
    id    INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    url   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE notes (
    id    INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    html  TEXT NOT NULL DEFAULT ''
);

CREATE TABLE video_conferences (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    title                 TEXT    NOT NULL,
    conference_id         TEXT    NOT NULL DEFAULT '',
    start                 BIGINT,
    duration_min          BIGINT  NOT NULL DEFAULT 0,
    provider              TEXT    NOT NULL DEFAULT '',
    join_url              TEXT    NOT NULL DEFAULT '',
    password              TEXT    NOT NULL DEFAULT '',
    access_token          TEXT    NOT NULL DEFAULT '',
    show_recorded_video   BOOLEAN NOT NULL DEFAULT FALSE,
    state                 TEXT    NOT NULL DEFAULT '',
    has_recording_expired BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE live_streams (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    title               TEXT    NOT NULL,
    stream_url          TEXT    NOT NULL DEFAULT '',
    duration_min        BIGINT  NOT NULL DEFAULT 0,
    show_recorded_video BOOLEAN NOT NULL DEFAULT FALSE,
    status              TEXT    NOT NULL DEFAULT '',
    chat_embed_url      TEXT    NOT NULL DEFAULT ''
);

-- content_type: 1 Exam, 2 Quiz, 3 Video, 4 Attachment, 5 Notes, 7 VideoConference,
-- 8 LiveStream (the codes of the admin API's content_type filter); exactly the
-- matching target column is set.
CREATE TABLE chapter_contents (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    chapter_id          BIGINT  NOT NULL REFERENCES chapters (id) ON DELETE CASCADE,
    position            BIGINT  NOT NULL,
    title               TEXT    NOT NULL,
    description         TEXT    NOT NULL DEFAULT '',
    content_type        SMALLINT NOT NULL CHECK (content_type IN (1, 2, 3, 4, 5, 7, 8)),
    exam_id             BIGINT REFERENCES exams (id) ON DELETE RESTRICT,
    video_id            BIGINT REFERENCES videos (id) ON DELETE RESTRICT,
    attachment_id       BIGINT REFERENCES attachments (id) ON DELETE RESTRICT,
    notes_id            BIGINT REFERENCES notes (id) ON DELETE RESTRICT,
    video_conference_id BIGINT REFERENCES video_conferences (id) ON DELETE RESTRICT,
    live_stream_id      BIGINT REFERENCES live_streams (id) ON DELETE RESTRICT,
    free_preview        BOOLEAN NOT NULL DEFAULT FALSE,
    starts_at           BIGINT,
    ends_at             BIGINT,
    created             BIGINT  NOT NULL,
    modified            BIGINT  NOT NULL
);
CREATE INDEX chapter_contents_chapter ON chapter_contents (chapter_id, position);
CREATE INDEX chapter_contents_exam ON chapter_contents (exam_id);
CREATE INDEX chapter_contents_video ON chapter_contents (video_id);
CREATE INDEX chapter_contents_attachment ON chapter_contents (attachment_id);
CREATE INDEX chapter_contents_notes ON chapter_contents (notes_id);
CREATE INDEX chapter_contents_video_conference ON chapter_contents (video_conference_id);
CREATE INDEX chapter_contents_live_stream ON chapter_contents (live_stream_id);

CREATE TABLE user_videos (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id                 BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    video_id                BIGINT  NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    created                 BIGINT  NOT NULL,
    watched_percentage      BIGINT  NOT NULL DEFAULT 0,
    position_s              BIGINT  NOT NULL DEFAULT 0,
    remaining_duration_s    BIGINT  NOT NULL DEFAULT 0,
    state                   SMALLINT NOT NULL DEFAULT 0, -- 0 Started, 1 Completed
    is_live_class_recording BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX user_videos_user ON user_videos (user_id, video_id);
CREATE INDEX user_videos_video ON user_videos (video_id);

-- Attendance of a user at a video conference: join_time = first join, leave_time =
-- last leave, duration_s = sum of the closed sessions' seconds.
CREATE TABLE user_video_conferences (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id             BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    video_conference_id BIGINT NOT NULL REFERENCES video_conferences (id) ON DELETE CASCADE,
    created             BIGINT NOT NULL,
    join_time           BIGINT,
    leave_time          BIGINT,
    duration_s          BIGINT NOT NULL DEFAULT 0,
    UNIQUE (user_id, video_conference_id)
);
CREATE INDEX user_video_conferences_conference ON user_video_conferences (video_conference_id, id);

CREATE TABLE video_conference_sessions (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    user_video_conference_id BIGINT NOT NULL REFERENCES user_video_conferences (id) ON DELETE CASCADE,
    joined_at                BIGINT NOT NULL,
    left_at                  BIGINT
);
CREATE INDEX video_conference_sessions_user ON video_conference_sessions (user_video_conference_id, id);

CREATE TABLE user_live_streams (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id        BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    live_stream_id BIGINT NOT NULL REFERENCES live_streams (id) ON DELETE CASCADE,
    created        BIGINT NOT NULL,
    UNIQUE (user_id, live_stream_id)
);
CREATE INDEX user_live_streams_live_stream ON user_live_streams (live_stream_id);

CREATE TABLE user_notes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    notes_id     BIGINT NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    created      BIGINT NOT NULL,
    completed_on BIGINT,
    UNIQUE (user_id, notes_id)
);
CREATE INDEX user_notes_notes ON user_notes (notes_id);

CREATE TABLE user_attachments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    attachment_id BIGINT NOT NULL REFERENCES attachments (id) ON DELETE CASCADE,
    created       BIGINT NOT NULL,
    completed_on  BIGINT,
    UNIQUE (user_id, attachment_id)
);
CREATE INDEX user_attachments_attachment ON user_attachments (attachment_id);

-- A user's engagement with one chapter content. state: 0 Started, 1 Completed,
-- 2 Pending Evaluation, 3 Evaluation Completed (the admin API's filter codes).
-- course, chapter, content type and exam are copied from the content so that the
-- admin filters of SPEC §8.4 are served by indexes on this table alone.
CREATE TABLE chapter_content_attempts (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id                  BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    chapter_content_id       BIGINT  NOT NULL REFERENCES chapter_contents (id) ON DELETE CASCADE,
    chapter_id               BIGINT  NOT NULL REFERENCES chapters (id) ON DELETE CASCADE,
    course_id                BIGINT  NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    content_type             SMALLINT NOT NULL,
    exam_id                  BIGINT REFERENCES exams (id) ON DELETE CASCADE,
    state                    SMALLINT NOT NULL DEFAULT 0 CHECK (state IN (0, 1, 2, 3)),
    created                  BIGINT  NOT NULL,
    completed_on             BIGINT,
    attempt_id               BIGINT REFERENCES attempts (id) ON DELETE CASCADE,
    user_video_id            BIGINT REFERENCES user_videos (id) ON DELETE SET NULL,
    user_video_conference_id BIGINT REFERENCES user_video_conferences (id) ON DELETE SET NULL,
    user_live_stream_id      BIGINT REFERENCES user_live_streams (id) ON DELETE SET NULL,
    user_notes_id            BIGINT REFERENCES user_notes (id) ON DELETE SET NULL,
    user_attachment_id       BIGINT REFERENCES user_attachments (id) ON DELETE SET NULL
);
CREATE INDEX content_attempts_user ON chapter_content_attempts (user_id, id);
CREATE INDEX content_attempts_content ON chapter_content_attempts (chapter_content_id, user_id, id);
CREATE INDEX content_attempts_chapter ON chapter_content_attempts (chapter_id, id);
CREATE INDEX content_attempts_course ON chapter_content_attempts (course_id, id);
CREATE INDEX content_attempts_exam ON chapter_content_attempts (exam_id, id);
CREATE INDEX content_attempts_type ON chapter_content_attempts (content_type, id);
CREATE INDEX content_attempts_state ON chapter_content_attempts (state, id);
CREATE INDEX content_attempts_completed ON chapter_content_attempts (completed_on, id);
CREATE INDEX content_attempts_attempt ON chapter_content_attempts (attempt_id);
CREATE INDEX content_attempts_user_video ON chapter_content_attempts (user_video_id);
CREATE INDEX content_attempts_user_video_conference ON chapter_content_attempts (user_video_conference_id);
CREATE INDEX content_attempts_user_live_stream ON chapter_content_attempts (user_live_stream_id);
CREATE INDEX content_attempts_user_notes ON chapter_content_attempts (user_notes_id);
CREATE INDEX content_attempts_user_attachment ON chapter_content_attempts (user_attachment_id);
-- At most one open (Started) content attempt per user and content.
CREATE UNIQUE INDEX content_attempts_one_open ON chapter_content_attempts (user_id, chapter_content_id) WHERE state = 0;

-- Durable outbox of webhook deliveries, written in the transaction of the state
-- change that causes them (SPEC §10).
CREATE TABLE webhook_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT   NOT NULL CHECK (kind IN ('exam', 'chapter_content')),
    payload         TEXT   NOT NULL,
    created         BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    tries           BIGINT NOT NULL DEFAULT 0,
    locked_until    BIGINT, -- a replica delivering it holds it until then
    delivered_at    BIGINT,
    last_status     BIGINT,
    last_error      TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at) WHERE delivered_at IS NULL;

-- The outcome of every delivery try.
CREATE TABLE webhook_deliveries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id    BIGINT NOT NULL REFERENCES webhook_outbox (id) ON DELETE CASCADE,
    attempted_at BIGINT NOT NULL,
    status       BIGINT, -- HTTP status; NULL when no response came
    error        TEXT   NOT NULL DEFAULT '',
    duration_us  BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_outbox ON webhook_deliveries (outbox_id, id);

-- +goose Down
-- The first migration cannot be reverted (it would drop every record): this
-- statement fails on purpose, so that "down" stops here and changes nothing.
SELECT * FROM "the first migration cannot be reverted";
