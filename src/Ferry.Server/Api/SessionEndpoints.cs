using System.Text.Json;
using Ferry.Core.Checks;
using Ferry.Server.Camtrap;
using Ferry.Server.Checks;
using Ferry.Server.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Ferry.Server.Api;

/// <summary>
/// <c>/api/sessions</c>: upload sessions and their files. Everyone in the company reads; users and admins upload.
/// Another company's session is a 404. No file bytes pass through here: clients PUT to the presigned URLs.
/// </summary>
internal static class SessionEndpoints
{
    public const int MaximumRegisterBatch = ApiLimits.MaximumRegisterBatch;
    public const int MaximumPresignBatch = ApiLimits.MaximumPresignBatch;
    public const int MaximumCompleteBatch = ApiLimits.MaximumCompleteBatch;

    public static RouteGroupBuilder MapSessionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/sessions").WithTags("Sessions");
        group.MapPost("/", CreateAsync).RequireAuthorization(AuthorizationPolicies.Upload).WithBodyLimit(RequestBodyLimits.ForList(SensorFolderCheck.MaximumFolders, 8192)).WithSummary("Starts a session: a folder going into a project's cycle.");
        group.MapGet("/", ListAsync).WithSummary("Sessions of the caller's company, newest first; filter by project_id, cycle_id, status.");
        group.MapGet("/{id:long}", GetAsync).WithSummary("Status and counters, rate and ETA.");
        group.MapPost("/{id:long}/files", RegisterAsync).RequireAuthorization(AuthorizationPolicies.Upload).WithBodyLimit(RequestBodyLimits.ForList(MaximumRegisterBatch, RequestBodyLimits.BytesPerItem + CaptureRecords.MaxBytes))
            .WithSummary("Registers up to 10,000 files; each comes back pending (upload it) or uploaded (already verified in the bucket).");
        group.MapGet("/{id:long}/files", ListFilesAsync).WithSummary("The session's files, optionally by status, in pages (after=<id>, limit ≤ 5,000).");
        group.MapPost("/{id:long}/presign", PresignAsync).RequireAuthorization(AuthorizationPolicies.Upload).WithBodyLimit(RequestBodyLimits.ForList(MaximumPresignBatch))
            .WithSummary("Short-lived upload URLs for registered files (up to 10,000 paths), each bound to the file's registered size and expiring no later than the caller's sign-in: PUT by default; method POST gives browser form uploads (url + fields) that need no CORS preflight.");
        group.MapPost("/{id:long}/complete", CompleteAsync).RequireAuthorization(AuthorizationPolicies.Upload).WithBodyLimit(RequestBodyLimits.ForList(MaximumCompleteBatch))
            .WithSummary("Reports uploads (up to 1,000); the server checks each object in S3 before marking it uploaded.");
        group.MapPost("/{id:long}/finish", FinishAsync).RequireAuthorization(AuthorizationPolicies.Upload).WithSummary("Closes the session: completed, or incomplete when files are pending or failed.");
        group.MapGet("/{id:long}/events", EventsAsync).RequireAuthorization(AuthorizationPolicies.ReadWithCookie)
            .WithSummary("Server-sent events: a 'progress' event with the session every second; 'end' when it is finished, 'reconnect' when the stream's lifetime is over; 429 past the caller's open streams. Authorization header, or the web app's sign-in cookie (never a token in the URL).");
        return group;
    }

    private static async Task<Results<Created<SessionResponse>, ProblemHttpResult>> CreateAsync(CreateSessionRequest request, Caller caller, FerryDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (request.ProjectId is not { } projectId || request.CycleId is not { } cycleId)
        {
            return ApiProblems.BadRequest("give project_id and cycle_id");
        }

        if (await ProjectLookup.FindAsync(db, caller, projectId, cancellationToken) is not { } project)
        {
            return ApiProblems.NotFound($"project {projectId}");
        }

        var cycle = await db.Cycles.AsNoTracking().FirstOrDefaultAsync(c => c.Id == cycleId && c.ProjectId == projectId, cancellationToken);
        if (cycle is null)
        {
            return ApiProblems.NotFound($"cycle {cycleId} of project {projectId}");
        }

        if (request.LocalDirectory is { Length: > 4096 } || request.Label is { Length: > 500 } || (request.Client is { } c && c is not ("browser" or "cli" or "api")))
        {
            return ApiProblems.BadRequest("local_directory may have up to 4,096 characters, label up to 500, and client is browser, cli or api");
        }

        if (SensorFolderCheck.Problem(request.Checks) is { } checkProblem)
        {
            return ApiProblems.BadRequest(checkProblem);
        }

        var now = time.GetUtcNow();
        var session = new UploadSession
        {
            CompanyId = caller.CompanyId,
            ProjectId = projectId,
            CycleId = cycleId,
            UserId = caller.UserId,
            LocalDirectory = request.LocalDirectory,
            Label = request.Label,
            Client = request.Client ?? "api",
            Status = SessionStatuses.Active,
            StartedAt = now,
            LastActivityAt = now,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Sessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        if (request.Checks is { } checks)
        {
            // Its own row, capped: listing sessions never reads it.
            db.SessionCheckResults.Add(SessionCheckStore.Fit(session.Id, checks));
            await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/sessions/{session.Id}", SessionResponse.From(session, project.BucketName, cycle.S3Prefix));
    }

    private static async Task<Results<Ok<List<SessionResponse>>, ProblemHttpResult>> ListAsync(Caller caller, FerryDbContext db, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "project_id")] long? projectId, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "cycle_id")] long? cycleId, string? status, int? limit, CancellationToken cancellationToken)
    {
        if (status is not null && !SessionStatuses.IsKnown(status))
        {
            return ApiProblems.BadRequest("status must be active, completed or incomplete");
        }

        var query = db.Sessions.AsNoTracking().Where(s => s.CompanyId == caller.CompanyId);
        query = projectId is { } p ? query.Where(s => s.ProjectId == p) : query;
        query = cycleId is { } c ? query.Where(s => s.CycleId == c) : query;
        query = status is not null ? query.Where(s => s.Status == status) : query;
        var rows = await query.OrderByDescending(s => s.Id).Take(Math.Clamp(limit ?? 100, 1, 1000))
            .Join(db.Projects, s => s.ProjectId, p => p.Id, (s, p) => new { s, p.BucketName })
            .Join(db.Cycles, x => x.s.CycleId, c => c.Id, (x, c) => new { x.s, x.BucketName, c.S3Prefix })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.OrderByDescending(r => r.s.Id).Select(r => SessionResponse.From(r.s, r.BucketName, r.S3Prefix)).ToList());
    }

    private static async Task<Results<Ok<SessionResponse>, ProblemHttpResult>> GetAsync(long id, Caller caller, FerryDbContext db, CancellationToken cancellationToken) =>
        await UploadSessions.LoadAsync(db, caller, id, cancellationToken) is { } found
            ? TypedResults.Ok(SessionResponse.From(found.Session, found.Project.BucketName, found.Cycle.S3Prefix))
            : ApiProblems.NotFound($"session {id}");

    private static async Task<Results<Ok<RegisterFilesResponse>, ProblemHttpResult>> RegisterAsync(long id, RegisterFilesRequest request, Caller caller, FerryDbContext db, SessionFileService files, CancellationToken cancellationToken)
    {
        var (found, refused) = await LoadActiveAsync(db, caller, id, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (request.Files is not { Count: > 0 and <= MaximumRegisterBatch } entries)
        {
            return ApiProblems.BadRequest($"give 1 to {MaximumRegisterBatch:N0} files per call");
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

            if (problem is null && entry!.Sha256 is { } sha256 && !IsSha256Hex(sha256))
            {
                problem = "sha256 must be 64 hexadecimal digits";
            }

            if (problem is null && !seen.Add(path!))
            {
                problem = "the path is listed twice";
            }

            if (problem is not null)
            {
                problems.Add($"'{Shorten(entry?.Path)}': {problem}");
                continue;
            }

            batch.Add(new FileToRegister(entry!.Path!, path!, key!, entry.Size!.Value, entry.LastModified?.ToUniversalTime(), capture, entry.Sha256?.ToLowerInvariant()));
        }

        if (problems.Count > 0)
        {
            return ApiProblems.BadRequest($"{problems.Count} of {entries.Count} files cannot be registered, nothing was: " + string.Join("; ", problems.Take(5)));
        }

        var registered = await files.RegisterAsync(found.Session, batch, request.SkipDuplicates == true, cancellationToken);
        return TypedResults.Ok(new RegisterFilesResponse(registered.Select(r => new RegisteredFileResponse(r.Path, r.Key, r.Status, r.ETag, r.Checksum, r.DuplicateOf)).ToList()));
    }

    private static async Task<Results<Ok<SessionFilesPage>, ProblemHttpResult>> ListFilesAsync(long id, Caller caller, FerryDbContext db, string? status, long? after, int? limit, CancellationToken cancellationToken)
    {
        if (await UploadSessions.LoadAsync(db, caller, id, cancellationToken) is null)
        {
            return ApiProblems.NotFound($"session {id}");
        }

        if (status is not null && !FileStatuses.IsKnown(status))
        {
            return ApiProblems.BadRequest("status must be pending, uploaded, skipped or failed");
        }

        var take = Math.Clamp(limit ?? 1000, 1, 5000);
        var query = db.SessionFiles.AsNoTracking().Where(f => f.SessionId == id && f.Id > (after ?? 0));
        query = status is not null ? query.Where(f => f.Status == status) : query;
        var page = await query.OrderBy(f => f.Id).Take(take)
            .Select(f => new SessionFileResponse(f.Id, f.Path, f.Key, f.Size, f.LastModified, f.Status, f.ETag, f.Checksum, f.Attempts, f.LastError, f.RegisteredAt, f.UpdatedAt, f.UploadedAt, f.DuplicateOf))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new SessionFilesPage(page, page.Count == take ? page[^1].Id : null));
    }

    private static async Task<Results<Ok<PresignResponse>, ProblemHttpResult>> PresignAsync(long id, PresignRequest request, Caller caller, FerryDbContext db, SessionFileService files, HttpContext http, CancellationToken cancellationToken)
    {
        var (found, refused) = await LoadActiveAsync(db, caller, id, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (request.Paths is not { Count: > 0 and <= MaximumPresignBatch } paths)
        {
            return ApiProblems.BadRequest($"give 1 to {MaximumPresignBatch:N0} paths per call");
        }

        var (resolved, problem) = await ResolveAsync(files, id, paths, cancellationToken);
        if (problem is not null)
        {
            return ApiProblems.BadRequest(problem);
        }

        if (request.Method is not (null or "PUT" or "POST"))
        {
            return ApiProblems.BadRequest("method must be PUT (the default) or POST (a browser form upload, sent without a CORS preflight)");
        }

        // A URL never outlives the sign-in that asked for it (the token's or the cookie's expiry).
        var notAfter = http.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Properties?.ExpiresUtc;
        var signed = await files.PresignAsync(found.Project, resolved.Select(r => r.File).ToList(), post: request.Method == "POST", notAfter, cancellationToken);
        var uploads = new List<PresignedUpload>(signed.Count);
        for (var i = 0; i < signed.Count; i++)
        {
            var fields = signed[i].Fields?.ToDictionary(f => f.Key, f => f.Value);
            uploads.Add(new PresignedUpload(resolved[i].ClientPath, resolved[i].File.Key, signed[i].Method, signed[i].Url, signed[i].Headers, signed[i].ExpiresAt, fields));
        }

        return TypedResults.Ok(new PresignResponse(uploads));
    }

    private static async Task<Results<Ok<CompleteFilesResponse>, ProblemHttpResult>> CompleteAsync(long id, CompleteFilesRequest request, Caller caller, FerryDbContext db, SessionFileService files, CancellationToken cancellationToken)
    {
        var (found, refused) = await LoadActiveAsync(db, caller, id, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (request.Files is not { Count: > 0 and <= MaximumCompleteBatch } entries || entries.Any(e => e is null))
        {
            return ApiProblems.BadRequest($"give 1 to {MaximumCompleteBatch:N0} files per call");
        }

        var (resolved, problem) = await ResolveAsync(files, id, entries.Select(e => e.Path).ToList(), cancellationToken);
        if (problem is not null)
        {
            return ApiProblems.BadRequest(problem);
        }

        if (entries.FirstOrDefault(e => (e.Md5 is not null && !Core.Hashing.ContentHashes.IsMd5Hex(e.Md5)) || (e.Sha256 is not null && !IsSha256Hex(e.Sha256))) is { } bad)
        {
            return ApiProblems.BadRequest($"'{Shorten(bad.Path)}': md5 must be 32 and sha256 64 hexadecimal digits");
        }

        var reports = resolved.Select((r, i) => (new UploadReport(r.ClientPath, r.File.Path, entries[i].Etag, entries[i].Md5, entries[i].Sha256), r.File)).ToList();
        var verdicts = await files.CompleteAsync(found.Session, found.Project, reports, cancellationToken);
        return TypedResults.Ok(new CompleteFilesResponse(verdicts.Select(v => new CompletedFileResult(v.Path, v.Status, v.Error, v.ETag)).ToList()));
    }

    private static async Task<Results<Ok<SessionResponse>, ProblemHttpResult>> FinishAsync(long id, Caller caller, FerryDbContext db, TimeProvider time, Observability.FerryMetrics metrics, CancellationToken cancellationToken)
    {
        if (await UploadSessions.LoadAsync(db, caller, id, cancellationToken) is not { } found)
        {
            return ApiProblems.NotFound($"session {id}");
        }

        await UploadSessions.CloseAsync(db, id, time.GetUtcNow(), metrics, stoppedEarly: false, cancellationToken);
        var session = await db.Sessions.AsNoTracking().FirstAsync(s => s.Id == id, cancellationToken);
        return TypedResults.Ok(SessionResponse.From(session, found.Project.BucketName, found.Cycle.S3Prefix));
    }

    /// <summary>
    /// The progress stream, every second. It ends with an 'end' event when the session is finished, with a 'reconnect'
    /// event after <see cref="FerryServerOptions.EventStreamLifetime"/> (an EventSource reconnects by itself), when the
    /// client goes away, and when the server stops (<see cref="IHostApplicationLifetime.ApplicationStopping"/>): an open
    /// stream never holds up a shutdown. A user holding <see cref="FerryServerOptions.EventStreamsPerUser"/> streams gets 429 for the next.
    /// </summary>
    private static async Task EventsAsync(long id, Caller caller, FerryDbContext db, HttpContext http, IOptions<JsonOptions> json, TimeProvider time,
        EventStreamLimiter streams, FerryServerOptions options, IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
    {
        if (await UploadSessions.LoadAsync(db, caller, id, cancellationToken) is not { } found)
        {
            await ApiProblems.NotFound($"session {id}").ExecuteAsync(http);
            return;
        }

        using var lease = streams.TryOpen(caller.UserId);
        if (lease is null)
        {
            await ApiProblems.TooManyRequests($"you have {options.EventStreamsPerUser} event streams open, the most one user may hold (Ferry:EventStreamsPerUser); close one first").ExecuteAsync(http);
            return;
        }

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        using var expiry = new CancellationTokenSource(options.EventStreamLifetime, time);
        using var stream = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping, expiry.Token);
        try
        {
            while (true)
            {
                var session = await db.Sessions.AsNoTracking().FirstAsync(s => s.Id == id, stream.Token);
                var data = JsonSerializer.Serialize(SessionResponse.From(session, found.Project.BucketName, found.Cycle.S3Prefix), json.Value.SerializerOptions);
                await http.Response.WriteAsync($"event: progress\ndata: {data}\n\n", stream.Token);
                await http.Response.Body.FlushAsync(stream.Token);
                if (session.Status != SessionStatuses.Active)
                {
                    await http.Response.WriteAsync("event: end\ndata: {}\n\n", stream.Token);
                    return;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), time, stream.Token);
            }
        }
        catch (OperationCanceledException) when (expiry.IsCancellationRequested && !cancellationToken.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested)
        {
            await http.Response.WriteAsync("event: reconnect\ndata: {}\n\n", cancellationToken);
        }
        catch (OperationCanceledException) when (stream.Token.IsCancellationRequested)
        {
            // The client went away, or the server is stopping: the response ends here.
        }
    }

    /// <summary>The session when it is the caller's company's and still active; else the 404 or 409 to answer.</summary>
    internal static async Task<(LoadedSession Session, ProblemHttpResult? Refused)> LoadActiveAsync(FerryDbContext db, Caller caller, long id, CancellationToken cancellationToken)
    {
        if (await UploadSessions.LoadAsync(db, caller, id, cancellationToken) is not { } found)
        {
            return (null!, ApiProblems.NotFound($"session {id}"));
        }

        return found.Session.Status == SessionStatuses.Active
            ? (found, null)
            : (found, ApiProblems.Conflict($"session {id} is finished; start a new session to upload more"));
    }

    /// <summary>The registered files for client paths, in order, or the reason some cannot be used.</summary>
    internal static async Task<(List<(string ClientPath, SessionFile File)> Files, string? Problem)> ResolveAsync(SessionFileService files, long sessionId, IReadOnlyList<string?> clientPaths, CancellationToken cancellationToken)
    {
        var normalized = new List<(string ClientPath, string Path)>(clientPaths.Count);
        foreach (var clientPath in clientPaths)
        {
            var (path, problem) = UploadKeys.NormalizePath(clientPath);
            if (path is null)
            {
                return ([], $"'{Shorten(clientPath)}': {problem}");
            }

            normalized.Add((clientPath!, path));
        }

        var found = await files.FindAsync(sessionId, normalized.Select(n => n.Path).Distinct(StringComparer.Ordinal).ToList(), cancellationToken);
        var missing = normalized.Where(n => !found.ContainsKey(n.Path)).Select(n => n.ClientPath).ToList();
        if (missing.Count > 0)
        {
            return ([], $"{missing.Count} path(s) are not registered in session {sessionId}, e.g. '{Shorten(missing[0])}'; register them with POST /api/sessions/{sessionId}/files first");
        }

        return (normalized.Select(n => (n.ClientPath, found[n.Path])).ToList(), null);
    }

    private static bool IsSha256Hex(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigit);

    private static string Shorten(string? path) => path is null ? "(none)" : path.Length <= 120 ? path : path[..117] + "...";
}
