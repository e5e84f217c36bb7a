using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;

namespace Ferry.Storage.S3;

/// <summary>
/// The HTTP client the SDK uses for Ferry: one pooled connection set per store, sized for the
/// requests in flight, and no <c>Expect: 100-continue</c>. The SDK asks for it on every PUT, which
/// costs a round trip per request (and measurably more server CPU on s3rver) for the small files
/// that dominate field data; Ferry has already checked credentials and bucket before sending bodies.
/// </summary>
internal sealed class S3HttpClientFactory(HttpClient client) : HttpClientFactory
{
    /// <summary>The one client a store uses, for the SDK and for <see cref="S3DirectClient"/>.</summary>
    /// <param name="allowAddress">See <see cref="S3ConnectionOptions.AllowAddress"/>; null connects anywhere.</param>
    public static HttpClient CreateClient(int maxConnections, TimeSpan connectTimeout, TimeSpan requestTimeout, Func<IPAddress, bool>? allowAddress = null)
    {
        var sockets = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            ConnectTimeout = connectTimeout,
            // Keep connections warm between bursts (a scan pause, a slow hash): a new one costs a round trip, two with TLS.
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            UseCookies = false,
        };
        if (allowAddress is not null)
        {
            sockets.ConnectCallback = (context, cancellationToken) => ConnectAllowedAsync(context.DnsEndPoint, allowAddress, cancellationToken);
        }

        return new HttpClient(new NoExpectContinueHandler(sockets)) { Timeout = requestTimeout };
    }

    /// <summary>Resolves the host, drops refused addresses, and connects to the first allowed one that answers.</summary>
    private static async ValueTask<Stream> ConnectAllowedAsync(DnsEndPoint endpoint, Func<IPAddress, bool> allowAddress, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken).ConfigureAwait(false);
        var allowed = addresses.Where(allowAddress).ToArray();
        if (allowed.Length == 0)
        {
            throw new HttpRequestException($"connections to {endpoint.Host} are refused: it resolves only to private, loopback or link-local addresses");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => client;

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public override string GetConfigUniqueString(IClientConfig clientConfig) => $"ferry:{client.GetHashCode()}";

    private sealed class NoExpectContinueHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.ExpectContinue = false;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
