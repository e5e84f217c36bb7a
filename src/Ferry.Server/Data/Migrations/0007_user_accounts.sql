-- Ferry server schema, version 7: account management. Deactivated and deleted users cannot sign in; a
-- user who must change their password may only do that; tokens and sign-ins issued before tokens_valid_after are
-- refused (set by deactivation, role change, password reset and deletion); web sign-ins (cookies and page tokens)
-- issued before web_signed_out_at are refused (set by signing out of the web app).
ALTER TABLE users ADD COLUMN deactivated_at {timestamp} NULL;
ALTER TABLE users ADD COLUMN deleted_at {timestamp} NULL;
ALTER TABLE users ADD COLUMN must_change_password {bool} NOT NULL DEFAULT {false};
-- tokens_valid_after and web_signed_out_at follow in each provider's own part: SQLite adds them NOT NULL DEFAULT 0;
-- PostgreSQL adds them NULL, fills them, then sets NOT NULL and a default.
