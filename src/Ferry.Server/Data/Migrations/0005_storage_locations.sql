-- Ferry server schema, version 5: storage locations and grants. Existing projects move onto locations:
-- one per distinct (endpoint_url, aws_profile, region), credentials from the server's default chain or the profile,
-- granted to each company that used it for exactly the buckets it used. A bucket of one endpoint that several companies
-- already share keeps working: those grants are marked shared (the system administrator can review them).
CREATE TABLE storage_locations (
    id {id},
    name TEXT NOT NULL,
    endpoint_url TEXT NULL,
    region TEXT NOT NULL,
    addressing_style TEXT NOT NULL,
    credential_source TEXT NOT NULL,
    profile_name TEXT NULL,
    access_key_id TEXT NULL,
    secret_ciphertext TEXT NULL,
    created_at {timestamp} NOT NULL,
    updated_at {timestamp} NOT NULL
);
CREATE UNIQUE INDEX ix_storage_locations_name ON storage_locations (name);

CREATE TABLE storage_grants (
    id {id},
    location_id {bigint} NOT NULL REFERENCES storage_locations (id) ON DELETE CASCADE,
    company_id {bigint} NOT NULL REFERENCES companies (id),
    bucket_pattern TEXT NOT NULL,
    shared {bool} NOT NULL DEFAULT {false},
    created_at {timestamp} NOT NULL
);
CREATE UNIQUE INDEX ix_storage_grants_location_company_pattern ON storage_grants (location_id, company_id, bucket_pattern);
CREATE INDEX ix_storage_grants_company ON storage_grants (company_id);

ALTER TABLE projects ADD COLUMN storage_location_id {bigint} NULL REFERENCES storage_locations (id);
CREATE INDEX ix_projects_storage_location ON projects (storage_location_id, bucket_name);

-- Moving the projects onto locations and grants follows in each provider's own part (0005_storage_locations.sqlite.sql,
-- 0005_storage_locations.postgresql.sql): PostgreSQL aggregates with BOOL_OR and names the derived table.
