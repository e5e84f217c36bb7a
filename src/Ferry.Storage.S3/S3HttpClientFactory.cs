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
    public static HttpClient CreateClient(int maxConnections, TimeSpan connectTimeout, TimeSpan requestTimeout)
    {
        var sockets = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            ConnectTimeout = connectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            UseCookies = false,
        };
        return new HttpClient(new NoExpectContinueHandler(sockets)) { Timeout = requestTimeout };
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
