-- Failed logins are forgotten a window after the latest one, not at the end of
-- a fixed window, and the login throttle's wait runs from the latest failure
-- (auth.LoginLimits): the column holds the time of the latest failure. Rows
-- written before keep their window's start, an earlier time, so they are
-- forgotten a little sooner.

-- +goose Up
ALTER TABLE login_failures RENAME COLUMN window_start TO last_failure;

-- +goose Down
ALTER TABLE login_failures RENAME COLUMN last_failure TO window_start;
