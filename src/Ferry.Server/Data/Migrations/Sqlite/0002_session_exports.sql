-- Ferry server schema, version 2 (SQLite): audit exports of upload sessions.
CREATE TABLE session_exports (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    session_id INTEGER NOT NULL REFERENCES upload_sessions (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    bundle TEXT NULL,
    location TEXT NULL,
    files INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0,
    duration_ms INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    message TEXT NULL,
    created_at INTEGER NOT NULL,
    finished_at INTEGER NULL
);
CREATE INDEX ix_session_exports_company ON session_exports (company_id, created_at);
CREATE INDEX ix_session_exports_session ON session_exports (session_id);
