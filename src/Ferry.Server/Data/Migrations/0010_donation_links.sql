-- Ferry server schema, version 10: donation links (donations without an account or S3 keys) and their resumable uploads.
CREATE TABLE donation_links (
    id {id},
    company_id {bigint} NOT NULL REFERENCES companies (id),
    label TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    policy_version TEXT NOT NULL,
    expires_at {timestamp} NOT NULL,
    max_bytes {bigint} NOT NULL,
    max_donations INTEGER NOT NULL,
    donations INTEGER NOT NULL DEFAULT 0,
    created_by {bigint} NOT NULL,
    created_at {timestamp} NOT NULL,
    revoked_at {timestamp} NULL
);
CREATE INDEX ix_donation_links_company ON donation_links (company_id, id);

CREATE TABLE donation_link_uploads (
    id TEXT PRIMARY KEY,
    company_id {bigint} NOT NULL REFERENCES companies (id),
    link_id {bigint} NOT NULL REFERENCES donation_links (id) ON DELETE CASCADE,
    length {bigint} NOT NULL,
    sha256 TEXT NULL,
    consent_version TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at {timestamp} NOT NULL
);
CREATE INDEX ix_donation_link_uploads_link ON donation_link_uploads (link_id, status);
