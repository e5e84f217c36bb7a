using System.Collections.Concurrent;
using Ferry.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace Ferry.Server.Tests.Replicas;

/// <summary>
/// The load balancer in front of the replicas: YARP on Kestrel, round robin over the servers, no session affinity.
/// Like an operator's load balancer it takes a server out when it stops answering (active checks of <c>/healthz</c>
/// every second, passive on transport failures) and back when it answers again. Counts which server each request reached.
/// </summary>
public sealed class RoundRobinProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _served = new();

    private RoundRobinProxy(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    /// <summary>Requests each server answered, by its index in the list given to <see cref="StartAsync"/>.</summary>
    public int Served(int server) => _served.GetValueOrDefault(server.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static async Task<RoundRobinProxy> StartAsync(IReadOnlyList<string> servers)
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        builder.Logging.ClearProviders();
        var cluster = new ClusterConfig
        {
            ClusterId = "ferry",
            LoadBalancingPolicy = LoadBalancingPolicies.RoundRobin,
            HealthCheck = new HealthCheckConfig
            {
                Active = new ActiveHealthCheckConfig
                {
                    Enabled = true,
                    Interval = TimeSpan.FromSeconds(1),
                    Timeout = TimeSpan.FromSeconds(5),
                    Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                    Path = "/healthz",
                },
                Passive = new PassiveHealthCheckConfig
                {
                    Enabled = true,
                    Policy = HealthCheckConstants.PassivePolicy.TransportFailureRate,
                    ReactivationPeriod = TimeSpan.FromSeconds(2),
                },
            },
            Destinations = servers.Select((server, i) => (server, i)).ToDictionary(
                s => s.i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                s => new DestinationConfig { Address = s.server }),
        };
        var route = new RouteConfig { RouteId = "all", ClusterId = "ferry", Match = new RouteMatch { Path = "{**catch-all}" } };
        builder.Services.AddReverseProxy().LoadFromMemory([route], [cluster]);
        var app = builder.Build();
        var proxy = new RoundRobinProxy(app, url);
        app.MapReverseProxy(pipeline =>
        {
            pipeline.Use(async (context, next) =>
            {
                await next();
                if (context.GetReverseProxyFeature().ProxiedDestination is { } destination)
                {
                    proxy._served.AddOrUpdate(destination.DestinationId, 1, (_, n) => n + 1);
                }
            });
            pipeline.UseSessionAffinity();
            pipeline.UseLoadBalancing();
            pipeline.UsePassiveHealthChecks();
        });
        await app.StartAsync();
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
