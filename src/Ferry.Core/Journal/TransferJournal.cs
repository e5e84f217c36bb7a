using System.Globalization;
using Ferry.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Ferry.Core.Journal;

/// <summary>
/// The durable record of what Ferry did (SQLite, WAL): sessions, per-file outcomes, the last
/// verified state of each object, and multipart uploads in progress. Writes are serialized on one
/// connection; lookups made during planning use a second one, so they never wait on a batch.
/// A crash at any point leaves the last committed state, which is always safe to resume from.
/// </summary>
public sealed class TransferJournal : IDisposable
{
    private readonly SqliteConnection _writer;
    private readonly SqliteConnection _reader;
    private readonly Lock _writeLock = new();
    private SqliteCommand? _findObject;

    /// <summary>
    /// The content index's own connection and prepared lookup: every uploaded file asks it, from many workers, and on the
    /// writing connection each ask waited for the journal writer's batch transaction and parsed its SQL again.
    /// </summary>
    private readonly SqliteConnection _contentReader;
    private readonly Lock _contentLock = new();
    private SqliteCommand? _findByContent;

    private TransferJournal(SqliteConnection writer, SqliteConnection reader, SqliteConnection contentReader)
    {
        _writer = writer;
        _reader = reader;
        _contentReader = contentReader;
    }

    public string Path => _writer.DataSource;

    /// <summary>Opens (creating if needed) the journal at <paramref name="path"/>.</summary>
    public static TransferJournal Open(string path)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString();
        var writer = new SqliteConnection(connectionString);
        writer.Open();
        Execute(writer, "PRAGMA busy_timeout = 30000;");
        Execute(writer, JournalSchema.Create);
        JournalSchema.Upgrade(writer);
        Execute(writer, "PRAGMA synchronous = NORMAL;");
        using (var version = writer.CreateCommand())
        {
            version.CommandText = "SELECT version FROM schema_info LIMIT 1";
            if (version.ExecuteScalar() is null)
            {
                Execute(writer, $"INSERT INTO schema_info (version) VALUES ({JournalSchema.Version})");
            }
        }

        var reader = new SqliteConnection(connectionString);
        reader.Open();
        Execute(reader, "PRAGMA busy_timeout = 30000;");
        var contentReader = new SqliteConnection(connectionString);
        contentReader.Open();
        Execute(contentReader, "PRAGMA busy_timeout = 30000;");
        return new TransferJournal(writer, reader, contentReader);
    }

    // ---------------------------------------------------------------- sessions

    /// <summary>
    /// Records a new session as running. Sessions still marked running whose process is gone (killed,
    /// crashed, power cut) are closed first with outcome <c>killed</c>, so the history stays true.
    /// </summary>
    public long StartSession(string command, string source, string destination, DateTimeOffset startedAt)
    {
        lock (_writeLock)
        {
            CloseDeadSessions();
            using var insert = _writer.CreateCommand();
            insert.CommandText = "INSERT INTO sessions (command, source, destination, started_at, pid) VALUES ($c, $s, $d, $t, $p) RETURNING id";
            insert.Parameters.AddWithValue("$p", Environment.ProcessId);
            insert.Parameters.AddWithValue("$c", command);
            insert.Parameters.AddWithValue("$s", source);
            insert.Parameters.AddWithValue("$d", destination);
            insert.Parameters.AddWithValue("$t", Format(startedAt));
            return (long)insert.ExecuteScalar()!;
        }
    }

    public void FinishSession(long id, string outcome, string? message, SessionCounts counts, DateTimeOffset finishedAt) => Write(
        """
        UPDATE sessions SET finished_at = $f, outcome = $o, message = $m, files_total = $ft, files_uploaded = $fu,
            files_present = $fp, files_skipped = $fs, files_failed = $ff, files_moved = $fm, bytes_total = $bt,
            bytes_uploaded = $bu, retries = $r, duration_ms = $d
        WHERE id = $id
        """,
        ("$id", id), ("$f", Format(finishedAt)), ("$o", outcome), ("$m", message), ("$ft", counts.FilesTotal), ("$fu", counts.FilesUploaded),
        ("$fp", counts.FilesPresent), ("$fs", counts.FilesSkipped), ("$ff", counts.FilesFailed), ("$fm", counts.FilesMoved),
        ("$bt", counts.BytesTotal), ("$bu", counts.BytesUploaded), ("$r", counts.Retries), ("$d", counts.DurationMs));

    private void CloseDeadSessions()
    {
        var dead = new List<long>();
        using (var query = _writer.CreateCommand())
        {
            query.CommandText = "SELECT id, pid FROM sessions WHERE outcome = 'running'";
            using var reader = query.ExecuteReader();
            while (reader.Read())
            {
                if (reader.IsDBNull(1) || !IsAlive(reader.GetInt32(1)))
                {
                    dead.Add(reader.GetInt64(0));
                }
            }
        }

        foreach (var id in dead)
        {
            using var update = _writer.CreateCommand();
            update.CommandText = "UPDATE sessions SET outcome = 'killed', message = 'the process ended without finishing the session; a later run resumed its work' WHERE id = $id";
            update.Parameters.AddWithValue("$id", id);
            update.ExecuteNonQuery();
        }
    }

    private static bool IsAlive(int pid)
    {
        if (pid == Environment.ProcessId)
        {
            return true;
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The newest sessions first.</summary>
    public IReadOnlyList<SessionRecord> ListSessions(int limit)
    {
        lock (_writeLock)
        {
            using var query = _writer.CreateCommand();
            query.CommandText = $"{SessionColumns} ORDER BY id DESC LIMIT $limit";
            query.Parameters.AddWithValue("$limit", limit);
            return ReadSessions(query);
        }
    }

    public SessionRecord? FindSession(long id)
    {
        lock (_writeLock)
        {
            using var query = _writer.CreateCommand();
            query.CommandText = $"{SessionColumns} WHERE id = $id";
            query.Parameters.AddWithValue("$id", id);
            return ReadSessions(query).SingleOrDefault();
        }
    }

    /// <summary>How many per-file records of <paramref name="outcome"/> a session has.</summary>
    public long CountSessionFiles(long sessionId, string outcome)
    {
        using var query = _reader.CreateCommand();
        query.CommandText = "SELECT count(*) FROM session_files WHERE session_id = $id AND outcome = $o";
        query.Parameters.AddWithValue("$id", sessionId);
        query.Parameters.AddWithValue("$o", outcome);
        return (long)query.ExecuteScalar()!;
    }

    /// <summary>The per-file records of a session, optionally of one outcome, in the order they happened.</summary>
    public IEnumerable<SessionFileRecord> ReadSessionFiles(long sessionId, string? outcome)
    {
        using var query = _reader.CreateCommand();
        query.CommandText = "SELECT session_id, path, key, size, sha256, etag, outcome, reason, at FROM session_files WHERE session_id = $id"
            + (outcome is null ? "" : " AND outcome = $o") + " ORDER BY rowid";
        query.Parameters.AddWithValue("$id", sessionId);
        if (outcome is not null)
        {
            query.Parameters.AddWithValue("$o", outcome);
        }

        using var reader = query.ExecuteReader();
        while (reader.Read())
        {
            yield return new SessionFileRecord(
                reader.GetInt64(0), reader.GetString(1), NullableString(reader, 2), reader.IsDBNull(3) ? null : reader.GetInt64(3),
                NullableString(reader, 4), NullableString(reader, 5), reader.GetString(6), NullableString(reader, 7), Parse(reader.GetString(8)));
        }
    }

    // ---------------------------------------------------------------- objects and per-file outcomes

    /// <summary>Writes a batch of verified objects and per-file outcomes in one transaction.</summary>
    public void WriteBatch(IReadOnlyCollection<JournalObject> objects, IReadOnlyCollection<SessionFileRecord> files)
    {
        if (objects.Count == 0 && files.Count == 0)
        {
            return;
        }

        lock (_writeLock)
        {
            using var transaction = _writer.BeginTransaction();
            if (objects.Count > 0)
            {
                using var upsert = _writer.CreateCommand();
                upsert.Transaction = transaction;
                upsert.CommandText = """
                    INSERT INTO objects (destination, key, source_path, size, mtime_ticks, sha256, md5, etag, verified_at, session_id)
                    VALUES ($d, $k, $p, $s, $m, $sha, $md5, $e, $v, $sid)
                    ON CONFLICT (destination, key) DO UPDATE SET source_path = excluded.source_path, size = excluded.size,
                        mtime_ticks = excluded.mtime_ticks, sha256 = excluded.sha256, md5 = excluded.md5, etag = excluded.etag,
                        verified_at = excluded.verified_at, session_id = excluded.session_id
                    """;
                var parameters = AddParameters(upsert, "$d", "$k", "$p", "$s", "$m", "$sha", "$md5", "$e", "$v", "$sid");
                upsert.Prepare();
                foreach (var o in objects)
                {
                    Bind(parameters, o.Destination, o.Key, o.SourcePath, o.Size, o.MtimeTicks, o.Sha256, o.Md5, o.ETag, Format(o.VerifiedAt), null);
                    upsert.ExecuteNonQuery();
                }
            }

            if (files.Count > 0)
            {
                using var insert = _writer.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO session_files (session_id, path, key, size, sha256, etag, outcome, reason, at) VALUES ($i, $p, $k, $s, $sha, $e, $o, $r, $t)";
                var parameters = AddParameters(insert, "$i", "$p", "$k", "$s", "$sha", "$e", "$o", "$r", "$t");
                insert.Prepare();
                foreach (var f in files)
                {
                    Bind(parameters, f.SessionId, f.Path, f.Key, f.Size, f.Sha256, f.ETag, f.Outcome, f.Reason, Format(f.At));
                    insert.ExecuteNonQuery();
                }
            }

            transaction.Commit();
        }
    }

    /// <summary>The last verified upload of <paramref name="key"/> to <paramref name="destination"/>; planning connection.</summary>
    public JournalObject? FindObject(string destination, string key) => FindObjects(destination, [key])[0];

    /// <summary>
    /// The last verified upload of each of <paramref name="keys"/> to <paramref name="destination"/>, in their order;
    /// planning connection. Several are read in one read transaction, begun and ended here: a read outside one takes and
    /// drops SQLite's read lock on its own (two <c>fcntl</c> calls and the work of starting a read per file: a rerun of
    /// 300,000 files took a quarter longer), and a transaction that outlived the call would hold back the WAL's
    /// checkpoint for as long as its caller waits. One caller at a time, as every read of the planning connection.
    /// </summary>
    public JournalObject?[] FindObjects(string destination, IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var found = new JournalObject?[keys.Count];
        if (keys.Count == 0)
        {
            return found;
        }

        _findObject ??= PrepareOn(_reader, "SELECT source_path, size, mtime_ticks, sha256, md5, etag, verified_at FROM objects WHERE destination = $d AND key = $k", "$d", "$k");
        using var snapshot = keys.Count > 1 ? _reader.BeginTransaction(deferred: true) : null;
        _findObject.Transaction = snapshot;
        try
        {
            _findObject.Parameters[0].Value = destination;
            for (var i = 0; i < keys.Count; i++)
            {
                _findObject.Parameters[1].Value = keys[i];
                using var reader = _findObject.ExecuteReader();
                if (reader.Read())
                {
                    found[i] = new JournalObject(destination, keys[i], reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3),
                        NullableString(reader, 4), NullableString(reader, 5), Parse(reader.GetString(6)));
                }
            }
        }
        finally
        {
            _findObject.Transaction = null;
        }

        snapshot?.Commit();
        return found;
    }

    /// <summary>
    /// The content-index lookup. INDEXED BY: without it SQLite's planner picks the primary key (destination = ?) and
    /// reads every object of the destination for every file, which made an upload quadratic in the files journaled.
    /// The index is ordered as the query is (verified_at, key), so it reads at most LIMIT + 1 rows, however many copies.
    /// </summary>
    internal const string ContentLookupSql = "SELECT key, source_path, mtime_ticks, md5, etag, verified_at FROM objects INDEXED BY objects_by_content_age"
        + " WHERE destination = $d AND sha256 = $sha AND size = $s AND key <> $k ORDER BY verified_at, key LIMIT $n";

    /// <summary>
    /// Up to <paramref name="limit"/> verified objects of <paramref name="destination"/> with exactly these bytes (SHA-256
    /// and size), other than <paramref name="exceptKey"/>, oldest first: the journal's content index. Safe from any thread;
    /// sees what the journal has committed.
    /// </summary>
    public IReadOnlyList<JournalObject> FindByContent(string destination, string sha256, long size, string exceptKey, int limit)
    {
        lock (_contentLock)
        {
            _findByContent ??= PrepareOn(_contentReader, ContentLookupSql, "$d", "$sha", "$s", "$k", "$n");
            var parameters = _findByContent.Parameters;
            parameters[0].Value = destination;
            parameters[1].Value = sha256;
            parameters[2].Value = size;
            parameters[3].Value = exceptKey;
            parameters[4].Value = limit;
            using var reader = _findByContent.ExecuteReader();
            var found = new List<JournalObject>();
            while (reader.Read())
            {
                found.Add(new JournalObject(destination, reader.GetString(0), reader.GetString(1), size, reader.GetInt64(2), sha256, NullableString(reader, 3), NullableString(reader, 4), Parse(reader.GetString(5))));
            }

            return found;
        }
    }

    // ---------------------------------------------------------------- multipart uploads

    public JournalMultipartUpload? FindMultipart(string destination, string key) => Read(
        "SELECT upload_id, size, mtime_ticks, part_size, sha256 FROM multipart_uploads WHERE destination = $d AND key = $k",
        r => new JournalMultipartUpload(destination, key, r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetString(4)),
        ("$d", destination), ("$k", key)).FirstOrDefault();

    /// <summary>Records a started multipart upload durably, before any part is sent.</summary>
    public void SaveMultipart(JournalMultipartUpload upload, DateTimeOffset startedAt) => Write(
        """
        INSERT OR REPLACE INTO multipart_uploads (destination, key, upload_id, size, mtime_ticks, part_size, sha256, started_at)
        VALUES ($d, $k, $u, $s, $m, $p, $sha, $t)
        """,
        ("$d", upload.Destination), ("$k", upload.Key), ("$u", upload.UploadId), ("$s", upload.Size), ("$m", upload.MtimeTicks),
        ("$p", upload.PartSize), ("$sha", upload.Sha256), ("$t", Format(startedAt)));

    /// <summary>Records one part as stored, right after the store confirmed it.</summary>
    public void SavePart(string destination, string key, string uploadId, StoredPart part) => Write(
        "INSERT OR REPLACE INTO multipart_parts (destination, key, upload_id, part_number, size, etag) VALUES ($d, $k, $u, $n, $s, $e)",
        ("$d", destination), ("$k", key), ("$u", uploadId), ("$n", part.PartNumber), ("$s", part.Size), ("$e", part.ETag));

    /// <summary>The parts recorded for an upload.</summary>
    public IReadOnlyList<StoredPart> FindParts(string destination, string key, string uploadId) => Read(
        "SELECT part_number, size, etag FROM multipart_parts WHERE destination = $d AND key = $k AND upload_id = $u ORDER BY part_number",
        r => new StoredPart(r.GetInt32(0), r.GetInt64(1), r.GetString(2)),
        ("$d", destination), ("$k", key), ("$u", uploadId));

    /// <summary>Forgets an upload and its parts (completed or discarded).</summary>
    public void DeleteMultipart(string destination, string key) => Write(
        "DELETE FROM multipart_parts WHERE destination = $d AND key = $k; DELETE FROM multipart_uploads WHERE destination = $d AND key = $k",
        ("$d", destination), ("$k", key));

    // ---------------------------------------------------------------- downloads

    public JournalDownload? FindDownload(string source, string key) => Read(
        "SELECT etag, size, local_path, mtime_ticks, sha256, verified_at FROM downloads WHERE source = $s AND key = $k",
        r => new JournalDownload(source, key, NullableString(r, 0), r.GetInt64(1), r.GetString(2), r.GetInt64(3), NullableString(r, 4), Parse(r.GetString(5))),
        ("$s", source), ("$k", key)).FirstOrDefault();

    /// <summary>Records verified downloads in one transaction (one prepared statement for the batch).</summary>
    public void SaveDownloads(IReadOnlyCollection<JournalDownload> downloads)
    {
        if (downloads.Count == 0)
        {
            return;
        }

        lock (_writeLock)
        {
            using var transaction = _writer.BeginTransaction();
            using var upsert = _writer.CreateCommand();
            upsert.Transaction = transaction;
            upsert.CommandText = """
                INSERT OR REPLACE INTO downloads (source, key, etag, size, local_path, mtime_ticks, sha256, verified_at)
                VALUES ($s, $k, $e, $z, $p, $m, $h, $v)
                """;
            var parameters = AddParameters(upsert, "$s", "$k", "$e", "$z", "$p", "$m", "$h", "$v");
            upsert.Prepare();
            foreach (var d in downloads)
            {
                Bind(parameters, d.Source, d.Key, d.ETag, d.Size, d.LocalPath, d.MtimeTicks, d.Sha256, Format(d.VerifiedAt));
                upsert.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    public JournalPartialDownload? FindPartialDownload(string source, string key) => Read(
        "SELECT etag, size, chunk_size, temporary_path FROM partial_downloads WHERE source = $s AND key = $k",
        r => new JournalPartialDownload(source, key, NullableString(r, 0), r.GetInt64(1), r.GetInt64(2), r.GetString(3)),
        ("$s", source), ("$k", key)).FirstOrDefault();

    /// <summary>Records a ranged download as started (forgetting any chunks of an earlier one).</summary>
    public void SavePartialDownload(JournalPartialDownload partial)
    {
        lock (_writeLock)
        {
            using var transaction = _writer.BeginTransaction();
            using var delete = _writer.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM partial_download_chunks WHERE source = $s AND key = $k";
            delete.Parameters.AddWithValue("$s", partial.Source);
            delete.Parameters.AddWithValue("$k", partial.Key);
            delete.ExecuteNonQuery();
            using var upsert = _writer.CreateCommand();
            upsert.Transaction = transaction;
            upsert.CommandText = "INSERT OR REPLACE INTO partial_downloads (source, key, etag, size, chunk_size, temporary_path) VALUES ($s, $k, $e, $z, $c, $p)";
            upsert.Parameters.AddWithValue("$s", partial.Source);
            upsert.Parameters.AddWithValue("$k", partial.Key);
            upsert.Parameters.AddWithValue("$e", (object?)partial.ETag ?? DBNull.Value);
            upsert.Parameters.AddWithValue("$z", partial.Size);
            upsert.Parameters.AddWithValue("$c", partial.ChunkSize);
            upsert.Parameters.AddWithValue("$p", partial.TemporaryPath);
            upsert.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    /// <summary>Records one chunk as written and flushed to the temporary file.</summary>
    public void SaveDownloadedChunk(string source, string key, long chunk) => Write(
        "INSERT OR IGNORE INTO partial_download_chunks (source, key, chunk) VALUES ($s, $k, $c)",
        ("$s", source), ("$k", key), ("$c", chunk));

    public IReadOnlySet<long> FindDownloadedChunks(string source, string key) => Read(
        "SELECT chunk FROM partial_download_chunks WHERE source = $s AND key = $k",
        r => r.GetInt64(0),
        ("$s", source), ("$k", key)).ToHashSet();

    public void DeletePartialDownload(string source, string key) => Write(
        "DELETE FROM partial_download_chunks WHERE source = $s AND key = $k; DELETE FROM partial_downloads WHERE source = $s AND key = $k",
        ("$s", source), ("$k", key));

    // ---------------------------------------------------------------- erasure

    /// <summary>The text columns of each table that may name a donor (keys, paths, destinations, messages).</summary>
    private static readonly (string Table, string[] Columns)[] TextColumns =
    [
        ("session_files", ["path", "key", "reason"]),
        ("sessions", ["source", "destination", "message"]),
        ("objects", ["destination", "key", "source_path"]),
        ("multipart_parts", ["destination", "key"]),
        ("multipart_uploads", ["destination", "key"]),
        ("downloads", ["source", "key", "local_path"]),
        ("partial_download_chunks", ["source", "key"]),
        ("partial_downloads", ["source", "key", "temporary_path"]),
    ];

    /// <summary>Multipart uploads in progress whose destination or key contains <paramref name="text"/> (to abort before <see cref="Forget"/>).</summary>
    public IReadOnlyList<JournalMultipartUpload> FindMultipartContaining(string text) => Read(
        "SELECT destination, key, upload_id, size, mtime_ticks, part_size, sha256 FROM multipart_uploads WHERE instr(destination, $t) > 0 OR instr(key, $t) > 0",
        r => new JournalMultipartUpload(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetString(6)),
        ("$t", text));

    /// <summary>
    /// Deletes every row in which <paramref name="text"/> appears in any text column (a session's file rows go with the
    /// session), with <c>secure_delete</c> on, then rebuilds the file (<c>VACUUM</c>) and empties the write-ahead log
    /// (<c>wal_checkpoint(TRUNCATE)</c>) so no freed page or logged frame keeps the text. Returns the rows deleted per table.
    /// </summary>
    public IReadOnlyDictionary<string, int> Forget(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        lock (_writeLock)
        {
            var deleted = new Dictionary<string, int>(StringComparer.Ordinal);
            Execute(_writer, "PRAGMA secure_delete = ON;");
            using (var transaction = _writer.BeginTransaction())
            {
                using (var files = _writer.CreateCommand())
                {
                    files.Transaction = transaction;
                    files.CommandText = "DELETE FROM session_files WHERE session_id IN (SELECT id FROM sessions WHERE instr(source, $t) > 0 OR instr(destination, $t) > 0 OR instr(message, $t) > 0)";
                    files.Parameters.AddWithValue("$t", text);
                    deleted["session_files"] = files.ExecuteNonQuery();
                }

                foreach (var (table, columns) in TextColumns)
                {
                    using var delete = _writer.CreateCommand();
                    delete.Transaction = transaction;
                    delete.CommandText = $"DELETE FROM {table} WHERE {string.Join(" OR ", columns.Select(c => $"instr({c}, $t) > 0"))}";
                    delete.Parameters.AddWithValue("$t", text);
                    deleted[table] = deleted.GetValueOrDefault(table) + delete.ExecuteNonQuery();
                }

                transaction.Commit();
            }

            Execute(_writer, "PRAGMA wal_checkpoint(TRUNCATE);");
            Execute(_writer, "VACUUM;");
            Execute(_writer, "PRAGMA wal_checkpoint(TRUNCATE);");
            return deleted;
        }
    }

    public void Dispose()
    {
        _findObject?.Dispose();
        _findByContent?.Dispose();
        _contentReader.Dispose();
        _reader.Dispose();
        _writer.Dispose();
    }

    // ---------------------------------------------------------------- helpers

    private const string SessionColumns = """
        SELECT id, command, source, destination, started_at, finished_at, outcome, message, files_total, files_uploaded,
            files_present, files_skipped, files_failed, files_moved, bytes_total, bytes_uploaded, retries, duration_ms FROM sessions
        """;

    private static List<SessionRecord> ReadSessions(SqliteCommand query)
    {
        var sessions = new List<SessionRecord>();
        using var reader = query.ExecuteReader();
        while (reader.Read())
        {
            var counts = new SessionCounts(reader.GetInt64(8), reader.GetInt64(9), reader.GetInt64(10), reader.GetInt64(11),
                reader.GetInt64(12), reader.GetInt64(13), reader.GetInt64(14), reader.GetInt64(15), reader.GetInt64(16), reader.GetInt64(17));
            sessions.Add(new SessionRecord(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                Parse(reader.GetString(4)), reader.IsDBNull(5) ? null : Parse(reader.GetString(5)), reader.GetString(6), NullableString(reader, 7), counts));
        }

        return sessions;
    }

    private static SqliteCommand PrepareOn(SqliteConnection connection, string sql, params string[] names)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        AddParameters(command, names);
        command.Prepare();
        return command;
    }

    private static SqliteParameter[] AddParameters(SqliteCommand command, params string[] names) =>
        names.Select(n => command.Parameters.Add(new SqliteParameter(n, DBNull.Value))).ToArray();

    private static void Bind(SqliteParameter[] parameters, params object?[] values)
    {
        for (var i = 0; i < parameters.Length; i++)
        {
            parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }

    /// <summary>Runs one statement on the writing connection, under the write lock.</summary>
    private void Write(string sql, params (string Name, object? Value)[] parameters)
    {
        lock (_writeLock)
        {
            using var command = _writer.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }

            command.ExecuteNonQuery();
        }
    }

    /// <summary>Runs one query on the writing connection, under the write lock (so it sees every write before it); one <paramref name="row"/> per result row.</summary>
    private List<T> Read<T>(string sql, Func<SqliteDataReader, T> row, params (string Name, object? Value)[] parameters)
    {
        lock (_writeLock)
        {
            using var command = _writer.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }

            using var reader = command.ExecuteReader();
            var rows = new List<T>();
            while (reader.Read())
            {
                rows.Add(row(reader));
            }

            return rows;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
