-- Ferry server schema, version 13: capture metadata per session file, recorded when a file is registered by
-- 'ferry upload --server' or a server job (the browser sends none), so a Camtrap DP export needs no second read of
-- the objects. A company's through its session. Bounded by the API: texts to 200 characters, exif to 40 tags.
CREATE TABLE session_file_captures (
    session_id {bigint} NOT NULL REFERENCES upload_sessions (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    -- the device's wall-clock time, yyyy-MM-ddTHH:mm:ss (no zone: EXIF has none); utc_offset_minutes when the file says it
    captured_at TEXT NULL,
    utc_offset_minutes INTEGER NULL,
    media_type TEXT NULL,
    make TEXT NULL,
    model TEXT NULL,
    serial TEXT NULL,
    -- a JSON object of EXIF tag name to description
    exif TEXT NULL,
    PRIMARY KEY (session_id, path)
);
