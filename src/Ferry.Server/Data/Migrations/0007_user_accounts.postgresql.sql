-- Version 7, PostgreSQL's part: the revocation times, filled before they become NOT NULL.
ALTER TABLE users ADD COLUMN tokens_valid_after TIMESTAMPTZ NULL;
ALTER TABLE users ADD COLUMN web_signed_out_at TIMESTAMPTZ NULL;
UPDATE users SET tokens_valid_after = password_changed_at, web_signed_out_at = password_changed_at;
ALTER TABLE users ALTER COLUMN tokens_valid_after SET NOT NULL;
ALTER TABLE users ALTER COLUMN web_signed_out_at SET NOT NULL;
-- Rows written without them (an operator's own INSERT) were never revoked, as on SQLite.
ALTER TABLE users ALTER COLUMN tokens_valid_after SET DEFAULT '1970-01-01T00:00:00Z';
ALTER TABLE users ALTER COLUMN web_signed_out_at SET DEFAULT '1970-01-01T00:00:00Z';
