using System.Text.Json;
using Ferry.Server.Camtrap;
using Ferry.Server.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Ferry.Server.Api;

/// <summary>
/// <c>/api/sessions</c>: upload sessions and their files. Everyone in the company reads; users and admins upload.
/// Another company's session is a 404. File bytes pass through here only for relayed small files (<c>/relay</c>);
/// otherwise clients PUT to the presigned URLs.
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
        group.MapPost("/{id:long}/relay", RelayAsync).RequireAuthorization(AuthorizationPolicies.Upload).WithBodyLimit(ApiLimits.MaximumRelayBytes)
            .WithSummary("Uploads up to 1,000 small registered files through the server (a multipart form: a field 'files' with {\"files\": [{\"path\", \"sha256\"}]}, then one file field per path, in order): the server writes each to S3 with its Content-MD5 and answers each verdict as /complete does. Files up to Ferry:RelayMaximumFileSize (default 1 MiB); 501 when the server does not relay.");
        group.MapPost("/{id:long}/finish", FinishAsync).RequireAuthorization(AuthorizationPolicies.Upload).WithSummary("Closes the session: completed, or incomplete when files are pending or failed.");
        group.MapGet("/{id:long}/events", EventsAsync).RequireAuthorization(AuthorizationPolicies.ReadWithCookie)
            .WithSummary("Server-sent events: a 'progress' event with the session every second; 'end' when it is finished, 'reconnect' when the stream's lifetime is over; 429 past the caller's open streams. Authorization header, or the web app's sign-in cookie (never a token in the URL).");
        return group;
    }

    private static async Task<Results<Created<SessionResponse>, ProblemHttpResult>> CreateAsync(CreateSessionRequest request, Caller caller, SessionService sessions, CancellationToken cancellationToken) =>
        await sessions.CreateAsync(caller, request, cancellationToken) switch
        {
            ({ } session, _) => TypedResults.Created($"/api/sessions/{session.Id}", session),
            (_, var refusal) => SessionProblems.From(refusal!),
        };

    private static async Task<Results<Ok<List<SessionResponse>>, ProblemHttpResult>> ListAsync(Caller caller, SessionService sessions, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "project_id")] long? projectId, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "cycle_id")] long? cycleId, string? status, int? limit, CancellationToken cancellationToken) =>
        await SessionProblems.OkOrProblem(sessions.ListAsync(caller, projectId, cycleId, status, limit, cancellationToken));

    private static async Task<Results<Ok<SessionResponse>, ProblemHttpResult>> GetAsync(long id, Caller caller, SessionService sessions, CancellationToken cancellationToken) =>
        await SessionProblems.OkOrProblem(sessions.GetAsync(caller, id, cancellationToken));

    private static async Task<Results<Ok<RegisterFilesResponse>, ProblemHttpResult>> RegisterAsync(long id, RegisterFilesRequest request, Caller caller, SessionUploadService uploads, CancellationToken cancellationToken) =>
        await SessionProblems.OkOrProblem(uploads.RegisterAsync(caller, id, request, cancellationToken));

    private static async Task<Results<Ok<SessionFilesPage>, ProblemHttpResult>> ListFilesAsync(long id, Caller caller, SessionUploadService uploads, string? status, long? after, int? limit, CancellationToken cancellationToken) =>
        await SessionProblems.OkOrProblem(uploads.ListFilesAsync(caller, id, status, after, limit, cancellationToken));

    private static async Task<Results<Ok<PresignResponse>, ProblemHttpResult>> PresignAsync(long id, PresignRequest request, Caller caller, SessionUploadService uploads, HttpContext http, CancellationToken cancellationToken)
    {
        // A URL never outlives the sign-in that asked for it (the token's or the cookie's expiry).
        var notAfter = http.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Properties?.ExpiresUtc;
        return await SessionProblems.OkOrProblem(uploads.PresignAsync(caller, id, request, notAfter, cancellationToken));
    }

    private static async Task<Results<Ok<CompleteFilesResponse>, ProblemHttpResult>> CompleteAsync(long id, CompleteFilesRequest request, Caller caller, SessionUploadService uploads, CancellationToken cancellationToken) =>
        await SessionProblems.OkOrProblem(uploads.CompleteAsync(caller, id, request, cancellationToken));

    private static async Task<Results<Ok<CompleteFilesResponse>, ProblemHttpResult>> RelayAsync(long id, HttpRequest request, Caller caller, SessionRelayService relay, CancellationToken cancellationToken) =>
        await SessionProblems.OkOrProblem(relay.RelayAsync(caller, id, request.ContentType, request.Body, cancellationToken));

    private static async Task<Results<Ok<SessionResponse>, ProblemHttpResult>> FinishAsync(long id, Caller caller, SessionService sessions, CancellationToken cancellationToken) =>
        await SessionProblems.OkOrProblem(sessions.FinishAsync(caller, id, stoppedEarly: false, cancellationToken));

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
                if (session.Status != SessionStatus.Active)
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
}
