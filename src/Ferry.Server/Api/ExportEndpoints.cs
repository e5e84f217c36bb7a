using Ferry.Server.Exports;
using Ferry.Server.Sessions;
using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server.Api;

/// <summary>
/// Audit exports of upload sessions: <c>POST /api/sessions/{id}/exports</c> starts one (to S3, or a zip to download
/// only), <c>GET /api/exports/{id}</c> follows it, <c>/download</c> fetches its zip, <c>GET /api/exports</c> lists the
/// company's exports with their outcomes (admins). Another company's export is a 404.
/// </summary>
internal static class ExportEndpoints
{
    public static RouteGroupBuilder MapExportEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/sessions/{id:long}/exports", StartAsync).RequireAuthorization(AuthorizationPolicies.Upload).WithTags("Exports")
            .WithSummary("Exports a finished session's audit bundle (manifest, failures, activity log, reports): target s3 (the project's bucket, verified; kept in the server's outbox and retried when S3 fails) or download (a zip only).");
        var group = app.MapGroup("/api/exports").WithTags("Exports");
        group.MapGet("/", ListAsync).RequireAuthorization(AuthorizationPolicies.CompanyAdmin).WithSummary("The company's exports, newest first, with outcome, size, duration and attempts; filter by session_id.");
        group.MapGet("/{id:long}", GetAsync).WithSummary("One export: status (running, delivered, queued, ready, failed), live progress while running, S3 location, download link.");
        group.MapGet("/{id:long}/download", DownloadAsync).WithSummary("The bundle as a zip, once built.");
        return group;
    }

    private static async Task<Results<Accepted<ExportResponse>, ProblemHttpResult>> StartAsync(long id, StartExportRequest request, Caller caller, FerryDbContext db, SessionExportService exports, CancellationToken cancellationToken)
    {
        var kind = ExportKind.S3;
        if (request.Target is not null && !StoredNames.TryParse(request.Target, out kind))
        {
            return ApiProblems.BadRequest("target is s3 (export to the project's bucket) or download (a zip only)");
        }

        if (await UploadSessions.LoadAsync(db, caller, id, cancellationToken) is not { } loaded)
        {
            return ApiProblems.NotFound($"session {id}");
        }

        if (loaded.Session.Status == SessionStatus.Active)
        {
            return ApiProblems.Conflict($"session {id} is still active; finish it before exporting its audit bundle");
        }

        var export = await exports.StartAsync(db, caller, loaded, kind, cancellationToken);
        return TypedResults.Accepted($"/api/exports/{export.Id}", ExportResponse.From(export, exports.Progress(export.Id)));
    }

    private static async Task<Ok<List<ExportResponse>>> ListAsync(Caller caller, FerryDbContext db, [FromQuery(Name = "session_id")] long? sessionId, int? limit, CancellationToken cancellationToken)
    {
        var query = db.Exports.AsNoTracking().Where(e => e.CompanyId == caller.CompanyId);
        if (sessionId is { } session)
        {
            query = query.Where(e => e.SessionId == session);
        }

        var rows = await query.OrderByDescending(e => e.Id).Take(Math.Clamp(limit ?? 100, 1, 1000)).ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(e => ExportResponse.From(e, null)).ToList());
    }

    private static async Task<Results<Ok<ExportResponse>, ProblemHttpResult>> GetAsync(long id, Caller caller, FerryDbContext db, SessionExportService exports, CancellationToken cancellationToken) =>
        await SessionExports.FindAsync(db, caller, id, cancellationToken) is { } export
            ? TypedResults.Ok(ExportResponse.From(export, exports.Progress(export.Id)))
            : ApiProblems.NotFound($"export {id}");

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> DownloadAsync(long id, Caller caller, FerryDbContext db, SessionExportService exports, CancellationToken cancellationToken)
    {
        if (await SessionExports.FindAsync(db, caller, id, cancellationToken) is not { } export)
        {
            return ApiProblems.NotFound($"export {id}");
        }

        if (exports.ReadyZipPath(export) is not { } path)
        {
            return ApiProblems.Conflict($"export {id} is {export.Status.Name()}; its zip is not ready");
        }

        return TypedResults.File(File.OpenRead(path), "application/zip", export.Bundle + ".zip");
    }
}

/// <summary>The body of <c>POST /api/sessions/{id}/exports</c>.</summary>
/// <param name="Target"><c>s3</c> (default) or <c>download</c>.</param>
internal sealed record StartExportRequest(string? Target);

/// <summary>An export as the API shows it.</summary>
internal sealed record ExportResponse(long Id, long SessionId, string Kind, string Status, string? Bundle, string? Location, long Files, long Bytes, long DurationMs,
    int Attempts, string? Message, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, string? Phase, long? FilesDone, long? FilesTotal, string? DownloadUrl)
{
    public static ExportResponse From(SessionExport e, ExportProgress? progress)
    {
        var snapshot = progress?.Transfer.Snapshot();
        var downloadable = e.Bundle is not null && e.Status is ExportStatus.Delivered or ExportStatus.Queued or ExportStatus.Ready;
        return new ExportResponse(e.Id, e.SessionId, e.Kind.Name(), e.Status.Name(), e.Bundle, e.Location, e.Files, e.Bytes, e.DurationMs, e.Attempts, e.Message, e.CreatedAt, e.FinishedAt,
            progress?.Phase, snapshot?.FilesDone, snapshot is { ScanComplete: true } ? snapshot.FilesFound : null, downloadable ? $"/api/exports/{e.Id}/download" : null);
    }
}
