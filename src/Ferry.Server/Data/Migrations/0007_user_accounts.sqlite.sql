-- Version 7, SQLite's part: the revocation times, 0 (never) where there is no password change to copy.
ALTER TABLE users ADD COLUMN tokens_valid_after INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN web_signed_out_at INTEGER NOT NULL DEFAULT 0;
UPDATE users SET tokens_valid_after = password_changed_at, web_signed_out_at = password_changed_at;
