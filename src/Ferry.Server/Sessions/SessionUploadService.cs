using Ferry.Core.Checks;
using Ferry.Server.Camtrap;

namespace Ferry.Server.Sessions;

/// <summary>
/// The file steps of the session protocol for a caller: register, list, presign, complete. Each checks the request
/// (batch limits, paths, digests) and the session (the caller's company's, still active), then hands the batch to
/// <see cref="SessionFileService"/>. The API's endpoints and the job worker's in-process session calls both come here,
/// so a file of a job is checked exactly as one sent over HTTP.
/// </summary>
internal sealed class SessionUploadService(FerryDbContext db, SessionService sessions, SessionFileService files)
{
    /// <summary>Registers up to <see cref="ApiLimits.MaximumRegisterBatch"/> files; all or none (one bad entry refuses the batch).</summary>
    public async Task<(RegisterFilesResponse? Registered, SessionRefusal? Refusal)> RegisterAsync(Caller caller, long id, RegisterFilesRequest request, CancellationToken cancellationToken)
    {
        var (found, refused) = await sessions.LoadActiveAsync(caller, id, cancellationToken);
        if (found is null)
        {
            return (null, refused);
        }

        if (request.Files is not { Count: > 0 and <= ApiLimits.MaximumRegisterBatch } entries)
        {
            return (null, SessionRefusal.Invalid($"give 1 to {ApiLimits.MaximumRegisterBatch:N0} files per call"));
        }

        var batch = new List<FileToRegister>(entries.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var entry in entries)
        {
            var (path, problem) = UploadKeys.NormalizePath(entry?.Path);
            string? key = null;
            if (path is not null)
            {
                (key, problem) = UploadKeys.Build(found.Cycle.S3Prefix, path);
            }

            if (problem is null && entry!.Size is not >= 0)
            {
                problem = "size must be given and not negative";
            }

            FileCapture? capture = null;
            if (problem is null && entry!.Capture is { } sent)
            {
                (capture, problem) = CaptureRecords.Parse(sent.CapturedAt, sent.UtcOffsetMinutes, sent.MediaType, sent.Make, sent.Model, sent.Serial, sent.Exif);
            }

            if (problem is null && entry!.Sha256 is { } sha256 && !UploadKeys.IsSha256Hex(sha256))
            {
                problem = "sha256 must be 64 hexadecimal digits";
            }

            if (problem is null && !seen.Add(path!))
            {
                problem = "the path is listed twice";
            }

            if (problem is not null)
            {
                problems.Add($"'{UploadKeys.Shorten(entry?.Path)}': {problem}");
                continue;
            }

            batch.Add(new FileToRegister(entry!.Path!, path!, key!, entry.Size!.Value, entry.LastModified?.ToUniversalTime(), capture, entry.Sha256?.ToLowerInvariant()));
        }

        if (problems.Count > 0)
        {
            return (null, SessionRefusal.Invalid($"{problems.Count} of {entries.Count} files cannot be registered, nothing was: " + string.Join("; ", problems.Take(5))));
        }

        var registered = await files.RegisterAsync(found.Session, batch, request.SkipDuplicates == true, cancellationToken);
        return (new RegisterFilesResponse(registered.Select(r => new RegisteredFileResponse(r.Path, r.Key, r.Status, r.ETag, r.Checksum, r.DuplicateOf)).ToList()), null);
    }

    /// <summary>The session's files, optionally by status, in pages of up to 5,000 (default 1,000) after the file id <paramref name="after"/>.</summary>
    public async Task<(SessionFilesPage? Page, SessionRefusal? Refusal)> ListFilesAsync(Caller caller, long id, string? status, long? after, int? limit, CancellationToken cancellationToken)
    {
        if (await UploadSessions.LoadAsync(db, caller, id, cancellationToken) is null)
        {
            return (null, SessionRefusal.NotFound($"session {id}"));
        }

        if (status is not null && !StoredNames.IsKnown<FileStatus>(status))
        {
            return (null, SessionRefusal.Invalid("status must be pending, uploaded, skipped or failed"));
        }

        var take = Math.Clamp(limit ?? 1000, 1, 5000);
        var query = db.SessionFiles.AsNoTracking().Where(f => f.SessionId == id && f.Id > (after ?? 0));
        query = status is not null ? query.Where(f => f.Status == StoredNames.Parse<FileStatus>(status)) : query;
        var page = await query.OrderBy(f => f.Id).Take(take)
            .Select(f => new SessionFileResponse(f.Id, f.Path, f.Key, f.Size, f.LastModified, f.Status.Name(), f.ETag, f.Checksum, f.Attempts, f.LastError, f.RegisteredAt, f.UpdatedAt, f.UploadedAt, f.DuplicateOf))
            .ToListAsync(cancellationToken);
        return (new SessionFilesPage(page, page.Count == take ? page[^1].Id : null), null);
    }

    /// <summary>
    /// Presigned uploads for up to <see cref="ApiLimits.MaximumPresignBatch"/> registered paths: PUT (default) or POST
    /// (a browser form upload); none outlives <paramref name="notAfter"/> (the caller's sign-in; null: no sign-in limit).
    /// </summary>
    public async Task<(PresignResponse? Uploads, SessionRefusal? Refusal)> PresignAsync(Caller caller, long id, PresignRequest request, DateTimeOffset? notAfter, CancellationToken cancellationToken)
    {
        var (found, refused) = await sessions.LoadActiveAsync(caller, id, cancellationToken);
        if (found is null)
        {
            return (null, refused);
        }

        if (request.Paths is not { Count: > 0 and <= ApiLimits.MaximumPresignBatch } paths)
        {
            return (null, SessionRefusal.Invalid($"give 1 to {ApiLimits.MaximumPresignBatch:N0} paths per call"));
        }

        var (resolved, problem) = await files.ResolveAsync(id, paths, cancellationToken);
        if (problem is not null)
        {
            return (null, SessionRefusal.Invalid(problem));
        }

        if (request.Method is not (null or "PUT" or "POST"))
        {
            return (null, SessionRefusal.Invalid("method must be PUT (the default) or POST (a browser form upload, sent without a CORS preflight)"));
        }

        var signed = await files.PresignAsync(found.Project, resolved.Select(r => r.File).ToList(), post: request.Method == "POST", notAfter, cancellationToken);
        var uploads = new List<PresignedUpload>(signed.Count);
        for (var i = 0; i < signed.Count; i++)
        {
            var fields = signed[i].Fields?.ToDictionary(f => f.Key, f => f.Value);
            uploads.Add(new PresignedUpload(resolved[i].ClientPath, resolved[i].File.Key, signed[i].Method, signed[i].Url, signed[i].Headers, signed[i].ExpiresAt, fields));
        }

        return (new PresignResponse(uploads), null);
    }

    /// <summary>Reports up to <see cref="ApiLimits.MaximumCompleteBatch"/> uploads; the server checks each object before marking it uploaded.</summary>
    public Task<(CompleteFilesResponse? Verdicts, SessionRefusal? Refusal)> CompleteAsync(Caller caller, long id, CompleteFilesRequest request, CancellationToken cancellationToken) =>
        CheckAndRecordAsync(caller, id, request, sentBytes: null, cancellationToken);

    /// <summary>
    /// Reports uploads the server itself made (its job worker, through <see cref="InProcessSessionApi"/>; no endpoint
    /// calls this), each with the bytes its single PUT with Content-MD5 sent (null: another kind of upload): where S3's
    /// answer proves the upload (<see cref="SessionFileService.Witnessed"/>) it is recorded without looking in S3 again;
    /// the rest are checked as <see cref="CompleteAsync"/> checks them.
    /// </summary>
    public Task<(CompleteFilesResponse? Verdicts, SessionRefusal? Refusal)> CompleteWitnessedAsync(Caller caller, long id, CompleteFilesRequest request, IReadOnlyList<long?> sentBytes, CancellationToken cancellationToken) =>
        request.Files is { } entries && sentBytes.Count != entries.Count
            ? throw new ArgumentException($"{sentBytes.Count} byte counts for {entries.Count} files", nameof(sentBytes))
            : CheckAndRecordAsync(caller, id, request, sentBytes, cancellationToken);

    private async Task<(CompleteFilesResponse? Verdicts, SessionRefusal? Refusal)> CheckAndRecordAsync(Caller caller, long id, CompleteFilesRequest request, IReadOnlyList<long?>? sentBytes, CancellationToken cancellationToken)
    {
        var (found, refused) = await sessions.LoadActiveAsync(caller, id, cancellationToken);
        if (found is null)
        {
            return (null, refused);
        }

        if (request.Files is not { Count: > 0 and <= ApiLimits.MaximumCompleteBatch } entries || entries.Any(e => e is null))
        {
            return (null, SessionRefusal.Invalid($"give 1 to {ApiLimits.MaximumCompleteBatch:N0} files per call"));
        }

        var (resolved, problem) = await files.ResolveAsync(id, entries.Select(e => e.Path).ToList(), cancellationToken);
        if (problem is not null)
        {
            return (null, SessionRefusal.Invalid(problem));
        }

        if (entries.FirstOrDefault(e => (e.Md5 is not null && !Core.Hashing.ContentHashes.IsMd5Hex(e.Md5)) || (e.Sha256 is not null && !UploadKeys.IsSha256Hex(e.Sha256))) is { } bad)
        {
            return (null, SessionRefusal.Invalid($"'{UploadKeys.Shorten(bad.Path)}': md5 must be 32 and sha256 64 hexadecimal digits"));
        }

        var reports = resolved.Select((r, i) => (new UploadReport(r.ClientPath, r.File.Path, entries[i].Etag, entries[i].Md5, entries[i].Sha256), r.File)).ToList();
        var witnessed = sentBytes is null ? null : reports.Select((r, i) => SessionFileService.Witnessed(r.Item1, r.File.Key, sentBytes[i])).ToList();
        var verdicts = await files.CompleteAsync(found.Session, found.Project, reports, witnessed, cancellationToken);
        return (new CompleteFilesResponse(verdicts.Select(v => new CompletedFileResult(v.Path, v.Status, v.Error, v.ETag)).ToList()), null);
    }
}
