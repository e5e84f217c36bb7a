using Ferry.Core.Storage;

namespace Ferry.Server.Sessions;

/// <summary>
/// Multipart uploads of a session's large files, in the steps Uppy's AWS S3 plugin takes: create, sign parts, list
/// parts, complete, abort. The server starts and completes the upload with its own credentials; only upload ids it
/// started for this session (of the caller's company, still active) can be signed, listed, completed or aborted.
/// After completing, the client reports the file with the session's complete step as usual.
/// </summary>
internal sealed class SessionMultipartService(FerryDbContext db, SessionService sessions, SessionFileService files, ProjectStores stores, FerryServerOptions options, TimeProvider time)
{
    /// <summary>Starts a multipart upload for a registered file; <see cref="CreateMultipartRequest.Sha256"/> is stored as the object's x-amz-meta-sha256.</summary>
    public async Task<(MultipartResponse? Upload, SessionRefusal? Refusal)> CreateAsync(Caller caller, long id, CreateMultipartRequest request, CancellationToken cancellationToken)
    {
        var (found, refused) = await sessions.LoadActiveAsync(caller, id, cancellationToken);
        if (found is null)
        {
            return (null, refused);
        }

        var (resolved, problem) = await files.ResolveAsync(id, [request.Path], cancellationToken);
        if (problem is not null)
        {
            return (null, SessionRefusal.Invalid(problem));
        }

        if (request.Sha256 is { } sha && !UploadKeys.IsSha256Hex(sha))
        {
            return (null, SessionRefusal.Invalid("sha256 must be 64 hexadecimal digits"));
        }

        var file = resolved[0].File;
        var uploadId = await stores.For(found.Project).Multipart.StartMultipartAsync(file.Key, new ObjectWriteOptions(request.Sha256?.ToLowerInvariant()), cancellationToken);
        db.MultipartUploads.Add(new SessionMultipartUpload { SessionId = id, FileId = file.Id, UploadId = uploadId, Key = file.Key, CreatedAt = time.GetUtcNow() });
        await db.SaveChangesAsync(cancellationToken);
        return (new MultipartResponse(uploadId, file.Key), null);
    }

    /// <summary>Presigned PUT URLs for part numbers 1–10,000 (up to <see cref="ApiLimits.MaximumPartsPerSigning"/> per call).</summary>
    public async Task<(SignPartsResponse? Parts, SessionRefusal? Refusal)> SignPartsAsync(Caller caller, long id, string uploadId, SignPartsRequest request, CancellationToken cancellationToken)
    {
        if (await FindAsync(caller, id, uploadId, cancellationToken) is not { } found)
        {
            return (null, NotFound(id, uploadId));
        }

        if (request.PartNumbers is not { Count: > 0 and <= ApiLimits.MaximumPartsPerSigning } numbers || numbers.Any(n => n is < 1 or > 10_000))
        {
            return (null, SessionRefusal.Invalid($"give 1 to {ApiLimits.MaximumPartsPerSigning:N0} part numbers, each from 1 to 10,000"));
        }

        var presigner = stores.For(found.Project).Presigner;
        var now = time.GetUtcNow();
        var parts = numbers.Distinct().Select(n =>
        {
            var signed = presigner.PresignUploadPart(found.Upload.Key, uploadId, n, now, options.PresignLifetime);
            return new SignedPart(n, signed.Method, signed.Url, signed.Headers, signed.ExpiresAt);
        }).ToList();
        return (new SignPartsResponse(parts), null);
    }

    /// <summary>The parts S3 holds; refused as unsupported where the storage server cannot list parts.</summary>
    public async Task<(ListPartsResponse? Parts, SessionRefusal? Refusal)> ListPartsAsync(Caller caller, long id, string uploadId, CancellationToken cancellationToken)
    {
        if (await FindAsync(caller, id, uploadId, cancellationToken) is not { } found)
        {
            return (null, NotFound(id, uploadId));
        }

        try
        {
            var parts = new List<PartResponse>();
            await foreach (var part in stores.For(found.Project).Multipart.ListPartsAsync(found.Upload.Key, uploadId, cancellationToken))
            {
                parts.Add(new PartResponse(part.PartNumber, part.Size, part.ETag));
            }

            return (new ListPartsResponse(parts), null);
        }
        catch (StoreException ex) when (ex.Kind == StoreErrorKind.NotSupported)
        {
            return (null, SessionRefusal.Unsupported("the storage server cannot list the parts of an upload; send every part again"));
        }
    }

    /// <summary>Joins the parts into the object and forgets the upload.</summary>
    public async Task<(CompleteMultipartResponse? Completed, SessionRefusal? Refusal)> CompleteAsync(Caller caller, long id, string uploadId, CompleteMultipartRequest request, CancellationToken cancellationToken)
    {
        if (await FindAsync(caller, id, uploadId, cancellationToken) is not { } found)
        {
            return (null, NotFound(id, uploadId));
        }

        if (request.Parts is not { Count: > 0 and <= ApiLimits.MaximumPartsPerCompletion } parts || parts.Any(p => p is null || p.PartNumber is < 1 or > 10_000 || string.IsNullOrEmpty(p.Etag))
            || parts.Select(p => p.PartNumber).Distinct().Count() != parts.Count)
        {
            return (null, SessionRefusal.Invalid("give the parts as [{part_number, etag}], part numbers distinct from 1 to 10,000"));
        }

        var stored = await stores.For(found.Project).Multipart.CompleteMultipartAsync(found.Upload.Key, uploadId, parts.Select(p => new StoredPart(p.PartNumber, 0, p.Etag!.Trim('"'))).ToList(), cancellationToken);
        await db.MultipartUploads.Where(m => m.Id == found.Upload.Id).ExecuteDeleteAsync(cancellationToken);
        return (new CompleteMultipartResponse(found.Upload.Key, stored.ETag), null);
    }

    /// <summary>Abandons the upload and its parts (where the storage server cannot abort, its lifecycle rule removes them).</summary>
    public async Task<SessionRefusal?> AbortAsync(Caller caller, long id, string uploadId, CancellationToken cancellationToken)
    {
        if (await FindAsync(caller, id, uploadId, cancellationToken) is not { } found)
        {
            return NotFound(id, uploadId);
        }

        try
        {
            await stores.For(found.Project).Multipart.AbortMultipartAsync(found.Upload.Key, uploadId, cancellationToken);
        }
        catch (StoreException ex) when (ex.Kind == StoreErrorKind.NotSupported)
        {
            // The storage server keeps the parts until its lifecycle rule removes them (ferry s3 lifecycle).
        }

        await db.MultipartUploads.Where(m => m.Id == found.Upload.Id).ExecuteDeleteAsync(cancellationToken);
        return null;
    }

    private static SessionRefusal NotFound(long sessionId, string uploadId) => SessionRefusal.NotFound($"multipart upload {uploadId} of session {sessionId}");

    private async Task<(SessionMultipartUpload Upload, Project Project)?> FindAsync(Caller caller, long sessionId, string uploadId, CancellationToken cancellationToken)
    {
        var row = await db.MultipartUploads.AsNoTracking().Where(m => m.SessionId == sessionId && m.UploadId == uploadId)
            .Join(db.Sessions.Where(s => s.CompanyId == caller.CompanyId && s.Status == SessionStatus.Active), m => m.SessionId, s => s.Id, (m, s) => new { m, s.ProjectId })
            .Join(db.Projects, x => x.ProjectId, p => p.Id, (x, p) => new { x.m, p })
            .FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : (row.m, row.p);
    }
}
