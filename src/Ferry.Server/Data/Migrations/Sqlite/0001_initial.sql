-- Ferry server schema, version 1 (SQLite). Timestamps are DateTimeOffset binary values (INTEGER).
CREATE TABLE companies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX ix_companies_name ON companies (name);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    username TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    is_system_admin INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX ix_users_username ON users (username);
CREATE INDEX ix_users_company ON users (company_id);

CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    name TEXT NOT NULL,
    bucket_name TEXT NOT NULL,
    region TEXT NOT NULL,
    endpoint_url TEXT NULL,
    aws_profile TEXT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX ix_projects_company_name ON projects (company_id, name);

CREATE TABLE cycles (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    s3_prefix TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX ix_cycles_project_name ON cycles (project_id, name);

CREATE TABLE upload_sessions (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    project_id INTEGER NOT NULL REFERENCES projects (id),
    cycle_id INTEGER NOT NULL REFERENCES cycles (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    label TEXT NULL,
    local_directory TEXT NULL,
    client TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER NULL,
    last_activity_at INTEGER NOT NULL,
    first_upload_at INTEGER NULL,
    total_files INTEGER NOT NULL DEFAULT 0,
    uploaded_files INTEGER NOT NULL DEFAULT 0,
    skipped_files INTEGER NOT NULL DEFAULT 0,
    failed_files INTEGER NOT NULL DEFAULT 0,
    total_bytes INTEGER NOT NULL DEFAULT 0,
    uploaded_bytes INTEGER NOT NULL DEFAULT 0,
    skipped_bytes INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_upload_sessions_company ON upload_sessions (company_id, project_id, cycle_id, status);

CREATE TABLE session_files (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES upload_sessions (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    key TEXT NOT NULL,
    size INTEGER NOT NULL,
    last_modified INTEGER NULL,
    status TEXT NOT NULL,
    etag TEXT NULL,
    checksum TEXT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NULL,
    registered_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    uploaded_at INTEGER NULL
);
CREATE UNIQUE INDEX ix_session_files_session_path ON session_files (session_id, path);
CREATE INDEX ix_session_files_session_status ON session_files (session_id, status, id);

CREATE TABLE verified_objects (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    size INTEGER NOT NULL,
    last_modified INTEGER NULL,
    etag TEXT NULL,
    checksum TEXT NULL,
    session_id INTEGER NOT NULL,
    verified_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX ix_verified_objects_project_key ON verified_objects (project_id, key);

CREATE TABLE session_multipart_uploads (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES upload_sessions (id) ON DELETE CASCADE,
    file_id INTEGER NOT NULL REFERENCES session_files (id) ON DELETE CASCADE,
    upload_id TEXT NOT NULL,
    key TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX ix_session_multipart_uploads_upload ON session_multipart_uploads (session_id, upload_id);
