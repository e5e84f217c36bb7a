using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace Ferry.Server.Observability;

/// <summary>
/// <c>GET /metrics</c> in the Prometheus text format (0.0.4): totals read from the database at scrape time (files
/// and bytes by status, sessions by status, active sessions, job queue depth and jobs by status, exports by status)
/// and the process's counters and latency histogram. With <see cref="FerryServerOptions.MetricsToken"/> set, every caller
/// — loopback included (a reverse proxy on the same host makes every caller loopback) — needs <c>Authorization: Bearer</c>
/// with it; without, only loopback callers may scrape.
/// </summary>
internal static class MetricsEndpoint
{
    public static void MapMetricsEndpoint(this IEndpointRouteBuilder app) =>
        app.MapGet("/metrics", WriteAsync).AllowAnonymous().ExcludeFromDescription();

    /// <summary>Times every request by its route pattern (not its path: ids never become labels).</summary>
    public static IApplicationBuilder UseRequestMetrics(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? (context.Response.StatusCode == 404 ? "(unmatched)" : "(static)");
            if (route != "/metrics")
            {
                context.RequestServices.GetRequiredService<FerryMetrics>().ObserveRequest(context.Request.Method, route, context.Response.StatusCode, clock.Elapsed.TotalSeconds);
            }
        }
    });

    private static async Task<IResult> WriteAsync(HttpContext http, FerryDbContext db, FerryMetrics metrics, FerryServerOptions options, CancellationToken cancellationToken)
    {
        if (!Allowed(http, options))
        {
            return TypedResults.Problem("metrics need the bearer token set in Ferry:MetricsToken (or, when none is set, a loopback caller)", statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
        }

        // The operator's totals over every company (the caller is the scraper, not a company's user).
        var text = new StringBuilder(4096);
        var files = await db.Sessions.AcrossCompanies().AsNoTracking().GroupBy(_ => 1).Select(g => new
        {
            Total = g.Sum(s => s.TotalFiles), Uploaded = g.Sum(s => s.UploadedFiles), Skipped = g.Sum(s => s.SkippedFiles), Failed = g.Sum(s => s.FailedFiles),
            Bytes = g.Sum(s => s.TotalBytes), UploadedBytes = g.Sum(s => s.UploadedBytes), SkippedBytes = g.Sum(s => s.SkippedBytes),
        }).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        FerryMetrics.Header(text, "ferry_files", "gauge", "Files registered in all sessions, by status (uploaded, skipped = already verified, failed, pending).");
        Line(text, "ferry_files", "status=\"uploaded\"", files?.Uploaded ?? 0);
        Line(text, "ferry_files", "status=\"skipped\"", files?.Skipped ?? 0);
        Line(text, "ferry_files", "status=\"failed\"", files?.Failed ?? 0);
        Line(text, "ferry_files", "status=\"pending\"", (files?.Total ?? 0) - (files?.Uploaded ?? 0) - (files?.Skipped ?? 0) - (files?.Failed ?? 0));
        FerryMetrics.Header(text, "ferry_bytes", "gauge", "Bytes registered in all sessions, by status (uploaded, skipped, total).");
        Line(text, "ferry_bytes", "status=\"uploaded\"", files?.UploadedBytes ?? 0);
        Line(text, "ferry_bytes", "status=\"skipped\"", files?.SkippedBytes ?? 0);
        Line(text, "ferry_bytes", "status=\"total\"", files?.Bytes ?? 0);

        await CountByAsync(text, "ferry_sessions", "Upload sessions by status.", db.Sessions.AcrossCompanies().AsNoTracking().GroupBy(s => s.Status).Select(g => new { g.Key, Count = g.LongCount() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken)).ConfigureAwait(false);
        var active = await db.Sessions.AcrossCompanies().AsNoTracking().LongCountAsync(s => s.Status == SessionStatuses.Active, cancellationToken).ConfigureAwait(false);
        FerryMetrics.Header(text, "ferry_active_sessions", "gauge", "Sessions still open (uploading or abandoned without finish).");
        Line(text, "ferry_active_sessions", null, active);
        var queued = await db.Jobs.AcrossCompanies().AsNoTracking().LongCountAsync(j => j.Status == JobStatuses.Queued, cancellationToken).ConfigureAwait(false);
        FerryMetrics.Header(text, "ferry_job_queue_depth", "gauge", "Upload jobs waiting for a worker.");
        Line(text, "ferry_job_queue_depth", null, queued);
        await CountByAsync(text, "ferry_jobs", "Upload jobs by status.", db.Jobs.AcrossCompanies().AsNoTracking().GroupBy(j => j.Status).Select(g => new { g.Key, Count = g.LongCount() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken)).ConfigureAwait(false);
        await CountByAsync(text, "ferry_exports", "Audit exports by status (queued: waiting in the outbox for S3).", db.Exports.AcrossCompanies().AsNoTracking().GroupBy(e => e.Status).Select(g => new { g.Key, Count = g.LongCount() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken)).ConfigureAwait(false);
        metrics.WriteCounters(text);
        return TypedResults.Text(text.ToString(), "text/plain; version=0.0.4; charset=utf-8");
    }

    private static async Task CountByAsync(StringBuilder text, string name, string help, Task<Dictionary<string, long>> counts)
    {
        FerryMetrics.Header(text, name, "gauge", help);
        foreach (var (status, count) in (await counts.ConfigureAwait(false)).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Line(text, name, $"status=\"{FerryMetrics.Escape(status)}\"", count);
        }
    }

    private static void Line(StringBuilder text, string name, string? labels, long value) =>
        text.Append(name).Append(labels is null ? "" : "{" + labels + "}").Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    internal static bool Allowed(HttpContext http, FerryServerOptions options)
    {
        if (options.MetricsToken is { Length: > 0 } token)
        {
            var header = http.Request.Headers.Authorization.ToString();
            return header.StartsWith("Bearer ", StringComparison.Ordinal)
                && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[7..]), Encoding.UTF8.GetBytes(token));
        }

        return http.Connection.RemoteIpAddress is not { } address || IPAddress.IsLoopback(address);
    }
}
