-- Ferry server schema, version 1. Timestamps are TIMESTAMPTZ on PostgreSQL, DateTimeOffset binary values (INTEGER) on SQLite.
CREATE TABLE companies (
    id {id},
    name TEXT NOT NULL,
    created_at {timestamp} NOT NULL
);
CREATE UNIQUE INDEX ix_companies_name ON companies (name);

CREATE TABLE users (
    id {id},
    company_id {bigint} NOT NULL REFERENCES companies (id),
    username TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    is_system_admin {bool} NOT NULL DEFAULT {false},
    created_at {timestamp} NOT NULL,
    password_changed_at {timestamp} NOT NULL
);
CREATE UNIQUE INDEX ix_users_username ON users (username);
CREATE INDEX ix_users_company ON users (company_id);

CREATE TABLE projects (
    id {id},
    company_id {bigint} NOT NULL REFERENCES companies (id),
    name TEXT NOT NULL,
    bucket_name TEXT NOT NULL,
    region TEXT NOT NULL,
    endpoint_url TEXT NULL,
    aws_profile TEXT NULL,
    created_at {timestamp} NOT NULL
);
CREATE UNIQUE INDEX ix_projects_company_name ON projects (company_id, name);

CREATE TABLE cycles (
    id {id},
    project_id {bigint} NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    s3_prefix TEXT NOT NULL,
    created_at {timestamp} NOT NULL
);
CREATE UNIQUE INDEX ix_cycles_project_name ON cycles (project_id, name);

CREATE TABLE upload_sessions (
    id {id},
    company_id {bigint} NOT NULL REFERENCES companies (id),
    project_id {bigint} NOT NULL REFERENCES projects (id),
    cycle_id {bigint} NOT NULL REFERENCES cycles (id),
    user_id {bigint} NOT NULL REFERENCES users (id),
    label TEXT NULL,
    local_directory TEXT NULL,
    client TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at {timestamp} NOT NULL,
    finished_at {timestamp} NULL,
    last_activity_at {timestamp} NOT NULL,
    first_upload_at {timestamp} NULL,
    total_files {bigint} NOT NULL DEFAULT 0,
    uploaded_files {bigint} NOT NULL DEFAULT 0,
    skipped_files {bigint} NOT NULL DEFAULT 0,
    failed_files {bigint} NOT NULL DEFAULT 0,
    total_bytes {bigint} NOT NULL DEFAULT 0,
    uploaded_bytes {bigint} NOT NULL DEFAULT 0,
    skipped_bytes {bigint} NOT NULL DEFAULT 0
);
CREATE INDEX ix_upload_sessions_company ON upload_sessions (company_id, project_id, cycle_id, status);

CREATE TABLE session_files (
    id {id},
    session_id {bigint} NOT NULL REFERENCES upload_sessions (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    key TEXT NOT NULL,
    size {bigint} NOT NULL,
    last_modified {timestamp} NULL,
    status TEXT NOT NULL,
    etag TEXT NULL,
    checksum TEXT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NULL,
    registered_at {timestamp} NOT NULL,
    updated_at {timestamp} NOT NULL,
    uploaded_at {timestamp} NULL
);
CREATE UNIQUE INDEX ix_session_files_session_path ON session_files (session_id, path);
CREATE INDEX ix_session_files_session_status ON session_files (session_id, status, id);

CREATE TABLE verified_objects (
    id {id},
    project_id {bigint} NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    size {bigint} NOT NULL,
    last_modified {timestamp} NULL,
    etag TEXT NULL,
    checksum TEXT NULL,
    session_id {bigint} NOT NULL,
    verified_at {timestamp} NOT NULL
);
CREATE UNIQUE INDEX ix_verified_objects_project_key ON verified_objects (project_id, key);

CREATE TABLE session_multipart_uploads (
    id {id},
    session_id {bigint} NOT NULL REFERENCES upload_sessions (id) ON DELETE CASCADE,
    file_id {bigint} NOT NULL REFERENCES session_files (id) ON DELETE CASCADE,
    upload_id TEXT NOT NULL,
    key TEXT NOT NULL,
    created_at {timestamp} NOT NULL
);
CREATE UNIQUE INDEX ix_session_multipart_uploads_upload ON session_multipart_uploads (session_id, upload_id);
