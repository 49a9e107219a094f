-- Each attempt's events as a chain (issue 16, the answer save's budget):
-- an event holds the id of its attempt's event before it (prev; 0 for the
-- first) and attempts.last_event the id of its last (0: none), so that
-- recording an event touches no index by attempt. The index of 00009 by
-- (attempt_id, id) cost each save a changed index page of its own; the
-- attempt's row, which holds the chain's end, is written by the save anyway.
-- A timeline is read by walking its chain back from last_event (by primary
-- key). No foreign key: checking it, or a cascade, would need that index;
-- deleting a user deletes their attempts' events by walking the chains. The
-- client events' limits (per minute, per attempt) count through a small
-- partial index, which only the client events touch. prev is from the old
-- order by id, which is the order they were written in.

-- +goose Up
ALTER TABLE attempts ADD COLUMN last_event BIGINT NOT NULL DEFAULT 0;
UPDATE attempts SET last_event = chain_ends.id
    FROM (SELECT attempt_id, MAX(id) AS id FROM attempt_events GROUP BY attempt_id) AS chain_ends
    WHERE attempts.id = chain_ends.attempt_id;
ALTER TABLE attempt_events ADD COLUMN prev BIGINT NOT NULL DEFAULT 0;
UPDATE attempt_events SET prev = chained.prev
    FROM (SELECT id, LAG(id, 1, 0::bigint) OVER (PARTITION BY attempt_id ORDER BY id) AS prev FROM attempt_events) AS chained
    WHERE attempt_events.id = chained.id AND chained.prev <> 0;
ALTER TABLE attempt_events ALTER COLUMN prev DROP DEFAULT;
ALTER TABLE attempt_events DROP CONSTRAINT attempt_events_attempt_id_fkey;
DROP INDEX attempt_events_attempt;
CREATE INDEX attempt_events_client ON attempt_events (attempt_id, at) WHERE source = 'client';

-- +goose Down
DROP INDEX attempt_events_client;
DELETE FROM attempt_events WHERE attempt_id NOT IN (SELECT id FROM attempts);
CREATE INDEX attempt_events_attempt ON attempt_events (attempt_id, id);
ALTER TABLE attempt_events ADD CONSTRAINT attempt_events_attempt_id_fkey
    FOREIGN KEY (attempt_id) REFERENCES attempts (id) ON DELETE CASCADE;
ALTER TABLE attempt_events DROP COLUMN prev;
ALTER TABLE attempts DROP COLUMN last_event;
