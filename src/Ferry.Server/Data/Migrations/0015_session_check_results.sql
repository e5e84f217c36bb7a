-- Ferry server schema, version 15: a session's check results move out of upload_sessions into their own
-- table, so listing sessions (the API, the Sessions page, the progress stream) never reads them; only the session's
-- own page does. Stored at most 256 KiB of JSON per session (the API truncates: Checks/SessionCheckLimits).
CREATE TABLE session_check_results (
    session_id {bigint} NOT NULL PRIMARY KEY REFERENCES upload_sessions (id) ON DELETE CASCADE,
    -- a JSON list of SensorFolderCheck (snake_case)
    results TEXT NOT NULL,
    -- what was left out to keep the results within the cap: whole folders (from the end), warning examples
    omitted_folders INTEGER NOT NULL DEFAULT 0,
    omitted_examples INTEGER NOT NULL DEFAULT 0
);
INSERT INTO session_check_results (session_id, results) SELECT id, check_results FROM upload_sessions WHERE check_results IS NOT NULL;
ALTER TABLE upload_sessions DROP COLUMN check_results;
