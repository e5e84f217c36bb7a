using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Ferry.Server.Observability;

/// <summary>
/// The server's in-process counters and the request-latency histogram, written in the Prometheus text format by
/// <see cref="MetricsEndpoint"/> beside gauges read from the database. Counters start at zero with the process, as
/// Prometheus expects. Label values are small fixed sets (reason categories, route patterns), never paths or names.
/// </summary>
internal sealed class FerryMetrics
{
    /// <summary>Upper bounds of the latency buckets, in seconds.</summary>
    public static readonly double[] LatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly ConcurrentDictionary<string, long> _verificationFailures = new();
    private readonly ConcurrentDictionary<string, long> _retries = new();
    private readonly ConcurrentDictionary<(string Method, string Route, string Status), Histogram> _requests = new();

    /// <summary>A file the server checked in S3 and found wrong; <paramref name="reason"/> is the verdict's text.</summary>
    public void CountVerificationFailure(string reason) => _verificationFailures.AddOrUpdate(FailureCategory(reason), 1, (_, n) => n + 1);

    /// <summary>A request to S3 that failed and was retried (server-side deliveries and in-process jobs).</summary>
    public void CountRetry(string reason) => _retries.AddOrUpdate(RetryCategory(reason), 1, (_, n) => n + 1);

    public void ObserveRequest(string method, string route, int status, double seconds) =>
        _requests.GetOrAdd((method, route, $"{status / 100}xx"), _ => new Histogram()).Observe(seconds);

    public void WriteCounters(StringBuilder text)
    {
        Header(text, "ferry_verification_failures_total", "counter", "Files the server checked in S3 and refused, by reason, since the process started.");
        foreach (var (reason, count) in _verificationFailures.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"ferry_verification_failures_total{{reason=\"{reason}\"}} {count}\n");
        }

        Header(text, "ferry_retries_total", "counter", "S3 requests retried by the server (exports, in-process jobs), by reason, since the process started.");
        foreach (var (reason, count) in _retries.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"ferry_retries_total{{reason=\"{reason}\"}} {count}\n");
        }

        Header(text, "ferry_http_request_duration_seconds", "histogram", "API and page request latency by method, route pattern and status class.");
        foreach (var ((method, route, status), histogram) in _requests.OrderBy(p => p.Key.Route, StringComparer.Ordinal).ThenBy(p => p.Key.Method, StringComparer.Ordinal))
        {
            histogram.Write(text, $"method=\"{method}\",route=\"{Escape(route)}\",status=\"{status}\"");
        }
    }

    public static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n').Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    public static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

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

    private sealed class Histogram
    {
        private readonly long[] _buckets = new long[LatencyBuckets.Length];
        private long _count;
        private long _sumMicroseconds;

        public void Observe(double seconds)
        {
            for (var i = 0; i < LatencyBuckets.Length; i++)
            {
                if (seconds <= LatencyBuckets[i])
                {
                    Interlocked.Increment(ref _buckets[i]);
                }
            }

            Interlocked.Increment(ref _count);
            Interlocked.Add(ref _sumMicroseconds, (long)(seconds * 1_000_000));
        }

        public void Write(StringBuilder text, string labels)
        {
            for (var i = 0; i < LatencyBuckets.Length; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $"ferry_http_request_duration_seconds_bucket{{{labels},le=\"{LatencyBuckets[i]}\"}} {Interlocked.Read(ref _buckets[i])}\n");
            }

            var count = Interlocked.Read(ref _count);
            text.Append(CultureInfo.InvariantCulture, $"ferry_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}\n");
            text.Append(CultureInfo.InvariantCulture, $"ferry_http_request_duration_seconds_sum{{{labels}}} {Interlocked.Read(ref _sumMicroseconds) / 1_000_000.0}\n");
            text.Append(CultureInfo.InvariantCulture, $"ferry_http_request_duration_seconds_count{{{labels}}} {count}\n");
        }
    }
}
