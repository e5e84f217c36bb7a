using System.Data;
using Ferry.Core.Storage;

namespace Ferry.Server.Sessions;

/// <summary>A file to register: the path as the client sent it, its normalized form and key, its size and modification time, what its headers say about its capture (optional), and (optionally) its SHA-256 in lower-case hex.</summary>
internal sealed record FileToRegister(string ClientPath, string Path, string Key, long Size, DateTimeOffset? LastModified, Ferry.Core.Checks.FileCapture? Capture = null, string? Sha256 = null);

/// <summary>
/// What registration decided: <c>pending</c> (upload it), <c>uploaded</c> (already verified in the bucket) or
/// <c>duplicate</c> (not to be uploaded: the project holds the bytes under <see cref="DuplicateOf"/>).
/// </summary>
internal sealed record RegisteredFile(string Path, string Key, string Status, string? ETag, string? Checksum, string? DuplicateOf = null);

/// <summary>What the client says it uploaded: the ETag S3 returned and, optionally, digests it computed of the file.</summary>
internal sealed record UploadReport(string ClientPath, string Path, string? ETag, string? Md5, string? Sha256);

/// <summary>The server's verdict on one reported upload.</summary>
internal sealed record VerifiedFile(string Path, string Status, string? Error, string? ETag);

/// <summary>
/// Registration, presigning and verification of a session's files. Every batch is one transaction with set-based
/// queries (no query per file on the registration path), and session counters move by relative updates.
/// </summary>
internal sealed class SessionFileService(FerryDbContext db, ProjectStores stores, FerryServerOptions options, TimeProvider time, Observability.FerryMetrics metrics, ILogger<SessionFileService> logger)
{
    /// <summary>How many objects are checked in S3 at once while verifying a batch.</summary>
    private const int VerifyConcurrency = 16;

    /// <summary>
    /// Records files in the session. A path registered before keeps its row (idempotent); a new path whose key the
    /// project already holds verified, with the same size (and modification time, where both are known), is
    /// <c>skipped</c> and reported <c>uploaded</c>: resume across sessions and devices.
    /// </summary>
    public Task<IReadOnlyList<RegisteredFile>> RegisterAsync(UploadSession session, IReadOnlyList<FileToRegister> files, CancellationToken cancellationToken) =>
        RegisterAsync(session, files, skipDuplicates: false, cancellationToken);

    /// <summary>As <see cref="RegisterAsync(UploadSession, IReadOnlyList{FileToRegister}, CancellationToken)"/>, with the content index.</summary>
    /// <param name="skipDuplicates">
    /// A file given with a SHA-256 that the project already holds verified under another key (its content index) is
    /// recorded <c>skipped</c> with <see cref="SessionFile.DuplicateOf"/> and reported <c>duplicate</c>; without it, the
    /// file stays pending and only <see cref="SessionFile.DuplicateOf"/> is recorded. A path registered before, still
    /// pending or failed, is looked up again when it comes back with a SHA-256 (the CLI asks so once it has hashed it).
    /// </param>
    public async Task<IReadOnlyList<RegisteredFile>> RegisterAsync(UploadSession session, IReadOnlyList<FileToRegister> files, bool skipDuplicates, CancellationToken cancellationToken)
    {
        using var activity = Observability.FerryActivities.StartSession("ferry.session.register", session.Id)?.SetTag(Observability.FerryActivities.Files, files.Count);
        try
        {
            return await RegisterOnceAsync(session, files, skipDuplicates, cancellationToken);
        }
        catch (System.Data.Common.DbException ex) when (UniqueViolation.Is(ex))
        {
            // A concurrent call registered some of the same paths first: this time they are found, not inserted.
            db.ChangeTracker.Clear();
            return await RegisterOnceAsync(session, files, skipDuplicates, cancellationToken);
        }
    }

    private async Task<IReadOnlyList<RegisteredFile>> RegisterOnceAsync(UploadSession session, IReadOnlyList<FileToRegister> files, bool skipDuplicates, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var paths = files.Select(f => f.Path).ToList();
        var existing = await db.SessionFiles.AsNoTracking().Where(f => f.SessionId == session.Id && paths.Contains(f.Path))
            .Select(f => new { f.Id, f.Path, f.Key, f.Status, f.Size, f.LastModified, f.ETag, f.Checksum, f.DuplicateOf })
            .ToDictionaryAsync(f => f.Path, StringComparer.Ordinal, cancellationToken);
        var newKeys = files.Where(f => !existing.ContainsKey(f.Path)).Select(f => f.Key).ToList();
        var verified = newKeys.Count == 0
            ? []
            : await db.VerifiedObjects.AsNoTracking().Where(v => v.ProjectId == session.ProjectId && newKeys.Contains(v.Key))
                .ToDictionaryAsync(v => v.Key, StringComparer.Ordinal, cancellationToken);
        var copies = await ContentIndexAsync(session.ProjectId, files.Where(f => f.Sha256 is not null).Select(f => Checksum(f.Sha256!)), cancellationToken);

        var delta = new SessionCounterDelta();
        var results = new List<RegisteredFile>(files.Count);
        var added = new List<SessionFile>();
        foreach (var file in files)
        {
            if (existing.TryGetValue(file.Path, out var row))
            {
                if (row.Status is FileStatus.Pending or FileStatus.Failed && (row.Size != file.Size || row.LastModified != file.LastModified))
                {
                    // The file changed since it was registered: its new size is what must arrive.
                    delta.TotalBytes += file.Size - row.Size;
                    var (size, modified) = (file.Size, file.LastModified);
                    await db.SessionFiles.Where(f => f.Id == row.Id).ExecuteUpdateAsync(s => s
                        .SetProperty(f => f.Size, size).SetProperty(f => f.LastModified, modified).SetProperty(f => f.UpdatedAt, now), cancellationToken);
                }

                var rowStatus = row.Status;
                var rowCopy = row.DuplicateOf;
                if (row.Status is FileStatus.Pending or FileStatus.Failed && FindCopy(copies, file) is { } found)
                {
                    // Hashed since it was registered: the project holds these bytes under another key.
                    rowCopy = found;
                    rowStatus = skipDuplicates ? FileStatus.Skipped : row.Status;
                    delta.Move(row.Status, rowStatus, file.Size);
                    await db.SessionFiles.Where(f => f.Id == row.Id).ExecuteUpdateAsync(s => s
                        .SetProperty(f => f.Status, rowStatus).SetProperty(f => f.DuplicateOf, found).SetProperty(f => f.UpdatedAt, now), cancellationToken);
                }

                results.Add(new RegisteredFile(file.ClientPath, row.Key, Reported(rowStatus, rowCopy), row.ETag, row.Checksum, rowCopy));
                continue;
            }

            var status = verified.TryGetValue(file.Key, out var known) && Matches(known, file) ? FileStatus.Skipped : FileStatus.Pending;
            var copy = status == FileStatus.Pending ? FindCopy(copies, file) : null;
            var skipped = status == FileStatus.Skipped;
            if (copy is not null && skipDuplicates)
            {
                status = FileStatus.Skipped;
            }

            added.Add(new SessionFile
            {
                SessionId = session.Id,
                Path = file.Path,
                Key = file.Key,
                Size = file.Size,
                LastModified = file.LastModified,
                Status = status,
                ETag = skipped ? known!.ETag : null,
                Checksum = skipped ? known!.Checksum : null,
                RegisteredAt = now,
                UpdatedAt = now,
                DuplicateOf = copy,
            });
            delta.TotalFiles++;
            delta.TotalBytes += file.Size;
            delta.Move(null, status, file.Size);
            results.Add(new RegisteredFile(file.ClientPath, file.Key, Reported(status, copy), skipped ? known!.ETag : null, skipped ? known!.Checksum : null, copy));
        }

        await SessionFileBulkInsert.InsertAsync(db, added, cancellationToken);
        await Camtrap.CaptureRecords.SaveAsync(db, session.Id, files, cancellationToken);
        await delta.ApplyAsync(db, session.Id, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return results;
    }

    /// <summary>The registered files among <paramref name="paths"/> (normalized), by path; the caller reports the others.</summary>
    public async Task<Dictionary<string, SessionFile>> FindAsync(long sessionId, IReadOnlyCollection<string> paths, CancellationToken cancellationToken) =>
        await db.SessionFiles.AsNoTracking().Where(f => f.SessionId == sessionId && paths.Contains(f.Path))
            .ToDictionaryAsync(f => f.Path, StringComparer.Ordinal, cancellationToken);

    /// <summary>The registered files for client paths, in order, or the reason some cannot be used.</summary>
    public async Task<(List<(string ClientPath, SessionFile File)> Files, string? Problem)> ResolveAsync(long sessionId, IReadOnlyList<string?> clientPaths, CancellationToken cancellationToken)
    {
        var normalized = new List<(string ClientPath, string Path)>(clientPaths.Count);
        foreach (var clientPath in clientPaths)
        {
            var (path, problem) = UploadKeys.NormalizePath(clientPath);
            if (path is null)
            {
                return ([], $"'{UploadKeys.Shorten(clientPath)}': {problem}");
            }

            normalized.Add((clientPath!, path));
        }

        var found = await FindAsync(sessionId, normalized.Select(n => n.Path).Distinct(StringComparer.Ordinal).ToList(), cancellationToken);
        var missing = normalized.Where(n => !found.ContainsKey(n.Path)).Select(n => n.ClientPath).ToList();
        if (missing.Count > 0)
        {
            return ([], $"{missing.Count} path(s) are not registered in session {sessionId}, e.g. '{UploadKeys.Shorten(missing[0])}'; register them with POST /api/sessions/{sessionId}/files first");
        }

        return (normalized.Select(n => (n.ClientPath, found[n.Path])).ToList(), null);
    }

    /// <summary>
    /// One presigned upload per file, in the order given: a PUT URL whose signed Content-Length is the registered size,
    /// or with <paramref name="post"/> a browser form upload whose policy allows exactly the registered size. Each lives
    /// <see cref="FerryServerOptions.PresignLifetime"/>, but never past <paramref name="notAfter"/> (when the caller's
    /// sign-in ends). Counts an attempt for each.
    /// </summary>
    public async Task<IReadOnlyList<PresignedRequest>> PresignAsync(Project project, IReadOnlyList<SessionFile> files, bool post, DateTimeOffset? notAfter, CancellationToken cancellationToken)
    {
        var store = stores.For(project).Presigner;
        var now = time.GetUtcNow();
        var lifetime = PresignLifetime(options.PresignLifetime, now, notAfter);
        var signed = files.Select(f => post ? store.PresignPost(f.Key, f.Size, now, lifetime) : store.PresignPut(f.Key, f.Size, now, lifetime)).ToList();
        await CountAttemptsAsync(files, cancellationToken);
        return signed;
    }

    /// <summary>Counts an upload attempt for each file: a URL signed for it, or its bytes relayed.</summary>
    public async Task CountAttemptsAsync(IReadOnlyList<SessionFile> files, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var ids = files.Select(f => f.Id).ToList();
        await db.SessionFiles.Where(f => ids.Contains(f.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(f => f.Attempts, f => f.Attempts + 1).SetProperty(f => f.UpdatedAt, now), cancellationToken);
    }

    /// <summary>
    /// The lesser of <paramref name="configured"/> and the time left until <paramref name="notAfter"/>, in whole seconds
    /// (as signed); at least 1 second, since the caller's sign-in is still valid now.
    /// </summary>
    internal static TimeSpan PresignLifetime(TimeSpan configured, DateTimeOffset now, DateTimeOffset? notAfter)
    {
        if (notAfter is not { } end || end - now >= configured)
        {
            return configured;
        }

        return TimeSpan.FromSeconds(Math.Max(1, Math.Floor((end - now).TotalSeconds)));
    }

    /// <summary>
    /// Objects of this size and more are always checked with HEAD: they may have been uploaded in parts (S3's smallest
    /// part), and a multipart object is what carries Ferry's SHA-256 metadata, which only HEAD returns. On S3 a
    /// multipart ETag also ends in <c>-N</c>; some S3-compatible servers (s3rver) give it an MD5-like ETag, so the
    /// size decides.
    /// </summary>
    internal const long ListedSizeLimit = 5L * 1024 * 1024;

    /// <summary>
    /// Checks each reported upload in S3 (exists, size as registered, ETag equal to the reported one and to the reported
    /// MD5 when those are MD5s, SHA-256 metadata equal to the reported SHA-256 when both exist) and records the verdict.
    /// Small single-part objects are proven from listing pages of their folder (<see cref="ListingLookup"/>: size and
    /// ETag as a HEAD would give them) and everything else — multipart and large objects, keys the listing did not
    /// reach (or whose listing failed transiently), and every object the listing does not prove — with a HEAD each, so
    /// each failure's reason is HEAD's. An upload the server witnessed itself (<paramref name="witnessed"/>[i], from
    /// <see cref="Witnessed"/>) is not looked up: S3's answer to the server's own PUT is what it is checked against.
    /// </summary>
    public async Task<IReadOnlyList<VerifiedFile>> CompleteAsync(UploadSession session, Project project, IReadOnlyList<(UploadReport Report, SessionFile File)> reports,
        IReadOnlyList<StoredObject?>? witnessed, CancellationToken cancellationToken)
    {
        using var activity = Observability.FerryActivities.StartSession("ferry.session.verify", session.Id)?.SetTag(Observability.FerryActivities.Files, reports.Count);
        var objects = witnessed?.ToArray() ?? new StoredObject?[reports.Count];
        var toLookUp = Enumerable.Range(0, reports.Count).Where(i => objects[i] is null).ToList();
        var (listed, headed, listingFailures) = (0, 0, 0);
        if (toLookUp.Count > 0)
        {
            var lookup = new ListingLookup(stores.For(project).Objects, VerifyConcurrency);
            var found = await lookup.FindAsync(toLookUp.Select(i => reports[i].File.Key).ToList(),
                n => Listable(reports[toLookUp[n]].Report, reports[toLookUp[n]].File),
                (n, entry) => entry.ETagIsMd5 && Check(reports[toLookUp[n]].Report, reports[toLookUp[n]].File, entry) is null,
                cancellationToken);
            (listed, headed, listingFailures) = (lookup.Listed, lookup.Headed, lookup.ListingFailures);
            if (lookup.LastListingFailure is { } reason)
            {
                logger.LogWarning("Session {SessionId}: {Failures} listing(s) for verification failed, so their objects were checked with HEAD instead: {Reason}", session.Id, lookup.ListingFailures, reason);
            }

            for (var n = 0; n < toLookUp.Count; n++)
            {
                objects[toLookUp[n]] = found[n];
            }
        }

        activity?.SetTag("ferry.verify.listed", listed).SetTag("ferry.verify.headed", headed).SetTag("ferry.verify.listing_failures", listingFailures)
            .SetTag("ferry.verify.witnessed", reports.Count - toLookUp.Count);
        return await RecordAsync(session, project, reports, reports.Select((r, i) => Check(r.Report, r.File, objects[i])).ToList(), objects.Select(o => o?.ETag).ToList(), cancellationToken);
    }

    /// <summary>
    /// What S3's answer to the server's own PUT of <paramref name="sentBytes"/> bytes proves (a job's upload: the server
    /// made the request and read the answer itself, as it does for <c>/relay</c>; the caller gives
    /// <paramref name="sentBytes"/> only for a single PUT that sent the report's MD5 as Content-MD5): an answer whose
    /// ETag is an MD5, the MD5 of the bytes S3 stored, equal to the file's MD5 shows that the object at
    /// <paramref name="key"/> holds those bytes, as <c>ferry upload</c> trusts its own PUTs (on AWS, Content-MD5 also
    /// makes S3 refuse bytes spoiled on the way). Null when the answer proves less (no MD5 sent, a multipart ETag, an
    /// ETag that is not the content's MD5 under SSE-KMS): the object is then checked in S3 like any other report. Never
    /// for what a client reports over HTTP: the server did not see that PUT. The object's time is not known (and not
    /// recorded).
    /// </summary>
    internal static StoredObject? Witnessed(UploadReport report, string key, long? sentBytes) =>
        sentBytes is { } size && report.Md5 is { } md5 && report.ETag?.Trim('"') is { } etag && Core.Hashing.ContentHashes.IsMd5Hex(etag) && string.Equals(etag, md5, StringComparison.OrdinalIgnoreCase)
            ? new StoredObject(key, size, etag, default)
            : null;

    /// <summary>
    /// Records the server's verdict on each upload: <paramref name="problems"/>[i] null means the object in S3 is proven
    /// to hold the file (with the ETag <paramref name="etags"/>[i]), else it is why not. The verified ones go into the
    /// project's verified objects and content index; the session's counters move. One transaction.
    /// </summary>
    public async Task<IReadOnlyList<VerifiedFile>> RecordAsync(UploadSession session, Project project, IReadOnlyList<(UploadReport Report, SessionFile File)> reports,
        IReadOnlyList<string?> problems, IReadOnlyList<string?> etags, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var delta = new SessionCounterDelta();
        var results = new List<VerifiedFile>(reports.Count);
        var verdicts = new List<(string? Problem, string? ETag, string? Checksum)>(reports.Count);
        var rows = new List<object?[]>(reports.Count);
        var at = db.Timestamp(now);
        for (var i = 0; i < reports.Count; i++)
        {
            var (report, file) = reports[i];
            var problem = problems[i];
            var checksum = report.Sha256 is { } sha ? Checksum(sha) : report.Md5 is { } md5 ? "md5:" + md5.ToLowerInvariant() : null;
            var etag = etags[i];
            verdicts.Add((problem, etag, checksum));
            rows.Add([file.Id, file.Status.Name(), (problem is null ? FileStatus.Uploaded : FileStatus.Failed).Name(), problem is null ? 1 : 0, etag, checksum, problem, at]);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Every verdict, in order, with one statement run per row, each only if the file still has the status it was
        // read with: a file another request moved meanwhile (or listed twice in the batch) keeps the first verdict.
        var changes = await RowStatements.RunAsync(db, """
            UPDATE session_files SET status = @status,
                etag = CASE WHEN @ok = 1 THEN @etag ELSE etag END,
                checksum = CASE WHEN @ok = 1 THEN @checksum ELSE checksum END,
                last_error = @error,
                uploaded_at = CASE WHEN @ok = 1 THEN @now ELSE uploaded_at END,
                updated_at = @now
            WHERE id = @id AND status = @from
            """,
            [new("id", DbType.Int64), new("from", DbType.String), new("status", DbType.String), new("ok", DbType.Int32), new("etag", DbType.String),
             new("checksum", DbType.String), new("error", DbType.String), new("now", RowStatements.TimestampType(db))],
            rows, cancellationToken);

        // The content index for what this batch reports (a file verified earlier in the batch counts too).
        var copies = await ContentIndexAsync(project.Id, reports.Where(r => r.Report.Sha256 is not null).Select(r => Checksum(r.Report.Sha256!)), cancellationToken);
        var remembered = new List<object?[]>();
        var duplicates = new List<object?[]>();
        for (var i = 0; i < reports.Count; i++)
        {
            var (report, file) = reports[i];
            var (problem, etag, checksum) = verdicts[i];
            if (changes[i] == 0)
            {
                // Another request moved this file meanwhile (or it is listed twice in this batch); its verdict stands.
                var current = await db.SessionFiles.AsNoTracking().Where(f => f.Id == file.Id).Select(f => new { f.Status, f.LastError, f.ETag }).FirstAsync(cancellationToken);
                results.Add(new VerifiedFile(report.ClientPath, Reported(current.Status), current.LastError, current.ETag));
                continue;
            }

            var status = problem is null ? FileStatus.Uploaded : FileStatus.Failed;
            delta.Move(file.Status, status, file.Size);
            if (problem is not null)
            {
                metrics.CountVerificationFailure(problem);
            }
            else
            {
                metrics.CountUploaded();
                var copy = report.Sha256 is { } reported
                    ? FindCopy(copies, new FileToRegister(report.ClientPath, file.Path, file.Key, file.Size, null, Sha256: reported.ToLowerInvariant()))
                    : null;
                if (copy is not null)
                {
                    duplicates.Add([file.Id, copy]);
                }

                remembered.Add([project.Id, file.Key, file.Size, file.LastModified is { } value ? db.Timestamp(value) : null, etag, checksum, session.Id, at]);
                if (checksum is not null)
                {
                    copies.Add((checksum, file.Size, file.Key));
                }
            }

            results.Add(new VerifiedFile(report.ClientPath, status.Name(), problem, problem is null ? etag : null));
        }

        await RowStatements.RunAsync(db, "UPDATE session_files SET duplicate_of = @copy WHERE id = @id",
            [new("id", DbType.Int64), new("copy", DbType.String)], duplicates, cancellationToken);
        await RememberVerifiedAsync(remembered, cancellationToken);
        await delta.ApplyAsync(db, session.Id, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return results;
    }

    /// <summary>Records files a worker could not upload (read errors, retries exhausted) as failed with the reason.</summary>
    public async Task RecordFailuresAsync(long sessionId, IReadOnlyList<(SessionFile File, string Reason)> failures, CancellationToken cancellationToken)
    {
        using var activity = Observability.FerryActivities.StartSession("ferry.session.record_failures", sessionId)?.SetTag(Observability.FerryActivities.Files, failures.Count);
        var now = time.GetUtcNow();
        var delta = new SessionCounterDelta();
        var failed = 0;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var (file, reason) in failures)
        {
            var changed = await db.SessionFiles.Where(f => f.Id == file.Id && f.Status == file.Status).ExecuteUpdateAsync(s => s
                .SetProperty(f => f.Status, FileStatus.Failed)
                .SetProperty(f => f.LastError, reason)
                .SetProperty(f => f.Attempts, f => f.Attempts + 1)
                .SetProperty(f => f.UpdatedAt, now), cancellationToken);
            if (changed > 0)
            {
                delta.Move(file.Status, FileStatus.Failed, file.Size);
                failed++;
            }
        }

        await delta.ApplyAsync(db, sessionId, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        metrics.CountFailed(failed);
    }

    /// <summary>
    /// Whether a listing may prove this upload: a small object (below <see cref="ListedSizeLimit"/>) whose reported ETag,
    /// if any, is a plain MD5 (not a multipart <c>-N</c> ETag). What it then proves is what a HEAD proves of such an
    /// object: a listing returns the same size and ETag, and a single-part object written through a session's presigned
    /// PUT or POST carries no SHA-256 metadata (neither signs any <c>x-amz-meta-*</c>), so HEAD's SHA-256 comparison has
    /// nothing to compare. (A relayed object carries the SHA-256 the server computed from the bytes whose MD5 is its
    /// ETag: for it, a listing skips a comparison that a HEAD would make against a SHA-256 reported later.) The listed ETag must equal the reported MD5 and ETag, exactly as HEAD's must: with SSE-KMS or
    /// SSE-C, where S3's ETag is not the content's MD5, a listing proves no more than HEAD does.
    /// </summary>
    private static bool Listable(UploadReport report, SessionFile file) =>
        file.Size < ListedSizeLimit && (report.ETag is null || Core.Hashing.ContentHashes.IsMd5Hex(report.ETag.Trim('"')));

    /// <summary>Why the object does not prove the upload, or null when it does.</summary>
    internal static string? Check(UploadReport report, SessionFile file, StoredObject? head)
    {
        if (head is null)
        {
            return "the object is not in the bucket";
        }

        if (head.Size != file.Size)
        {
            return $"the object has {head.Size} bytes but the file has {file.Size}";
        }

        if (head.ETagIsMd5 && report.ETag is { } etag && !string.Equals(etag.Trim('"'), head.ETag, StringComparison.OrdinalIgnoreCase))
        {
            return "the object's ETag differs from the one the upload returned (it was replaced or corrupted)";
        }

        if (head.ETagIsMd5 && report.Md5 is { } md5 && !string.Equals(md5, head.ETag, StringComparison.OrdinalIgnoreCase))
        {
            return "the object's MD5 differs from the file's";
        }

        if (head.Sha256 is { } stored && report.Sha256 is { } sha256 && !string.Equals(stored, sha256, StringComparison.OrdinalIgnoreCase))
        {
            return "the object's SHA-256 differs from the file's";
        }

        return null;
    }

    /// <summary>Records verified objects in the project (a key verified again takes the newest verdict); rows as <see cref="RecordAsync"/> builds them.</summary>
    private Task<int[]> RememberVerifiedAsync(IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        var timestamp = RowStatements.TimestampType(db);
        return RowStatements.RunAsync(db, """
            INSERT INTO verified_objects (project_id, key, size, last_modified, etag, checksum, session_id, verified_at)
            VALUES (@project, @key, @size, @modified, @etag, @checksum, @session, @now)
            ON CONFLICT (project_id, key) DO UPDATE SET size = excluded.size, last_modified = excluded.last_modified,
                etag = excluded.etag, checksum = excluded.checksum, session_id = excluded.session_id, verified_at = excluded.verified_at
            """,
            [new("project", DbType.Int64), new("key", DbType.String), new("size", DbType.Int64), new("modified", timestamp), new("etag", DbType.String),
             new("checksum", DbType.String), new("session", DbType.Int64), new("now", timestamp)],
            rows, cancellationToken);
    }

    private static bool Matches(VerifiedObject known, FileToRegister file) =>
        known.Size == file.Size
        && (known.LastModified is not { } stored || file.LastModified is not { } given || (stored - given).Duration() < TimeSpan.FromMilliseconds(1));

    /// <summary>
    /// Registration and verification report a skipped file as uploaded (it is in the bucket, verified), or as
    /// <c>duplicate</c> when it was skipped because the project holds its bytes under another key.
    /// </summary>
    internal static string Reported(FileStatus status, string? duplicateOf = null) =>
        status == FileStatus.Skipped ? duplicateOf is null ? FileStatus.Uploaded.Name() : Duplicate : status.Name();

    /// <summary>The status registration reports for a file not to be uploaded because its bytes are already in the project.</summary>
    public const string Duplicate = "duplicate";

    private static string Checksum(string sha256) => "sha256:" + sha256.ToLowerInvariant();

    /// <summary>
    /// The project's content index for these checksums: (checksum, size, key) of every verified object holding such
    /// bytes, oldest key first. One query per batch; <paramref name="projectId"/> is the caller's session's project and
    /// the tenant filter holds, so another company's keys are never seen.
    /// </summary>
    private async Task<List<(string Checksum, long Size, string Key)>> ContentIndexAsync(long projectId, IEnumerable<string> checksums, CancellationToken cancellationToken)
    {
        var wanted = checksums.Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count == 0)
        {
            return [];
        }

        var rows = await db.VerifiedObjects.AsNoTracking().Where(v => v.ProjectId == projectId && wanted.Contains(v.Checksum!))
            .OrderBy(v => v.Id).Select(v => new { v.Checksum, v.Size, v.Key })
            .ToListAsync(cancellationToken);
        return rows.Select(r => (r.Checksum!, r.Size, r.Key)).ToList();
    }

    /// <summary>The first key of <paramref name="copies"/> with the file's checksum and size, other than its own key.</summary>
    private static string? FindCopy(List<(string Checksum, long Size, string Key)> copies, FileToRegister file)
    {
        if (file.Sha256 is null)
        {
            return null;
        }

        var checksum = Checksum(file.Sha256);
        foreach (var (c, size, key) in copies)
        {
            if (size == file.Size && c == checksum && !string.Equals(key, file.Key, StringComparison.Ordinal))
            {
                return key;
            }
        }

        return null;
    }
}
