-- Ferry server schema, version 6: server folders for upload jobs are per company.
CREATE TABLE company_roots (
    id {id},
    company_id {bigint} NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    created_at {timestamp} NOT NULL
);
CREATE UNIQUE INDEX ix_company_roots_company_path ON company_roots (company_id, path);

-- Configured roots (Ferry:AllowedRoots) already given to the first company: each is seeded once.
CREATE TABLE seeded_roots (
    path TEXT PRIMARY KEY,
    seeded_at {timestamp} NOT NULL
);
