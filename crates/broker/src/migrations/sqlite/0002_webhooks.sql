-- Webhooks and their deliveries (an outbox): a delivery row is written in the same transaction
-- as the publication or verification that triggered it, and taken by any broker instance with
-- a lease, so nothing is lost across restarts and each delivery is attempted by one instance
-- at a time.

CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    description TEXT,
    -- Scope: a pacticipant by name or by label; both NULL means every pacticipant.
    consumer_name TEXT,
    consumer_label TEXT,
    provider_name TEXT,
    provider_label TEXT,
    enabled BOOLEAN NOT NULL,
    -- JSON array of event names.
    events TEXT NOT NULL,
    -- JSON of the request template, credentials included (they are needed to send it).
    request TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Also the Idempotency-Key header of every attempt.
    uuid TEXT NOT NULL UNIQUE,
    -- No foreign key: a delivery of a webhook deleted since fails at its next attempt.
    webhook_uuid TEXT NOT NULL,
    event_name TEXT NOT NULL,
    -- 'resource_creation' (an event) or 'user' (a test execution).
    trigger_type TEXT NOT NULL,
    consumer_name TEXT NOT NULL,
    provider_name TEXT NOT NULL,
    -- JSON object: the template variables' values when the event happened.
    context TEXT NOT NULL,
    -- 'not_run', 'retrying', 'success', 'failure'.
    status TEXT NOT NULL,
    attempts_made BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    -- Held by one instance while it sends an attempt.
    lease_owner TEXT,
    lease_until BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_pair ON webhook_deliveries (provider_name, consumer_name, id);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_uuid, id);

CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt BIGINT NOT NULL,
    success BOOLEAN NOT NULL,
    response_status BIGINT,
    error TEXT,
    duration_ms BIGINT NOT NULL,
    logs TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempt);
