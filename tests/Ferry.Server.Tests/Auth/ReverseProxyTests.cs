using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Ferry.Server.Tests.Auth;

/// <summary>A server behind a reverse proxy at 10.0.0.0/24 (<c>Ferry:KnownProxies</c>), with a metrics token.</summary>
public sealed class SqliteProxiedServerFixture : SqliteServerFixture
{
    public const string MetricsToken = "metrics-token-for-tests";

    protected override void AddSettings(Dictionary<string, string?> settings)
    {
        settings["Ferry:KnownProxies:0"] = "10.0.0.0/24";
        settings["Ferry:MetricsToken"] = MetricsToken;
    }
}

/// <summary>
/// Forwarded headers count only from a configured proxy (client address for the sign-in throttle, scheme for the
/// cookie's Secure flag); /metrics asks for its token from every caller, loopback included. Requests are sent with a
/// chosen connection address, as a proxy or an attacker would connect.
/// </summary>
public sealed partial class ReverseProxyTests(SqliteProxiedServerFixture fixture) : IClassFixture<SqliteProxiedServerFixture>
{
    private const string Proxy = "10.0.0.5";
    private const string Stranger = "192.0.2.44";

    private sealed class HasBody : Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => true;
    }

    private sealed record Answer(int Status, IHeaderDictionary Headers, string Body);

    private async Task<Answer> SendAsync(string method, string path, string remote, Dictionary<string, string>? headers = null, HttpContent? content = null)
    {
        var body = content is null ? null : await content.ReadAsByteArrayAsync();
        var context = await fixture.Factory.Server.SendAsync(c =>
        {
            c.Request.Method = method;
            c.Request.Path = path;
            c.Request.Host = new HostString("ferry.example");
            c.Connection.RemoteIpAddress = IPAddress.Parse(remote);
            foreach (var (name, value) in headers ?? [])
            {
                c.Request.Headers[name] = value;
            }

            if (body is not null)
            {
                c.Request.Body = new MemoryStream(body);
                c.Request.ContentLength = body.Length;
                c.Request.ContentType = content!.Headers.ContentType!.ToString();
                c.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>(new HasBody());
            }
        });
        using var reader = new StreamReader(context.Response.Body, Encoding.UTF8);
        return new Answer(context.Response.StatusCode, context.Response.Headers, await reader.ReadToEndAsync());
    }

    private Task<Answer> LoginAsync(string remote, string? forwardedFor, string username, string password) =>
        SendAsync("POST", "/api/auth/login", remote, forwardedFor is null ? null : new() { ["X-Forwarded-For"] = forwardedFor }, JsonContent.Create(new { username, password }));

    private async Task<string> NewUserAsync()
    {
        var tenant = await fixture.NewTenantAsync();
        var username = fixture.UniqueName("proxied");
        await ApiCalls.PostAsync(tenant.Admin, "/api/users", new { username, password = "right-password-1", role = "user" });
        return username;
    }

    [Fact]
    public async Task ForwardedFor_FromAnUnknownAddress_IsIgnoredByTheSignInThrottle()
    {
        var username = await NewUserAsync();
        for (var i = 0; i < 5; i++)
        {
            var failed = await LoginAsync(Stranger, $"203.0.113.{i}", username, "guess-" + i);
            Assert.True(failed.Status == 401, failed.Body);
        }

        var answer = await LoginAsync(Stranger, "203.0.113.99", username, "right-password-1");

        Assert.Equal(429, answer.Status);
    }

    [Fact]
    public async Task ForwardedFor_FromAKnownProxy_IsTheClientAddress()
    {
        var username = await NewUserAsync();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(401, (await LoginAsync(Proxy, "203.0.113.7", username, "guess-" + i)).Status);
        }

        Assert.Equal(429, (await LoginAsync(Proxy, "203.0.113.7", username, "right-password-1")).Status);
        Assert.Equal(200, (await LoginAsync(Proxy, "203.0.113.8", username, "right-password-1")).Status);
    }

    [Fact]
    public async Task SignInCookie_HttpsForwardedByAKnownProxy_IsSecure()
    {
        var cookie = await SignInCookieAsync(Proxy, "https");

        Assert.StartsWith("ferry=", cookie, StringComparison.Ordinal);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SignInCookie_HttpsForwardedByAnUnknownAddress_IsIgnored()
    {
        var cookie = await SignInCookieAsync(Stranger, "https");

        Assert.StartsWith("ferry=", cookie, StringComparison.Ordinal);
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Metrics_TokenConfigured_LoopbackWithoutItIs401()
    {
        var without = await SendAsync("GET", "/metrics", "127.0.0.1");
        var wrong = await SendAsync("GET", "/metrics", "127.0.0.1", new() { ["Authorization"] = "Bearer not-the-token" });
        var with = await SendAsync("GET", "/metrics", "127.0.0.1", new() { ["Authorization"] = "Bearer " + SqliteProxiedServerFixture.MetricsToken });

        Assert.Equal(401, without.Status);
        Assert.Equal(401, wrong.Status);
        Assert.Equal(200, with.Status);
        Assert.Contains("ferry_sessions", with.Body, StringComparison.Ordinal);
    }

    /// <summary>Signs in through the form as the system administrator with X-Forwarded-Proto; the sign-in cookie's Set-Cookie header.</summary>
    private async Task<string> SignInCookieAsync(string remote, string forwardedProto)
    {
        var headers = new Dictionary<string, string> { ["X-Forwarded-Proto"] = forwardedProto };
        var form = await SendAsync("GET", "/signin", remote, headers);
        var token = AntiforgeryToken().Match(form.Body).Groups[1].Value;
        var antiforgery = form.Headers.SetCookie.Select(c => c!.Split(';')[0]).Single(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
        headers["Cookie"] = antiforgery;
        var answer = await SendAsync("POST", "/signin", remote, headers, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Username"] = "admin",
            ["Password"] = ServerFixture.AdminPassword,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
        }));
        Assert.Equal(302, answer.Status);
        return answer.Headers.SetCookie.Single(c => c!.StartsWith("ferry=", StringComparison.Ordinal))!;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
