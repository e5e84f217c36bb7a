-- Ferry server schema, version 12: duplicates by content. A project's content index is its verified objects
-- by checksum ('sha256:<hex>') and size; a session file whose bytes the project already holds under another key names
-- that key in duplicate_of (skipped with status 'skipped' when the client asked to skip duplicates, else uploaded).
ALTER TABLE session_files ADD COLUMN duplicate_of TEXT NULL;
CREATE INDEX ix_verified_objects_project_content ON verified_objects (project_id, checksum, size);

-- What the client's checks found before the upload (per sensor folder: files, bytes, time span, warnings), as the
-- client sent it when it started the session (JSON, bounded by the API); shown on the session page.
ALTER TABLE upload_sessions ADD COLUMN check_results TEXT NULL;
