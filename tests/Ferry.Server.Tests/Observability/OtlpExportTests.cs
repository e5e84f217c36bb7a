using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using static Ferry.Server.Tests.SessionCalls;

namespace Ferry.Server.Tests.Observability;

/// <summary>A collector stand-in: an HTTP listener on loopback recording every OTLP/HTTP request (path, content type, body).</summary>
public sealed class OtlpListener : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public OtlpListener()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public ConcurrentQueue<(string Path, string? ContentType, byte[] Body)> Requests { get; } = new();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            Requests.Enqueue((context.Request.Url!.AbsolutePath, context.Request.ContentType, body.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close(); // an empty Export*ServiceResponse: everything accepted
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(10));
    }
}

/// <summary>A SQLite server configured with OTEL_EXPORTER_OTLP_ENDPOINT (OTLP/HTTP protobuf) pointing at an <see cref="OtlpListener"/>, exporting every second.</summary>
public sealed class SqliteOtlpServerFixture : SqliteServerFixture
{
    public OtlpListener Collector { get; } = new();

    protected override void AddSettings(Dictionary<string, string?> settings)
    {
        settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{Collector.Port}";
        settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        settings["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
        settings["OTEL_BSP_SCHEDULE_DELAY"] = "500";
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Collector.Dispose();
    }
}

/// <summary>With OTEL_EXPORTER_OTLP_ENDPOINT set, the server posts metrics to /v1/metrics and traces to /v1/traces as protobuf.</summary>
public sealed class OtlpExportTests(SqliteOtlpServerFixture fixture) : IClassFixture<SqliteOtlpServerFixture>
{
    [Fact]
    public async Task OtlpEndpointSet_UploadSession_MetricsAndTracesPostedAsProtobuf()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var sessionId = await NewSessionAsync(tenant.User, projectId, cycleId);
        await RegisterAsync(tenant.User, sessionId, new Dictionary<string, long> { ["o/a.wav"] = 4 });

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !(Has("/v1/metrics", "ferry.verification_failures") && Has("/v1/traces", "ferry.session.register")))
        {
            await Task.Delay(250);
        }

        var requests = fixture.Collector.Requests.ToList();
        Assert.True(Has("/v1/metrics", "ferry.verification_failures"), Describe(requests));
        Assert.True(Has("/v1/traces", "ferry.session.register"), Describe(requests));
        Assert.All(requests, r => Assert.Equal("application/x-protobuf", r.ContentType));
        // Protobuf strings are their UTF-8 bytes: the resource names the service, the span its session.
        Assert.Contains(requests, r => r.Path == "/v1/traces" && Contains(r.Body, "ferry-server") && Contains(r.Body, "ferry.session.id"));
    }

    private bool Has(string path, string text) => fixture.Collector.Requests.Any(r => r.Path == path && Contains(r.Body, text));

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    private static string Describe(IEnumerable<(string Path, string? ContentType, byte[] Body)> requests) =>
        "received: " + string.Join(", ", requests.Select(r => $"{r.Path} ({r.ContentType}, {r.Body.Length} bytes)"));
}
