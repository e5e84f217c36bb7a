using System.Net;
using System.Text;

namespace Ferry.Server.Observability;

/// <summary>
/// <c>GET /metrics</c>: OpenTelemetry's Prometheus exporter (text format 0.0.4, or OpenMetrics when the scraper asks
/// for it) over every instrument <see cref="FerryTelemetry"/> registers. With <see cref="FerryServerOptions.MetricsToken"/>
/// set, every caller — loopback included (a reverse proxy on the same host makes every caller loopback) — needs
/// <c>Authorization: Bearer</c> with it; without, only loopback callers may scrape.
/// </summary>
internal static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static void MapMetricsEndpoint(this IEndpointRouteBuilder app)
    {
        app.ServiceProvider.GetRequiredService<DatabaseGauges>(); // creates the gauges on this host's meter
        app.MapPrometheusScrapingEndpoint(Path, meterProvider: null, configureBranchedPipeline: branch => branch.Use(async (http, next) =>
        {
            if (!Allowed(http, http.RequestServices.GetRequiredService<FerryServerOptions>()))
            {
                await TypedResults.Problem("metrics need the bearer token set in Ferry:MetricsToken (or, when none is set, a loopback caller)", statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized").ExecuteAsync(http);
                return;
            }

            await next(http);
        }), optionsName: null).AllowAnonymous().ExcludeFromDescription();
    }

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
