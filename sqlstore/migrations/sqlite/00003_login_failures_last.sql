-- Failed logins are forgotten a window after the latest one, not at the end of
-- a fixed window, and the login throttle's wait runs from the latest failure
-- (auth.LoginLimits): last_failure holds the time of the latest failure.
--
-- Added beside window_start, not renamed from it: during a rolling upgrade the
-- replicas of the build before this one (SPEC §1: replicas share one
-- database) go on reading and writing window_start, and a rename would fail
-- every login they check. So this build keeps window_start as they read it,
-- the start of the key's current run of failures (set again when the run was
-- forgotten: their window restarts there), and takes the latest failure to
-- be the later of last_failure and window_start, because the rows they
-- insert or restart set window_start alone. Rows written before this
-- migration get their window's start, an earlier time than their latest
-- failure, so they are forgotten a little sooner. window_start may be
-- dropped by a later migration once no replica older than this one runs.

-- +goose Up
ALTER TABLE login_failures ADD COLUMN last_failure BIGINT NOT NULL DEFAULT 0;
UPDATE login_failures SET last_failure = window_start;

-- +goose Down
-- window_start is still what the build before this one reads.
ALTER TABLE login_failures DROP COLUMN last_failure;
