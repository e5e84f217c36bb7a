-- Ferry server schema, version 7 (PostgreSQL): account management. Deactivated and deleted users cannot sign in; a
-- user who must change their password may only do that; tokens and sign-ins issued before tokens_valid_after are
-- refused (set by deactivation, role change, password reset and deletion); web sign-ins (cookies and page tokens)
-- issued before web_signed_out_at are refused (set by signing out of the web app).
ALTER TABLE users ADD COLUMN deactivated_at TIMESTAMPTZ NULL;
ALTER TABLE users ADD COLUMN deleted_at TIMESTAMPTZ NULL;
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN tokens_valid_after TIMESTAMPTZ NULL;
ALTER TABLE users ADD COLUMN web_signed_out_at TIMESTAMPTZ NULL;
UPDATE users SET tokens_valid_after = password_changed_at, web_signed_out_at = password_changed_at;
ALTER TABLE users ALTER COLUMN tokens_valid_after SET NOT NULL;
ALTER TABLE users ALTER COLUMN web_signed_out_at SET NOT NULL;
-- Rows written without them (an operator's own INSERT) were never revoked, as on SQLite.
ALTER TABLE users ALTER COLUMN tokens_valid_after SET DEFAULT '1970-01-01T00:00:00Z';
ALTER TABLE users ALTER COLUMN web_signed_out_at SET DEFAULT '1970-01-01T00:00:00Z';
