using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Ferry.Server.Observability;
using Microsoft.AspNetCore.Http;
using static Ferry.Server.Tests.SessionCalls;

namespace Ferry.Server.Tests.Observability;

/// <summary>GET /metrics: Prometheus text with database totals, verification failures by reason and request latency histograms.</summary>
public abstract partial class MetricsTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task Metrics_AfterUploadsAndAFailure_PrometheusTextWithTotalsReasonsAndLatency()
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

        using var response = await fixture.Anonymous().GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("version=0.0.4", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')))
        {
            Assert.Matches(Sample(), line);
        }

        Assert.True(Value(text, "ferry_files{status=\"uploaded\"}") >= 1);
        Assert.True(Value(text, "ferry_files{status=\"failed\"}") >= 1);
        Assert.True(Value(text, "ferry_active_sessions") >= 1);
        Assert.True(Value(text, "ferry_verification_failures_total{reason=\"md5_mismatch\"}") >= 1);
        Assert.Contains("ferry_job_queue_depth ", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE ferry_http_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Matches(new Regex("ferry_http_request_duration_seconds_count\\{method=\"POST\",route=\"/api/sessions/\\{id:long\\}/complete\",status=\"2xx\"\\} [1-9]"), text);
        Assert.DoesNotContain("m/bad.wav", text, StringComparison.Ordinal); // no paths or names as labels
    }

    private static double Value(string text, string series) =>
        double.Parse(text.Split('\n').First(l => l.StartsWith(series + " ", StringComparison.Ordinal))[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("^[a-z_]+(\\{([a-z_]+=\"[^\"]*\",?)+\\})? -?[0-9.e+]+$")]
    private static partial Regex Sample();
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
