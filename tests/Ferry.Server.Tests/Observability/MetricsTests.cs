using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Ferry.Server.Observability;
using Microsoft.AspNetCore.Http;
using static Ferry.Server.Tests.SessionCalls;

namespace Ferry.Server.Tests.Observability;

/// <summary>
/// GET /metrics (OpenTelemetry's Prometheus exporter): database totals, verification failures by reason, outcomes and
/// ASP.NET Core's request latency histogram; and every metric a Grafana panel or alert queries is one the server exports.
/// </summary>
public abstract partial class MetricsTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task Metrics_AfterUploadsAndAFailure_PrometheusTextWithTotalsReasonsOutcomesAndLatency()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var sessionId = await NewSessionAsync(tenant.User, projectId, cycleId);
        await RegisterAsync(tenant.User, sessionId, new Dictionary<string, long> { ["m/ok.wav"] = 10, ["m/bad.wav"] = 4 });
        var etags = await UploadAsync(tenant.User, sessionId, new Dictionary<string, byte[]> { ["m/ok.wav"] = Bytes(10, 1), ["m/bad.wav"] = Encoding.ASCII.GetBytes("XXXX") });
        await CompleteAsync(tenant.User, sessionId, [
            new { path = "m/ok.wav", etag = etags["m/ok.wav"], md5 = (string?)null },
            new { path = "m/bad.wav", etag = etags["m/bad.wav"], md5 = (string?)Md5(Encoding.ASCII.GetBytes("good")) },
        ]);
        await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{sessionId}/finish", new { });

        // The database gauges are read at most every 10 s: scrape until this test's rows are in them.
        var (response, text) = await ScrapeUntilAsync(t => Value(t, "ferry_files", "status=\"uploaded\"") >= 1 && Value(t, "ferry_files", "status=\"failed\"") >= 1
            && Value(t, "ferry_sessions", "status=\"incomplete\"") >= 1);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("version=0.0.4", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')))
        {
            Assert.Matches(Sample(), line);
        }

        Assert.True(Value(text, "ferry_verification_failures_total", "reason=\"md5_mismatch\"") >= 1, text);
        Assert.True(Value(text, "ferry_verification_failures_total", "reason=\"missing\"") >= 0, text); // every reason is a series from the start
        Assert.True(Value(text, "ferry_file_outcomes_total", "outcome=\"failed\"") >= 1, text);
        Assert.True(Value(text, "ferry_file_outcomes_total", "outcome=\"uploaded\"") >= 1, text);
        Assert.True(Value(text, "ferry_session_outcomes_total", "status=\"incomplete\"") >= 1, text);
        Assert.True(Value(text, "ferry_bytes", "status=\"total\"") >= 14, text);
        Assert.True(Value(text, "ferry_job_queue_depth") >= 0, text);
        Assert.True(Value(text, "ferry_stalled_sessions") >= 0, text);
        Assert.Contains("# TYPE ferry_verification_failures_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Matches(new Regex("http_server_request_duration_seconds_count\\{[^}]*http_route=\"/api/sessions/\\{id:long\\}/complete\"[^}]*\\} [1-9]"), text);
        Assert.DoesNotContain("m/bad.wav", text, StringComparison.Ordinal); // no paths or names as labels
        // The server's S3 calls are counted, but not by host: a bucket's host name is a company's, not the operator's.
        Assert.Contains("http_client_request_duration_seconds", text, StringComparison.Ordinal);
        Assert.All(text.Split('\n').Where(l => l.StartsWith("http_client_", StringComparison.Ordinal) || l.StartsWith("dns_", StringComparison.Ordinal)), line =>
        {
            Assert.DoesNotContain("server_address", line, StringComparison.Ordinal);
            Assert.DoesNotContain("dns_question_name", line, StringComparison.Ordinal);
        });
        Assert.DoesNotContain($"/api/sessions/{sessionId}/", text, StringComparison.Ordinal); // routes by pattern, never by id
    }

    [Fact]
    public async Task DashboardsAndAlerts_EveryMetricTheyQuery_IsExportedByTheServer()
    {
        var queries = GrafanaPromQl.Documented().Values.ToList();
        Assert.NotEmpty(queries);
        var names = queries.SelectMany(GrafanaPromQl.MetricNames).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("ferry_verification_failures_total", names);
        using var _ = await fixture.Anonymous().GetAsync("/api/auth/me"); // one request, so the request histogram has a series

        var (_, text) = await ScrapeUntilAsync(t => names.All(n => Exported(t, n)));

        var exported = text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => MetricName().Match(l).Value).ToHashSet(StringComparer.Ordinal);
        Assert.All(names, name => Assert.True(exported.Contains(name), $"{name} is queried by a Grafana panel or alert but /metrics does not export it"));
    }

    private async Task<(HttpResponseMessage Response, string Text)> ScrapeUntilAsync(Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var response = await fixture.Anonymous().GetAsync("/metrics");
            var text = await response.Content.ReadAsStringAsync();
            if (done(text) || DateTime.UtcNow > deadline)
            {
                return (response, text);
            }

            await Task.Delay(500);
        }
    }

    private static bool Exported(string text, string name) => text.Contains("\n" + name + "{", StringComparison.Ordinal) || text.Contains("\n" + name + " ", StringComparison.Ordinal);

    /// <summary>The largest value of <paramref name="name"/> among its series whose labels include <paramref name="label"/>; -1 when there is none.</summary>
    private static double Value(string text, string name, string? label = null) =>
        text.Split('\n').Select(l => SampleParts().Match(l)).Where(m => m.Success && m.Groups["name"].Value == name && (label is null || m.Groups["labels"].Value.Contains(label, StringComparison.Ordinal)))
            .Select(m => double.Parse(m.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).Max();

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\",?)*\\})? (-?[0-9.eE+-]+|\\+Inf|-Inf|NaN)( [0-9]+)?$")]
    private static partial Regex Sample();

    [GeneratedRegex("^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?<labels>[^}]*)\\})? (?<value>\\S+)")]
    private static partial Regex SampleParts();

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex MetricName();
}

public sealed class MetricsTestsOnSqlite(SqliteServerFixture fixture) : MetricsTests<SqliteServerFixture>(fixture);

public sealed class MetricsTestsOnPostgres(PostgresServerFixture fixture) : MetricsTests<PostgresServerFixture>(fixture);

public sealed class MetricsAccessTests
{
    [Theory]
    [InlineData("127.0.0.1", null, null, true)]
    [InlineData("::1", null, null, true)]
    [InlineData("10.1.2.3", null, null, false)]
    [InlineData("10.1.2.3", "s3cret-token", "Bearer s3cret-token", true)]
    [InlineData("10.1.2.3", "s3cret-token", "Bearer wrong", false)]
    [InlineData("127.0.0.1", "s3cret-token", null, false)]
    public void Allowed_CallerAndToken_OnlyLoopbackOrTheRightToken(string address, string? token, string? header, bool expected)
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Parse(address);
        if (header is not null)
        {
            http.Request.Headers.Authorization = header;
        }

        Assert.Equal(expected, MetricsEndpoint.Allowed(http, new FerryServerOptions { MetricsToken = token }));
    }
}
