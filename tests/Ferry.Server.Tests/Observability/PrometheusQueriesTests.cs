using System.Text.Json;
using Ferry.Testing;

namespace Ferry.Server.Tests.Observability;

/// <summary>
/// The Prometheus side of Grafana: the metrics dashboard and the alert rules hold exactly the PromQL documented in
/// docs/operations.md (MetricsTests checks that a running server exports every metric it names), and the alerts
/// cover failures, not only stalled sessions.
/// </summary>
public sealed class PrometheusQueriesTests
{
    private static readonly string Grafana = Path.Combine(RepositoryPaths.Root, "deploy", "grafana");

    [Fact]
    public void Docs_ListThePanelsAndTheFailureAlerts()
    {
        var keys = GrafanaPromQl.Documented().Keys.ToList();

        Assert.Contains("alert:file_failure_rate", keys);
        Assert.Contains("alert:session_failure_rate", keys);
        Assert.Contains("alert:job_failures", keys);
        Assert.Contains("alert:verification_failures", keys);
        Assert.True(keys.Count(k => k.StartsWith("panel:", StringComparison.Ordinal)) >= 6, string.Join(", ", keys));
    }

    [Fact]
    public void MetricsDashboard_HoldsExactlyTheDocumentedPromQl()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Grafana, "dashboards", "ferry-metrics.json")));
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().ToDictionary(
            p => "panel:" + p.GetProperty("description").GetString()!.Split(';')[0].Replace("ferry panel ", "", StringComparison.Ordinal),
            p => p.GetProperty("targets")[0].GetProperty("expr").GetString()!);
        var documented = GrafanaPromQl.Documented().Where(q => q.Key.StartsWith("panel:", StringComparison.Ordinal)).ToDictionary();

        Assert.Equal(documented.Keys.Order(StringComparer.Ordinal), panels.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, query) in documented)
        {
            Assert.Equal(query, panels[key]);
            Assert.Equal("ferry-prometheus", dashboard.RootElement.GetProperty("panels").EnumerateArray().First(p => p.GetProperty("targets")[0].GetProperty("expr").GetString() == query).GetProperty("datasource").GetProperty("uid").GetString());
        }
    }

    [Fact]
    public void AlertRules_HoldEachDocumentedAlertOnThePrometheusSource()
    {
        var alerts = File.ReadAllText(Path.Combine(Grafana, "provisioning", "alerting", "ferry-alerts.yaml"));
        var source = File.ReadAllText(Path.Combine(Grafana, "provisioning", "datasources", "ferry-prometheus.yaml"));

        foreach (var (key, query) in GrafanaPromQl.Documented().Where(q => q.Key.StartsWith("alert:", StringComparison.Ordinal)))
        {
            Assert.Contains("uid: ferry-" + key["alert:".Length..].Replace('_', '-'), alerts, StringComparison.Ordinal);
            Assert.Contains("expr: " + query, alerts, StringComparison.Ordinal);
        }

        Assert.Contains("datasourceUid: ferry-prometheus", alerts, StringComparison.Ordinal);
        Assert.Contains("uid: ferry-prometheus", source, StringComparison.Ordinal);
        Assert.Contains("type: prometheus", source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sum by (reason) (increase(ferry_verification_failures_total{reason=\"md5_mismatch\"}[15m]))", "ferry_verification_failures_total")]
    [InlineData("histogram_quantile(0.95, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket[5m])))", "http_server_request_duration_seconds_bucket")]
    [InlineData("max(ferry_stalled_sessions) > bool 0", "ferry_stalled_sessions")]
    [InlineData("sum(increase(a_total{x=\"y\"}[1h])) / clamp_min(sum(increase(b_total[1h])), 1)", "a_total,b_total")]
    public void MetricNames_PromQl_OnlyTheMetricsNotFunctionsLabelsOrKeywords(string query, string expected) =>
        Assert.Equal(expected.Split(','), GrafanaPromQl.MetricNames(query).Where(n => !double.TryParse(n, System.Globalization.CultureInfo.InvariantCulture, out _)));
}
