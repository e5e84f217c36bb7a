-- Ferry server schema, version 7 (SQLite): account management. Deactivated and deleted users cannot sign in; a
-- user who must change their password may only do that; tokens and sign-ins issued before tokens_valid_after are
-- refused (set by deactivation, role change, password reset and deletion); web sign-ins (cookies and page tokens)
-- issued before web_signed_out_at are refused (set by signing out of the web app).
ALTER TABLE users ADD COLUMN deactivated_at INTEGER NULL;
ALTER TABLE users ADD COLUMN deleted_at INTEGER NULL;
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN tokens_valid_after INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN web_signed_out_at INTEGER NOT NULL DEFAULT 0;
UPDATE users SET tokens_valid_after = password_changed_at, web_signed_out_at = password_changed_at;
