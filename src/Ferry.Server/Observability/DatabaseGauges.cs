using System.Diagnostics.Metrics;

namespace Ferry.Server.Observability;

/// <summary>
/// The operator's totals over every company as observable gauges on <see cref="FerryMetrics.Meter"/>: files and bytes
/// by status, sessions by status, active and stalled sessions, the job queue, jobs and exports by status. A collection
/// (a scrape of <c>/metrics</c> or an OTLP export) reads the database at most once per <see cref="MaxAge"/>; the values
/// are the same on every server sharing the database. The reads run with <see cref="TenantScope.System"/>: the
/// scraper is the operator, not a company's user, and an export runs outside any request.
/// </summary>
internal sealed class DatabaseGauges
{
    /// <summary>How long one reading of the database serves collections.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);

    /// <summary>An active session with files left and no activity for this long is stalled (as in the stalled-sessions alert).</summary>
    public static readonly TimeSpan StalledAfter = TimeSpan.FromMinutes(15);

    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger<DatabaseGauges> _logger;
    private readonly Lock _lock = new();
    private Snapshot? _snapshot;
    private DateTimeOffset _readAt;

    public DatabaseGauges(FerryMetrics metrics, IServiceScopeFactory scopes, TimeProvider time, ILogger<DatabaseGauges> logger)
    {
        _scopes = scopes;
        _time = time;
        _logger = logger;
        var meter = metrics.Meter;
        meter.CreateObservableGauge("ferry.files", () => ByStatus(s => s.Files), "{file}", "Files registered in all sessions, by status (uploaded, skipped = already verified, failed, pending).");
        meter.CreateObservableGauge("ferry.bytes", () => ByStatus(s => s.Bytes), "By", "Bytes registered in all sessions, by status (uploaded, skipped, total).");
        meter.CreateObservableGauge("ferry.sessions", () => ByStatus(s => s.Sessions), "{session}", "Upload sessions by status.");
        meter.CreateObservableGauge("ferry.active_sessions", () => Single(s => s.Active), "{session}", "Sessions still open (uploading or abandoned without finish).");
        meter.CreateObservableGauge("ferry.stalled_sessions", () => Single(s => s.Stalled), "{session}", "Open sessions with files left and no progress for 15 minutes.");
        meter.CreateObservableGauge("ferry.job_queue_depth", () => Single(s => s.Queued), "{job}", "Upload jobs waiting for a worker.");
        meter.CreateObservableGauge("ferry.jobs", () => ByStatus(s => s.Jobs), "{job}", "Upload jobs by status.");
        meter.CreateObservableGauge("ferry.exports", () => ByStatus(s => s.Exports), "{export}", "Audit exports by status (queued: waiting in the outbox for S3).");
    }

    private IEnumerable<Measurement<long>> ByStatus(Func<Snapshot, IReadOnlyDictionary<string, long>> pick) =>
        Current() is { } snapshot ? pick(snapshot).Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("status", p.Key))) : [];

    private IEnumerable<Measurement<long>> Single(Func<Snapshot, long> pick) =>
        Current() is { } snapshot ? [new Measurement<long>(pick(snapshot))] : [];

    /// <summary>The last reading, refreshed when older than <see cref="MaxAge"/>; null (no values) when the database cannot be read.</summary>
    private Snapshot? Current()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (_snapshot is null || now - _readAt >= MaxAge)
            {
                try
                {
                    _snapshot = Read(now);
                    _readAt = now;
                }
                catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
                {
                    // A collection must not fail because the database is briefly away; the gauges are left out until it is back.
                    _logger.LogWarning("Metrics: could not read the database totals: {Message}", ex.Message);
                    _snapshot = null;
                }
            }

            return _snapshot;
        }
    }

    private Snapshot Read(DateTimeOffset now)
    {
        // Collections call back synchronously (OpenTelemetry's readers), hence the synchronous queries.
        using var scope = _scopes.CreateScope();
        var services = scope.ServiceProvider;
        using var db = new FerryDbContext(services.GetRequiredService<DbContextOptions<FerryDbContext>>(), services.GetRequiredService<DatabaseSettings>(), TenantScope.System);
        var files = db.Sessions.AsNoTracking().GroupBy(_ => 1).Select(g => new
        {
            Total = g.Sum(s => s.TotalFiles), Uploaded = g.Sum(s => s.UploadedFiles), Skipped = g.Sum(s => s.SkippedFiles), Failed = g.Sum(s => s.FailedFiles),
            Bytes = g.Sum(s => s.TotalBytes), UploadedBytes = g.Sum(s => s.UploadedBytes), SkippedBytes = g.Sum(s => s.SkippedBytes),
        }).FirstOrDefault();
        var stalledBefore = now - StalledAfter;
        return new Snapshot(
            Files: new Dictionary<string, long>
            {
                [FileStatus.Uploaded.Name()] = files?.Uploaded ?? 0,
                [FileStatus.Skipped.Name()] = files?.Skipped ?? 0,
                [FileStatus.Failed.Name()] = files?.Failed ?? 0,
                [FileStatus.Pending.Name()] = (files?.Total ?? 0) - (files?.Uploaded ?? 0) - (files?.Skipped ?? 0) - (files?.Failed ?? 0),
            },
            Bytes: new Dictionary<string, long>
            {
                ["uploaded"] = files?.UploadedBytes ?? 0,
                ["skipped"] = files?.SkippedBytes ?? 0,
                ["total"] = files?.Bytes ?? 0,
            },
            Sessions: WithZeros(Enum.GetValues<SessionStatus>().Select(s => s.Name()).ToArray(),
                db.Sessions.AsNoTracking().GroupBy(s => s.Status).Select(g => new { g.Key, Count = g.LongCount() }).ToList().ToDictionary(g => g.Key.Name(), g => g.Count)),
            Active: db.Sessions.AsNoTracking().LongCount(s => s.Status == SessionStatus.Active),
            Stalled: db.Sessions.AsNoTracking().LongCount(s => s.Status == SessionStatus.Active && s.LastActivityAt < stalledBefore
                && s.UploadedFiles + s.SkippedFiles + s.FailedFiles < s.TotalFiles),
            Queued: db.Jobs.AsNoTracking().LongCount(j => j.Status == JobStatus.Queued),
            Jobs: WithZeros(Enum.GetValues<JobStatus>().Select(s => s.Name()).ToArray(),
                db.Jobs.AsNoTracking().GroupBy(j => j.Status).Select(g => new { g.Key, Count = g.LongCount() }).ToList().ToDictionary(g => g.Key.Name(), g => g.Count)),
            Exports: WithZeros(Enum.GetValues<ExportStatus>().Select(s => s.Name()).ToArray(),
                db.Exports.AsNoTracking().GroupBy(e => e.Status).Select(g => new { g.Key, Count = g.LongCount() }).ToList().ToDictionary(g => g.Key.Name(), g => g.Count)));
    }

    /// <summary>The counts, with 0 for each known status no row has: a series exists for every status from the start.</summary>
    private static Dictionary<string, long> WithZeros(string[] statuses, Dictionary<string, long> counts)
    {
        foreach (var status in statuses)
        {
            counts.TryAdd(status, 0);
        }

        return counts;
    }

    private sealed record Snapshot(
        IReadOnlyDictionary<string, long> Files,
        IReadOnlyDictionary<string, long> Bytes,
        IReadOnlyDictionary<string, long> Sessions,
        long Active,
        long Stalled,
        long Queued,
        IReadOnlyDictionary<string, long> Jobs,
        IReadOnlyDictionary<string, long> Exports);
}
