-- Ferry server schema, version 9: what several replicas of the server share (on SQLite there is one; the tables are
-- the same so both providers run one code path). Server-wide tables (no company owns their rows, no tenant filter):
-- ASP.NET Core data-protection keys (sign-in cookies and anti-forgery tokens), named server secrets (the token-signing
-- key), both sealed with storage.key; failed sign-ins counted by the login throttle, deleted once older than its
-- window; export bundles waiting for S3 (export_outbox, a company's through its export).
CREATE TABLE data_protection_keys (
    id {id},
    friendly_name TEXT NULL,
    xml TEXT NOT NULL,
    created_at {timestamp} NOT NULL
);

CREATE TABLE server_keys (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at {timestamp} NOT NULL
);

CREATE TABLE login_failures (
    id {id},
    throttle_key TEXT NOT NULL,
    failed_at {timestamp} NOT NULL
);
CREATE INDEX ix_login_failures_key_failed_at ON login_failures (throttle_key, failed_at);
CREATE INDEX ix_login_failures_failed_at ON login_failures (failed_at);

-- The export outbox: a bundle waiting for S3, zipped whole, deliverable by any replica; a replica claims a due one
-- with a lease (lease_owner until lease_until), so two never deliver it at once and a dead one's claim expires.
CREATE TABLE export_outbox (
    export_id {bigint} PRIMARY KEY REFERENCES session_exports (id) ON DELETE CASCADE,
    folder TEXT NOT NULL,
    bundle {blob} NOT NULL,
    next_attempt_at {timestamp} NOT NULL,
    lease_owner TEXT NULL,
    lease_until {timestamp} NULL,
    created_at {timestamp} NOT NULL
);
CREATE INDEX ix_export_outbox_next_attempt ON export_outbox (next_attempt_at);
