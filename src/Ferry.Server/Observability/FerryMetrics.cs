using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace Ferry.Server.Observability;

/// <summary>
/// The process's own instruments on the <see cref="MeterName"/> meter (System.Diagnostics.Metrics), exported by
/// OpenTelemetry to <c>/metrics</c> and, when configured, OTLP (<see cref="FerryTelemetry"/>). Counters start at zero with
/// the process; every label value is one of a small fixed set (reason categories, outcomes), never a path, name or id.
/// Each known label value is added once with zero at start, so a series exists (and <c>increase()</c> works) before
/// the first event. Prometheus names: dots become underscores and counters end in <c>_total</c>.
/// </summary>
internal sealed class FerryMetrics
{
    public const string MeterName = "Ferry.Server";

    private static readonly string[] FailureReasons = ["missing", "size_mismatch", "etag_mismatch", "md5_mismatch", "sha256_mismatch", "other"];
    private static readonly string[] RetryReasons = ["throttled", "timeout", "network", "server_error", "corrupt", "other"];

    private readonly Counter<long> _verificationFailures;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _files;
    private readonly Counter<long> _sessions;
    private readonly Counter<long> _jobs;

    /// <param name="provider">Unused, but resolved first: its listener must be running when the zero values below are added, or they are lost.</param>
    public FerryMetrics(IMeterFactory meters, MeterProvider provider)
    {
        _ = provider;
        Meter = meters.Create(MeterName);
        _verificationFailures = Meter.CreateCounter<long>("ferry.verification_failures", "{file}", "Files the server checked in S3 and refused, by reason, since the process started.");
        _retries = Meter.CreateCounter<long>("ferry.retries", "{request}", "S3 requests retried by this process (in-process jobs, workers), by reason, since the process started.");
        _files = Meter.CreateCounter<long>("ferry.file_outcomes", "{file}", "Files that ended a transfer in this process, by outcome (uploaded = verified in S3, failed).");
        _sessions = Meter.CreateCounter<long>("ferry.session_outcomes", "{session}", "Upload sessions closed by this process, by status (completed, incomplete).");
        _jobs = Meter.CreateCounter<long>("ferry.job_outcomes", "{job}", "Upload jobs finished by this process, by status (completed, failed, cancelled).");
        foreach (var reason in FailureReasons)
        {
            _verificationFailures.Add(0, Tag("reason", reason));
        }

        foreach (var reason in RetryReasons)
        {
            _retries.Add(0, Tag("reason", reason));
        }

        foreach (var outcome in new[] { FileStatus.Uploaded.Name(), FileStatus.Failed.Name() })
        {
            _files.Add(0, Tag("outcome", outcome));
        }

        foreach (var status in new[] { SessionStatus.Completed.Name(), SessionStatus.Incomplete.Name() })
        {
            _sessions.Add(0, Tag("status", status));
        }

        foreach (var status in new[] { JobStatus.Completed.Name(), JobStatus.Failed.Name(), JobStatus.Cancelled.Name() })
        {
            _jobs.Add(0, Tag("status", status));
        }
    }

    /// <summary>This host's meter (from its <see cref="IMeterFactory"/>, disposed with the host); the database gauges live on it too.</summary>
    public Meter Meter { get; }

    /// <summary>A file the server checked in S3 and found wrong; <paramref name="reason"/> is the verdict's text. Also counts a failed file.</summary>
    public void CountVerificationFailure(string reason)
    {
        _verificationFailures.Add(1, Tag("reason", FailureCategory(reason)));
        _files.Add(1, Tag("outcome", FileStatus.Failed.Name()));
    }

    /// <summary>A file verified in S3.</summary>
    public void CountUploaded() => _files.Add(1, Tag("outcome", FileStatus.Uploaded.Name()));

    /// <summary>Files a client or worker reported it could not upload (read errors, retries exhausted).</summary>
    public void CountFailed(int files) => _files.Add(files, Tag("outcome", FileStatus.Failed.Name()));

    /// <summary>A request to S3 that failed and was retried (server-side deliveries and in-process jobs).</summary>
    public void CountRetry(string reason) => _retries.Add(1, Tag("reason", RetryCategory(reason)));

    /// <summary>A session this process closed, with the status it closed with.</summary>
    public void CountSessionClosed(string status) => _sessions.Add(1, Tag("status", status));

    /// <summary>A job this process finished, with its final status.</summary>
    public void CountJobFinished(JobStatus status) => _jobs.Add(1, Tag("status", status.Name()));

    private static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);

    /// <summary>The category of a verification verdict (see SessionFileService's checks).</summary>
    internal static string FailureCategory(string reason) => reason switch
    {
        _ when reason.Contains("not in the bucket", StringComparison.Ordinal) => "missing",
        _ when reason.Contains("bytes but the file has", StringComparison.Ordinal) => "size_mismatch",
        _ when reason.Contains("ETag", StringComparison.Ordinal) => "etag_mismatch",
        _ when reason.Contains("MD5", StringComparison.Ordinal) => "md5_mismatch",
        _ when reason.Contains("SHA-256", StringComparison.Ordinal) => "sha256_mismatch",
        _ => "other",
    };

    internal static string RetryCategory(string reason) => reason switch
    {
        _ when reason.Contains("SlowDown", StringComparison.OrdinalIgnoreCase) || reason.Contains("throttl", StringComparison.OrdinalIgnoreCase) || reason.Contains("503", StringComparison.Ordinal) => "throttled",
        _ when reason.Contains("timed out", StringComparison.OrdinalIgnoreCase) || reason.Contains("timeout", StringComparison.OrdinalIgnoreCase) => "timeout",
        _ when reason.Contains("connect", StringComparison.OrdinalIgnoreCase) || reason.Contains("reset", StringComparison.OrdinalIgnoreCase) => "network",
        _ when reason.Contains("InternalError", StringComparison.Ordinal) || reason.Contains("500", StringComparison.Ordinal) => "server_error",
        _ when reason.Contains("checksum", StringComparison.OrdinalIgnoreCase) || reason.Contains("corrupt", StringComparison.OrdinalIgnoreCase) => "corrupt",
        _ => "other",
    };
}
