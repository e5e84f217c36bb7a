-- Ferry server schema, version 10 (SQLite): donation links (donations without an account or S3 keys) and their resumable uploads.
CREATE TABLE donation_links (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    label TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    policy_version TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    max_bytes INTEGER NOT NULL,
    max_donations INTEGER NOT NULL,
    donations INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER NULL
);
CREATE INDEX ix_donation_links_company ON donation_links (company_id, id);

CREATE TABLE donation_link_uploads (
    id TEXT PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    link_id INTEGER NOT NULL REFERENCES donation_links (id) ON DELETE CASCADE,
    length INTEGER NOT NULL,
    sha256 TEXT NULL,
    consent_version TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX ix_donation_link_uploads_link ON donation_link_uploads (link_id, status);
