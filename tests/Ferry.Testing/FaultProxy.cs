using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ferry.Testing;

/// <summary>
/// An HTTP proxy between a client and s3rver that injects faults the network and S3 really produce:
/// it can corrupt a request body in transit (so the server stores damaged bytes and answers with
/// their MD5), answer 503 SlowDown or 500, or hold requests until released. It counts requests
/// by kind (PUT object, upload part, list, …) so tests can prove what was, and was not, sent, and records each
/// request's access key id, session token and user agent (<see cref="Requests"/>).
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer", "Host", "Content-Length",
    };

    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly ConcurrentDictionary<string, int> _counts = new();
    private readonly ConcurrentQueue<RecordedRequest> _operations = new();
    private readonly ConcurrentQueue<Rule> _rules = new();
    private readonly ConcurrentQueue<SignedRequest> _requests = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FaultProxy(WebApplication app, string upstream, int port)
    {
        _app = app;
        _upstream = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false }) { BaseAddress = new Uri(upstream), Timeout = Timeout.InfiniteTimeSpan };
        Endpoint = $"http://127.0.0.1:{port}";
    }

    public string Endpoint { get; }

    /// <summary>Requests seen, by <see cref="RequestKind"/>.</summary>
    public int Count(string kind) => _counts.GetValueOrDefault(kind);

    public int TotalRequests => _counts.Values.Sum();

    /// <summary>
    /// The count of <paramref name="kind"/> once it is above zero and has not changed for <paramref name="quiet"/>
    /// (or whatever it is after <paramref name="timeout"/>): with every such request held, how many a client keeps in flight.
    /// </summary>
    public async Task<int> SettledCountAsync(string kind, TimeSpan quiet, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var seen = Count(kind);
        var since = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(50).ConfigureAwait(false);
            var now = Count(kind);
            if (now != seen)
            {
                (seen, since) = (now, DateTime.UtcNow);
            }
            else if (now > 0 && DateTime.UtcNow - since >= quiet)
            {
                break;
            }
        }

        return Count(kind);
    }

    /// <summary>Every request in arrival order, with the credentials it was signed with (never checked here).</summary>
    public IReadOnlyList<SignedRequest> Requests => _requests.ToArray();

    /// <summary>
    /// When set, the access key id in the Authorization header is replaced with this before the request goes on: s3rver
    /// knows only its own key id (and does not check SigV4 signatures), so temporary keys from a stand-in pass through.
    /// </summary>
    public string? ForwardAccessKeyAs { get; set; }

    /// <summary>Every request seen, in order of arrival (cleared by <see cref="Reset"/>): method, decoded path, raw query, and whether it copied (x-amz-copy-source).</summary>
    public IReadOnlyList<RecordedRequest> Operations => _operations.ToArray();

    public static async Task<FaultProxy> StartAsync(string upstream)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var proxy = new FaultProxy(app, upstream, port);
        app.Run(proxy.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        return proxy;
    }

    /// <summary>Corrupts (flips one byte of) the body of the next <paramref name="times"/> requests of this kind.</summary>
    public void CorruptNext(string kind, int times = 1, Func<string, bool>? pathFilter = null) => _rules.Enqueue(new Rule(kind, times, Fault.Corrupt, pathFilter));

    /// <summary>Answers the next <paramref name="times"/> requests of this kind with 503 SlowDown.</summary>
    public void SlowDownNext(string kind, int times) => _rules.Enqueue(new Rule(kind, times, Fault.SlowDown, null));

    /// <summary>Answers 500 InternalError to requests of this kind whose path matches, up to <paramref name="times"/> times.</summary>
    public void FailNext(string kind, int times, Func<string, bool>? pathFilter = null) => _rules.Enqueue(new Rule(kind, times, Fault.Fail, pathFilter));

    /// <summary>Lets the first <paramref name="allowed"/> requests of this kind through, then holds every later one until <see cref="Release"/>.</summary>
    public void HoldAfter(string kind, int allowed) => _rules.Enqueue(new Rule(kind, int.MaxValue, Fault.Hold, null) { Allowed = allowed });

    public void Release() => _release.TrySetResult();

    /// <summary>Drops every fault rule and zeroes the counters; held requests stay held until <see cref="Release"/>.</summary>
    public void Reset()
    {
        _rules.Clear();
        _counts.Clear();
        _requests.Clear();
        _operations.Clear();
    }

    /// <summary>The kind of an S3 request: PutObject, UploadPart, CreateMultipart, CompleteMultipart, ListParts, ListObjects, HeadObject, GetObject, DeleteObject, Other.</summary>
    public static string RequestKind(HttpRequest request)
    {
        var query = request.Query;
        return request.Method switch
        {
            "PUT" when query.ContainsKey("partNumber") => "UploadPart",
            "PUT" when request.Path.Value!.Count(c => c == '/') >= 2 => "PutObject",
            "POST" when query.ContainsKey("uploads") => "CreateMultipart",
            "POST" when query.ContainsKey("uploadId") => "CompleteMultipart",
            "GET" when query.ContainsKey("uploadId") => "ListParts",
            "GET" when request.Path.Value!.TrimEnd('/').Count(c => c == '/') == 1 => "ListObjects",
            "GET" => "GetObject",
            "HEAD" => "HeadObject",
            "DELETE" when query.ContainsKey("uploadId") => "AbortMultipart",
            "DELETE" => "DeleteObject",
            _ => "Other",
        };
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _upstream.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var kind = RequestKind(context.Request);
        _requests.Enqueue(SignedRequest.From(kind, context.Request));
        var seen = _counts.AddOrUpdate(kind, 1, (_, n) => n + 1);
        _operations.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "/", context.Request.QueryString.Value ?? "", context.Request.Headers.ContainsKey("x-amz-copy-source")));
        var body = await ReadBodyAsync(context.Request).ConfigureAwait(false);
        foreach (var rule in _rules)
        {
            if (rule.Kind != kind || rule.PathFilter?.Invoke(context.Request.Path.Value!) == false)
            {
                continue;
            }

            if (rule.Fault == Fault.Hold)
            {
                if (seen > rule.Allowed)
                {
                    await _release.Task.WaitAsync(context.RequestAborted).ConfigureAwait(false);
                }

                continue;
            }

            if (Interlocked.Decrement(ref rule.Remaining) < 0)
            {
                continue;
            }

            switch (rule.Fault)
            {
                case Fault.Corrupt when body.Length > 0:
                    body[body.Length / 2] ^= 0xFF;
                    break;
                case Fault.SlowDown:
                    await WriteErrorAsync(context, HttpStatusCode.ServiceUnavailable, "SlowDown", "Please reduce your request rate.").ConfigureAwait(false);
                    return;
                case Fault.Fail:
                    await WriteErrorAsync(context, HttpStatusCode.InternalServerError, "InternalError", "Injected failure.").ConfigureAwait(false);
                    return;
            }

            break;
        }

        await ForwardAsync(context, body).ConfigureAwait(false);
    }

    private async Task ForwardAsync(HttpContext context, byte[] body)
    {
        var request = context.Request;
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path.ToUriComponent() + request.QueryString.ToUriComponent());
        if (body.Length > 0 || request.ContentLength == 0 || request.Method is "PUT" or "POST")
        {
            message.Content = new ByteArrayContent(body);
        }

        foreach (var header in request.Headers)
        {
            if (HopByHop.Contains(header.Key))
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string>)header.Value!))
            {
                message.Content?.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string>)header.Value!);
            }
        }

        message.Headers.Host = request.Host.Value;
        if (ForwardAccessKeyAs is { } forwardAs && message.Headers.TryGetValues("Authorization", out var authorization))
        {
            var value = authorization.First();
            var start = value.IndexOf("Credential=", StringComparison.Ordinal);
            if (start >= 0)
            {
                start += "Credential=".Length;
                value = value[..start] + forwardAs + value[value.IndexOf('/', start)..];
                message.Headers.Remove("Authorization");
                message.Headers.TryAddWithoutValidation("Authorization", value);
            }
        }

        using var response = await _upstream.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopByHop.Contains(header.Key))
            {
                context.Response.Headers[header.Key] = header.Value.ToArray();
            }
        }

        if (response.Content.Headers.ContentLength is { } length)
        {
            context.Response.ContentLength = length;
        }

        if (request.Method != "HEAD")
        {
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private static async Task WriteErrorAsync(HttpContext context, HttpStatusCode status, string code, string message)
    {
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = "application/xml";
        await context.Response.WriteAsync($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>").ConfigureAwait(false);
    }

    private enum Fault
    {
        Corrupt,
        SlowDown,
        Fail,
        Hold,
    }

    private sealed class Rule(string kind, int times, Fault fault, Func<string, bool>? pathFilter)
    {
        public int Remaining = times;

        public string Kind { get; } = kind;
        public Fault Fault { get; } = fault;
        public Func<string, bool>? PathFilter { get; } = pathFilter;
        public int Allowed { get; init; }
    }
}

/// <summary>One request a <see cref="FaultProxy"/> saw.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, bool Copies);
