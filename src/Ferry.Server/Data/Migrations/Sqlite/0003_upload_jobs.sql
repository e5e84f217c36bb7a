-- Ferry server schema, version 3 (SQLite): upload jobs run by workers from the server's own file systems.
CREATE TABLE upload_jobs (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    project_id INTEGER NOT NULL REFERENCES projects (id),
    cycle_id INTEGER NOT NULL REFERENCES cycles (id),
    session_id INTEGER NOT NULL REFERENCES upload_sessions (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    local_directory TEXT NOT NULL,
    status TEXT NOT NULL,
    worker TEXT NULL,
    heartbeat_at INTEGER NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    message TEXT NULL,
    created_at INTEGER NOT NULL,
    started_at INTEGER NULL,
    finished_at INTEGER NULL
);
CREATE INDEX ix_upload_jobs_status ON upload_jobs (status, id);
CREATE INDEX ix_upload_jobs_company ON upload_jobs (company_id, id);
