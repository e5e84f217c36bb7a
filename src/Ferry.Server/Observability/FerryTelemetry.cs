using System.Diagnostics.Metrics;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ferry.Server.Observability;

/// <summary>
/// OpenTelemetry for the server and the worker: Ferry's own instruments (<see cref="FerryMetrics"/>, and on the server
/// the <see cref="DatabaseGauges"/>), ASP.NET Core, HttpClient, .NET runtime and Npgsql metrics; spans from
/// <see cref="FerryActivities"/>, ASP.NET Core, HttpClient and Npgsql. The server exports metrics at <c>/metrics</c>
/// (<see cref="MetricsEndpoint"/>); both export metrics and traces over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is
/// set (environment or configuration; <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_EXPORTER_OTLP_HEADERS</c> and the other
/// standard OTEL_* settings apply).
/// </summary>
internal static class FerryTelemetry
{
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    private const string HttpClientMeter = "System.Net.Http";

    /// <summary>DNS lookups, which HttpClient instrumentation also counts, labelled with the host looked up (a bucket's).</summary>
    private const string NameResolutionMeter = "System.Net.NameResolution";

    /// <summary>The labels HttpClient metrics keep: no server address or port, no URL.</summary>
    private static readonly string[] HttpClientTags = ["http.request.method", "http.response.status_code", "error.type", "url.scheme", "network.protocol.version", "http.connection.state"];

    /// <param name="web">The server (ASP.NET Core instrumentation, database gauges, the Prometheus endpoint); false for <c>ferry worker</c>.</param>
    public static IServiceCollection AddFerryTelemetry(this IServiceCollection services, IConfiguration configuration, bool web)
    {
        services.AddSingleton<FerryMetrics>();
        if (web)
        {
            services.AddSingleton<DatabaseGauges>();
        }

        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointSetting]);
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(web ? "ferry-server" : "ferry-worker"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(FerryMetrics.MeterName).AddHttpClientInstrumentation().AddRuntimeInstrumentation().AddNpgsqlInstrumentation();
                ((IDeferredMeterProviderBuilder)metrics).Configure((sp, builder) =>
                {
                    // Meters made by another host's IMeterFactory in the same process (tests host many servers) are not
                    // this server's: their instruments are dropped rather than mixed into this server's series.
                    var own = sp.GetRequiredService<IMeterFactory>();
                    // HttpClient's instruments are labelled with the server's address: for Ferry that is every company's
                    // bucket host name (bucket.s3.region…), which /metrics must not list, and one series per bucket.
                    builder.AddView(instrument =>
                        instrument.Meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, own) ? MetricStreamConfiguration.Drop
                        : instrument.Meter.Name == HttpClientMeter ? new MetricStreamConfiguration { TagKeys = HttpClientTags }
                        : instrument.Meter.Name == NameResolutionMeter ? new MetricStreamConfiguration { TagKeys = ["error.type"] }
                        : null);
                });
                if (web)
                {
                    metrics.AddAspNetCoreInstrumentation().AddPrometheusExporter();
                }

                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(FerryActivities.SourceName).AddHttpClientInstrumentation().AddNpgsql();
                if (web)
                {
                    tracing.AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = http => !http.Request.Path.StartsWithSegments(MetricsEndpoint.Path, StringComparison.Ordinal));
                }

                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
            });
        return services;
    }
}
