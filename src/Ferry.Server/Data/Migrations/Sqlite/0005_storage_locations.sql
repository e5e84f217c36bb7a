-- Ferry server schema, version 5 (SQLite): storage locations and grants. Existing projects move onto locations:
-- one per distinct (endpoint_url, aws_profile, region), credentials from the server's default chain or the profile,
-- granted to each company that used it for exactly the buckets it used. A bucket of one endpoint that several companies
-- already share keeps working: those grants are marked shared (the system administrator can review them).
CREATE TABLE storage_locations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    endpoint_url TEXT NULL,
    region TEXT NOT NULL,
    addressing_style TEXT NOT NULL,
    credential_source TEXT NOT NULL,
    profile_name TEXT NULL,
    access_key_id TEXT NULL,
    secret_ciphertext TEXT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX ix_storage_locations_name ON storage_locations (name);

CREATE TABLE storage_grants (
    id INTEGER PRIMARY KEY,
    location_id INTEGER NOT NULL REFERENCES storage_locations (id) ON DELETE CASCADE,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    bucket_pattern TEXT NOT NULL,
    shared INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX ix_storage_grants_location_company_pattern ON storage_grants (location_id, company_id, bucket_pattern);
CREATE INDEX ix_storage_grants_company ON storage_grants (company_id);

ALTER TABLE projects ADD COLUMN storage_location_id INTEGER NULL REFERENCES storage_locations (id);
CREATE INDEX ix_projects_storage_location ON projects (storage_location_id, bucket_name);

INSERT INTO storage_locations (name, endpoint_url, region, addressing_style, credential_source, profile_name, created_at, updated_at)
SELECT 'migrated-' || ROW_NUMBER() OVER (ORDER BY e, p, region) || ' ' || COALESCE(NULLIF(e, ''), 'aws') || ' ' || region || CASE WHEN p = '' THEN '' ELSE ' profile ' || p END,
       NULLIF(e, ''), region, CASE WHEN e = '' THEN 'virtual' ELSE 'path' END,
       CASE WHEN p = '' THEN 'default' ELSE 'profile' END, NULLIF(p, ''), first_at, first_at
FROM (SELECT COALESCE(endpoint_url, '') AS e, COALESCE(aws_profile, '') AS p, region, MIN(created_at) AS first_at
      FROM projects GROUP BY COALESCE(endpoint_url, ''), COALESCE(aws_profile, ''), region);

UPDATE projects SET storage_location_id = (
    SELECT l.id FROM storage_locations l
    WHERE COALESCE(l.endpoint_url, '') = COALESCE(projects.endpoint_url, '')
      AND COALESCE(l.profile_name, '') = COALESCE(projects.aws_profile, '')
      AND l.region = projects.region);

INSERT INTO storage_grants (location_id, company_id, bucket_pattern, shared, created_at)
SELECT p.storage_location_id, p.company_id, p.bucket_name,
       MAX(CASE WHEN EXISTS (SELECT 1 FROM projects o WHERE o.bucket_name = p.bucket_name
                         AND COALESCE(o.endpoint_url, '') = COALESCE(p.endpoint_url, '') AND o.company_id <> p.company_id) THEN 1 ELSE 0 END),
       MIN(p.created_at)
FROM projects p
GROUP BY p.storage_location_id, p.company_id, p.bucket_name;
