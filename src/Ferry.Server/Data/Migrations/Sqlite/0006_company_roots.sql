-- Ferry server schema, version 6 (SQLite): server folders for upload jobs are per company.
CREATE TABLE company_roots (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX ix_company_roots_company_path ON company_roots (company_id, path);

-- Configured roots (Ferry:AllowedRoots) already given to the first company: each is seeded once.
CREATE TABLE seeded_roots (
    path TEXT PRIMARY KEY,
    seeded_at INTEGER NOT NULL
);
