using Ferry.Core.Storage;
using Ferry.Server.Sessions;

namespace Ferry.Server.Api;

/// <summary>
/// Multipart uploads of a session's large files, in the steps Uppy's AWS S3 plugin takes: create, sign parts, list
/// parts, complete, abort. The server starts and completes the upload with its own credentials; only upload ids it
/// started for this session can be signed or completed. After completing, report the file with /complete as usual.
/// </summary>
internal static class MultipartEndpoints
{
    public const int MaximumPartsPerSigning = ApiLimits.MaximumPartsPerSigning;
    public const int MaximumPartsPerCompletion = ApiLimits.MaximumPartsPerCompletion;

    public static RouteGroupBuilder MapMultipartEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/sessions/{id:long}/multipart").WithTags("Multipart uploads").RequireAuthorization(AuthorizationPolicies.Upload);
        group.MapPost("/", CreateAsync).WithSummary("Starts a multipart upload for a registered file; sha256 (optional) is stored as the object's x-amz-meta-sha256.");
        group.MapPost("/{uploadId}/parts", SignPartsAsync).WithBodyLimit(RequestBodyLimits.ForList(MaximumPartsPerSigning, 16)).WithSummary("Presigned PUT URLs for part numbers 1–10,000 (up to 1,000 per call).");
        group.MapGet("/{uploadId}", ListPartsAsync).WithSummary("The parts S3 holds (501 where the storage server cannot list parts).");
        group.MapPost("/{uploadId}/complete", CompleteAsync).WithBodyLimit(RequestBodyLimits.ForList(MaximumPartsPerCompletion, 256)).WithSummary("Joins the parts into the object.");
        group.MapDelete("/{uploadId}", AbortAsync).WithSummary("Abandons the upload and its parts.");
        return group;
    }

    private static async Task<Results<Ok<MultipartResponse>, ProblemHttpResult>> CreateAsync(long id, CreateMultipartRequest request, Caller caller, FerryDbContext db,
        SessionFileService files, ProjectStores stores, TimeProvider time, CancellationToken cancellationToken)
    {
        var (found, refused) = await SessionEndpoints.LoadActiveAsync(db, caller, id, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var (resolved, problem) = await SessionEndpoints.ResolveAsync(files, id, [request.Path], cancellationToken);
        if (problem is not null)
        {
            return ApiProblems.BadRequest(problem);
        }

        if (request.Sha256 is { } sha && (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit)))
        {
            return ApiProblems.BadRequest("sha256 must be 64 hexadecimal digits");
        }

        var file = resolved[0].File;
        var uploadId = await stores.For(found.Project).Multipart.StartMultipartAsync(file.Key, new ObjectWriteOptions(request.Sha256?.ToLowerInvariant()), cancellationToken);
        db.MultipartUploads.Add(new SessionMultipartUpload { SessionId = id, FileId = file.Id, UploadId = uploadId, Key = file.Key, CreatedAt = time.GetUtcNow() });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new MultipartResponse(uploadId, file.Key));
    }

    private static async Task<Results<Ok<SignPartsResponse>, ProblemHttpResult>> SignPartsAsync(long id, string uploadId, SignPartsRequest request, Caller caller, FerryDbContext db,
        ProjectStores stores, FerryServerOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, caller, id, uploadId, cancellationToken) is not { } found)
        {
            return ApiProblems.NotFound($"multipart upload {uploadId} of session {id}");
        }

        if (request.PartNumbers is not { Count: > 0 and <= MaximumPartsPerSigning } numbers || numbers.Any(n => n is < 1 or > 10_000))
        {
            return ApiProblems.BadRequest($"give 1 to {MaximumPartsPerSigning:N0} part numbers, each from 1 to 10,000");
        }

        var presigner = stores.For(found.Project).Presigner;
        var now = time.GetUtcNow();
        var parts = numbers.Distinct().Select(n =>
        {
            var signed = presigner.PresignUploadPart(found.Upload.Key, uploadId, n, now, options.PresignLifetime);
            return new SignedPart(n, signed.Method, signed.Url, signed.Headers, signed.ExpiresAt);
        }).ToList();
        return TypedResults.Ok(new SignPartsResponse(parts));
    }

    private static async Task<Results<Ok<ListPartsResponse>, ProblemHttpResult>> ListPartsAsync(long id, string uploadId, Caller caller, FerryDbContext db, ProjectStores stores, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, caller, id, uploadId, cancellationToken) is not { } found)
        {
            return ApiProblems.NotFound($"multipart upload {uploadId} of session {id}");
        }

        try
        {
            var parts = new List<PartResponse>();
            await foreach (var part in stores.For(found.Project).Multipart.ListPartsAsync(found.Upload.Key, uploadId, cancellationToken))
            {
                parts.Add(new PartResponse(part.PartNumber, part.Size, part.ETag));
            }

            return TypedResults.Ok(new ListPartsResponse(parts));
        }
        catch (StoreException ex) when (ex.Kind == StoreErrorKind.NotSupported)
        {
            return ApiProblems.Unsupported("the storage server cannot list the parts of an upload; send every part again");
        }
    }

    private static async Task<Results<Ok<CompleteMultipartResponse>, ProblemHttpResult>> CompleteAsync(long id, string uploadId, CompleteMultipartRequest request, Caller caller, FerryDbContext db,
        ProjectStores stores, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, caller, id, uploadId, cancellationToken) is not { } found)
        {
            return ApiProblems.NotFound($"multipart upload {uploadId} of session {id}");
        }

        if (request.Parts is not { Count: > 0 and <= MaximumPartsPerCompletion } parts || parts.Any(p => p is null || p.PartNumber is < 1 or > 10_000 || string.IsNullOrEmpty(p.Etag))
            || parts.Select(p => p.PartNumber).Distinct().Count() != parts.Count)
        {
            return ApiProblems.BadRequest("give the parts as [{part_number, etag}], part numbers distinct from 1 to 10,000");
        }

        var stored = await stores.For(found.Project).Multipart.CompleteMultipartAsync(found.Upload.Key, uploadId, parts.Select(p => new StoredPart(p.PartNumber, 0, p.Etag!.Trim('"'))).ToList(), cancellationToken);
        await db.MultipartUploads.Where(m => m.Id == found.Upload.Id).ExecuteDeleteAsync(cancellationToken);
        return TypedResults.Ok(new CompleteMultipartResponse(found.Upload.Key, stored.ETag));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> AbortAsync(long id, string uploadId, Caller caller, FerryDbContext db, ProjectStores stores, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, caller, id, uploadId, cancellationToken) is not { } found)
        {
            return ApiProblems.NotFound($"multipart upload {uploadId} of session {id}");
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
        return TypedResults.NoContent();
    }

    private static async Task<(SessionMultipartUpload Upload, Project Project)?> FindAsync(FerryDbContext db, Caller caller, long sessionId, string uploadId, CancellationToken cancellationToken)
    {
        var row = await db.MultipartUploads.AsNoTracking().Where(m => m.SessionId == sessionId && m.UploadId == uploadId)
            .Join(db.Sessions.Where(s => s.CompanyId == caller.CompanyId && s.Status == SessionStatuses.Active), m => m.SessionId, s => s.Id, (m, s) => new { m, s.ProjectId })
            .Join(db.Projects, x => x.ProjectId, p => p.Id, (x, p) => new { x.m, p })
            .FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : (row.m, row.p);
    }
}
