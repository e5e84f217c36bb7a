namespace Ferry.Core.Journal;

/// <summary>The journal's tables, created or upgraded when the journal is opened. Version 1.</summary>
internal static class JournalSchema
{
    /// <summary>Adds columns that journals written by earlier builds lack.</summary>
    public static void Upgrade(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        using var columns = connection.CreateCommand();
        columns.CommandText = "SELECT count(*) FROM pragma_table_info('sessions') WHERE name = 'pid'";
        if ((long)columns.ExecuteScalar()! == 0)
        {
            using var alter = connection.CreateCommand();
            alter.CommandText = "ALTER TABLE sessions ADD COLUMN pid INTEGER";
            alter.ExecuteNonQuery();
        }

        // Journals written by earlier builds: the content index without verified_at (replaced by objects_by_content_age).
        using var drop = connection.CreateCommand();
        drop.CommandText = "DROP INDEX IF EXISTS objects_by_content";
        drop.ExecuteNonQuery();
    }

    public const int Version = 1;

    public const string Create = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS schema_info (version INTEGER NOT NULL);

        -- One row per run of a command: what it did, in counts.
        CREATE TABLE IF NOT EXISTS sessions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            command TEXT NOT NULL,
            source TEXT NOT NULL,
            destination TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            outcome TEXT NOT NULL DEFAULT 'running',
            pid INTEGER,
            message TEXT,
            files_total INTEGER NOT NULL DEFAULT 0,
            files_uploaded INTEGER NOT NULL DEFAULT 0,
            files_present INTEGER NOT NULL DEFAULT 0,
            files_skipped INTEGER NOT NULL DEFAULT 0,
            files_failed INTEGER NOT NULL DEFAULT 0,
            files_moved INTEGER NOT NULL DEFAULT 0,
            bytes_total INTEGER NOT NULL DEFAULT 0,
            bytes_uploaded INTEGER NOT NULL DEFAULT 0,
            retries INTEGER NOT NULL DEFAULT 0,
            duration_ms INTEGER NOT NULL DEFAULT 0
        );

        -- One row per file and session: its outcome (uploaded, present, skipped, failed, moved, archived).
        CREATE TABLE IF NOT EXISTS session_files (
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            path TEXT NOT NULL,
            key TEXT,
            size INTEGER,
            sha256 TEXT,
            etag TEXT,
            outcome TEXT NOT NULL,
            reason TEXT,
            at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS session_files_by_session ON session_files (session_id, outcome);

        -- The last verified state of each object Ferry wrote: what a rerun compares with.
        CREATE TABLE IF NOT EXISTS objects (
            destination TEXT NOT NULL,
            key TEXT NOT NULL,
            source_path TEXT NOT NULL,
            size INTEGER NOT NULL,
            mtime_ticks INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            md5 TEXT,
            etag TEXT,
            verified_at TEXT NOT NULL,
            session_id INTEGER,
            PRIMARY KEY (destination, key)
        ) WITHOUT ROWID;
        -- The content index: which keys of a destination hold given bytes (duplicates by content), oldest first.
        -- verified_at (and the primary key's key, which SQLite appends) in the index give the lookup's ORDER BY for free:
        -- without them every lookup sorted all copies, quadratic in a folder of identical (e.g. empty) files.
        CREATE INDEX IF NOT EXISTS objects_by_content_age ON objects (destination, sha256, size, verified_at);

        -- Multipart uploads started and not yet completed: what a rerun resumes.
        CREATE TABLE IF NOT EXISTS multipart_uploads (
            destination TEXT NOT NULL,
            key TEXT NOT NULL,
            upload_id TEXT NOT NULL,
            size INTEGER NOT NULL,
            mtime_ticks INTEGER NOT NULL,
            part_size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            started_at TEXT NOT NULL,
            PRIMARY KEY (destination, key)
        ) WITHOUT ROWID;

        -- The last verified state of each object Ferry downloaded: what a rerun of ferry download compares with.
        CREATE TABLE IF NOT EXISTS downloads (
            source TEXT NOT NULL,
            key TEXT NOT NULL,
            etag TEXT,
            size INTEGER NOT NULL,
            local_path TEXT NOT NULL,
            mtime_ticks INTEGER NOT NULL,
            sha256 TEXT,
            verified_at TEXT NOT NULL,
            PRIMARY KEY (source, key)
        ) WITHOUT ROWID;

        -- Ranged downloads in progress, and the chunks already written to their temporary files.
        CREATE TABLE IF NOT EXISTS partial_downloads (
            source TEXT NOT NULL,
            key TEXT NOT NULL,
            etag TEXT,
            size INTEGER NOT NULL,
            chunk_size INTEGER NOT NULL,
            temporary_path TEXT NOT NULL,
            PRIMARY KEY (source, key)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS partial_download_chunks (
            source TEXT NOT NULL,
            key TEXT NOT NULL,
            chunk INTEGER NOT NULL,
            PRIMARY KEY (source, key, chunk)
        ) WITHOUT ROWID;

        -- Parts sent (and checked) of those uploads, for stores that cannot list parts.
        CREATE TABLE IF NOT EXISTS multipart_parts (
            destination TEXT NOT NULL,
            key TEXT NOT NULL,
            upload_id TEXT NOT NULL,
            part_number INTEGER NOT NULL,
            size INTEGER NOT NULL,
            etag TEXT NOT NULL,
            PRIMARY KEY (destination, key, upload_id, part_number)
        ) WITHOUT ROWID;
        """;
}
