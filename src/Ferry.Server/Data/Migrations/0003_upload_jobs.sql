-- Ferry server schema, version 3: upload jobs run by workers from the server's own file systems.
CREATE TABLE upload_jobs (
    id {id},
    company_id {bigint} NOT NULL REFERENCES companies (id),
    project_id {bigint} NOT NULL REFERENCES projects (id),
    cycle_id {bigint} NOT NULL REFERENCES cycles (id),
    session_id {bigint} NOT NULL REFERENCES upload_sessions (id) ON DELETE CASCADE,
    user_id {bigint} NOT NULL REFERENCES users (id),
    local_directory TEXT NOT NULL,
    status TEXT NOT NULL,
    worker TEXT NULL,
    heartbeat_at {timestamp} NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    cancel_requested {bool} NOT NULL DEFAULT {false},
    message TEXT NULL,
    created_at {timestamp} NOT NULL,
    started_at {timestamp} NULL,
    finished_at {timestamp} NULL
);
CREATE INDEX ix_upload_jobs_status ON upload_jobs (status, id);
CREATE INDEX ix_upload_jobs_company ON upload_jobs (company_id, id);
