-- Ferry server schema, version 4: data donations, the consent ledger, erasures, scheduled maintenance.
CREATE TABLE consent_records (
    id {id},
    company_id {bigint} NOT NULL REFERENCES companies (id),
    donor TEXT NOT NULL,
    decision TEXT NOT NULL,
    at {timestamp} NOT NULL,
    policy_version TEXT NOT NULL,
    policy_hash TEXT NOT NULL,
    scope TEXT NOT NULL
);
CREATE INDEX ix_consent_records_donor ON consent_records (company_id, donor, id);

CREATE TABLE donations (
    id {id},
    company_id {bigint} NOT NULL REFERENCES companies (id),
    donor TEXT NOT NULL,
    status TEXT NOT NULL,
    files INTEGER NOT NULL DEFAULT 0,
    records {bigint} NOT NULL DEFAULT 0,
    malformed {bigint} NOT NULL DEFAULT 0,
    bytes {bigint} NOT NULL DEFAULT 0,
    location TEXT NULL,
    message TEXT NULL,
    created_at {timestamp} NOT NULL,
    finished_at {timestamp} NULL
);
CREATE INDEX ix_donations_company ON donations (company_id, created_at);
CREATE INDEX ix_donations_donor ON donations (company_id, donor);

CREATE TABLE donated_records (
    id {id},
    company_id {bigint} NOT NULL REFERENCES companies (id),
    donation_id {bigint} NOT NULL REFERENCES donations (id) ON DELETE CASCADE,
    donor TEXT NOT NULL,
    recorded_at {timestamp} NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX ix_donated_records_time ON donated_records (company_id, recorded_at, id);
CREATE INDEX ix_donated_records_donor ON donated_records (company_id, donor);
CREATE INDEX ix_donated_records_donation ON donated_records (donation_id);

CREATE TABLE erasures (
    id {id},
    company_id {bigint} NOT NULL REFERENCES companies (id),
    erasure_id TEXT NOT NULL,
    at {timestamp} NOT NULL,
    objects_deleted INTEGER NOT NULL,
    rows_deleted {bigint} NOT NULL
);

CREATE TABLE maintenance_runs (
    id {id},
    task TEXT NOT NULL,
    company_id {bigint} NULL,
    started_at {timestamp} NOT NULL,
    finished_at {timestamp} NOT NULL,
    outcome TEXT NOT NULL,
    message TEXT NULL
);
CREATE INDEX ix_maintenance_runs_task ON maintenance_runs (task, id);
