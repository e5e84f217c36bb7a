using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;

namespace Ferry.Server.Auth;

/// <summary>
/// Behind a reverse proxy: <c>X-Forwarded-For</c>, <c>-Proto</c> and <c>-Host</c> are applied only to requests whose
/// connection comes from <see cref="FerryServerOptions.KnownProxies"/> (one proxy hop). From anywhere else — and with no
/// proxy configured, from everywhere — they are ignored: the client address (sign-in throttle, logs) and the scheme (the
/// cookie's <c>Secure</c> flag) are the connection's own.
/// </summary>
internal static class ForwardedHeadersSetup
{
    /// <summary>Parses the configured entries; a bare address is a /32 (/128) network.</summary>
    public static List<IPNetwork> Networks(IEnumerable<string> proxies) =>
        proxies.Select(p => IPNetwork.Parse(p.Contains('/', StringComparison.Ordinal) ? p : p + (p.Contains(':', StringComparison.Ordinal) ? "/128" : "/32"))).ToList();

    public static IApplicationBuilder UseKnownProxies(this IApplicationBuilder app, FerryServerOptions options)
    {
        var networks = Networks(options.KnownProxies);
        if (networks.Count == 0)
        {
            return app;
        }

        var forwarded = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
            ForwardLimit = 1,
        };
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var network in networks)
        {
            forwarded.KnownIPNetworks.Add(network);
        }

        return app.UseWhen(context => context.Connection.RemoteIpAddress is { } address && IsKnown(networks, address), branch => branch.UseForwardedHeaders(forwarded));
    }

    private static bool IsKnown(List<IPNetwork> networks, IPAddress address)
    {
        var candidate = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return networks.Exists(n => n.Contains(candidate));
    }
}
