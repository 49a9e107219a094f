-- Webhooks (SPEC §10, issue 13) in the outbox tables of the first migration:
-- webhook_outbox holds one row per event, written in the transaction of the
-- change that causes it (the delivery log's "deliveries"), and
-- webhook_deliveries one row per try of it. This adds what the delivery
-- worker needs: the event and the URL it goes to (as configured when it
-- happened), the attempt or content attempt it is about, subject ("attempt:ID"
-- or "content:ID"), which orders the events of one attempt (a row is sent only
-- when no earlier row of its subject is pending), state (0 pending,
-- 1 delivered, 2 failed: given up), queued (when it was created or last
-- redelivered, Unix microseconds: give-up counts from it) and lease_owner,
-- the worker that holds it until locked_until, so that replicas on one
-- database send each event once as a rule, and twice only when a worker
-- stopped mid-try (at least once).

-- +goose Up
ALTER TABLE webhook_outbox ADD COLUMN event TEXT NOT NULL DEFAULT '';
ALTER TABLE webhook_outbox ADD COLUMN subject TEXT NOT NULL DEFAULT '';
ALTER TABLE webhook_outbox ADD COLUMN attempt_id BIGINT;
ALTER TABLE webhook_outbox ADD COLUMN content_attempt_id BIGINT;
ALTER TABLE webhook_outbox ADD COLUMN url TEXT NOT NULL DEFAULT '';
ALTER TABLE webhook_outbox ADD COLUMN state SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE webhook_outbox ADD COLUMN queued BIGINT NOT NULL DEFAULT 0;
ALTER TABLE webhook_outbox ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
CREATE INDEX webhook_outbox_pending ON webhook_outbox (next_attempt_at, id) WHERE state = 0;
CREATE INDEX webhook_outbox_subject ON webhook_outbox (subject, id) WHERE state = 0;
CREATE INDEX webhook_outbox_attempt ON webhook_outbox (attempt_id, id);
CREATE INDEX webhook_outbox_delivered ON webhook_outbox (delivered_at) WHERE state = 1;

-- +goose Down
DROP INDEX webhook_outbox_delivered;
DROP INDEX webhook_outbox_attempt;
DROP INDEX webhook_outbox_subject;
DROP INDEX webhook_outbox_pending;
ALTER TABLE webhook_outbox DROP COLUMN lease_owner;
ALTER TABLE webhook_outbox DROP COLUMN queued;
ALTER TABLE webhook_outbox DROP COLUMN state;
ALTER TABLE webhook_outbox DROP COLUMN url;
ALTER TABLE webhook_outbox DROP COLUMN content_attempt_id;
ALTER TABLE webhook_outbox DROP COLUMN attempt_id;
ALTER TABLE webhook_outbox DROP COLUMN subject;
ALTER TABLE webhook_outbox DROP COLUMN event;
