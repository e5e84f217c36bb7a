-- Ferry server schema, version 2: audit exports of upload sessions.
CREATE TABLE session_exports (
    id {id},
    company_id {bigint} NOT NULL REFERENCES companies (id),
    session_id {bigint} NOT NULL REFERENCES upload_sessions (id) ON DELETE CASCADE,
    user_id {bigint} NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    bundle TEXT NULL,
    location TEXT NULL,
    files {bigint} NOT NULL DEFAULT 0,
    bytes {bigint} NOT NULL DEFAULT 0,
    duration_ms {bigint} NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    message TEXT NULL,
    created_at {timestamp} NOT NULL,
    finished_at {timestamp} NULL
);
CREATE INDEX ix_session_exports_company ON session_exports (company_id, created_at);
CREATE INDEX ix_session_exports_session ON session_exports (session_id);
