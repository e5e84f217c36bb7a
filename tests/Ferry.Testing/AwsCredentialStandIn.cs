using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ferry.Testing;

/// <summary>
/// A loopback stand-in for the places AWS hands out temporary credentials, speaking each one's real protocol so the
/// AWS SDK's own resolvers can be tested without a network:
/// <list type="bullet">
/// <item>container credentials (ECS, App Runner): GET <c>/container-credentials</c> → JSON, for AWS_CONTAINER_CREDENTIALS_FULL_URI;</item>
/// <item>EC2 instance metadata, IMDSv2: PUT <c>/latest/api/token</c>, then GET <c>/latest/meta-data/iam/security-credentials/</c>
/// (the role) and <c>…/ROLE</c> (JSON) with the token in X-aws-ec2-metadata-token, for AWS_EC2_METADATA_SERVICE_ENDPOINT;</item>
/// <item>STS AssumeRoleWithWebIdentity (query protocol, XML answer) at <c>/</c>, for AWS_ENDPOINT_URL_STS.</item>
/// </list>
/// The n-th credentials handed out (from 1) have access key id <see cref="AccessKeyId"/>(n), session token <see cref="SessionToken"/>(n)
/// and expire after <see cref="Lifetime"/>(n).
/// </summary>
public sealed class AwsCredentialStandIn : IAsyncDisposable
{
    public const string RoleName = "ferry-test-role";
    public const string SecretPrefix = "standin-secret-";
    private const string ImdsToken = "imds-session-token-for-tests";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _log = new();
    private readonly ConcurrentDictionary<int, DateTimeOffset> _expiries = new();
    private int _issued;

    private AwsCredentialStandIn(WebApplication app, int port)
    {
        _app = app;
        Endpoint = $"http://127.0.0.1:{port}";
    }

    /// <summary>The base URL, e.g. http://127.0.0.1:PORT (no trailing slash).</summary>
    public string Endpoint { get; }

    /// <summary>The container-credentials URL, for AWS_CONTAINER_CREDENTIALS_FULL_URI.</summary>
    public string ContainerCredentialsUri => Endpoint + "/container-credentials";

    /// <summary>How long the n-th credentials (from 1) live. Default one hour.</summary>
    public Func<int, TimeSpan> Lifetime { get; set; } = _ => TimeSpan.FromHours(1);

    /// <summary>When true, hands out the AWS documentation's example keys (placeholders Ferry must refuse).</summary>
    public bool HandOutPlaceholders { get; set; }

    /// <summary>When the n-th credentials handed out expire (as the stand-in told the SDK).</summary>
    public DateTimeOffset ExpiryOf(int n) => _expiries[n];

    /// <summary>How many credentials were handed out.</summary>
    public int Issued => Volatile.Read(ref _issued);

    /// <summary>Every request in arrival order, as "METHOD PATH [detail]": what the SDK asked for, for assertions and failure messages.</summary>
    public IReadOnlyList<string> Log => _log.ToArray();

    public static string AccessKeyId(int n) => $"ASIASTANDIN{n.ToString("D8", CultureInfo.InvariantCulture)}";

    public static string SessionToken(int n) => $"standin-session-token-{n.ToString(CultureInfo.InvariantCulture)}/with+chars=";

    public static async Task<AwsCredentialStandIn> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var standIn = new AwsCredentialStandIn(app, port);
        app.Run(standIn.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        return standIn;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private (string Key, string Secret, string Token, DateTimeOffset Expires) Issue()
    {
        var n = Interlocked.Increment(ref _issued);
        var expires = DateTimeOffset.UtcNow + Lifetime(n);
        _expiries[n] = expires;
        if (HandOutPlaceholders)
        {
            return ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", SessionToken(n), expires);
        }

        return (AccessKeyId(n), SecretPrefix + n.ToString(CultureInfo.InvariantCulture), SessionToken(n), expires);
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var imdsToken = request.Headers["X-aws-ec2-metadata-token"].ToString();
        _log.Enqueue($"{request.Method} {path}{(imdsToken.Length > 0 ? " [imds-token]" : "")}{(request.Headers.ContainsKey("X-aws-ec2-metadata-token-ttl-seconds") ? " [ttl]" : "")}");

        if (request.Method == "GET" && path == "/container-credentials")
        {
            var c = Issue();
            await WriteJsonAsync(context, new Dictionary<string, string>
            {
                ["AccessKeyId"] = c.Key,
                ["SecretAccessKey"] = c.Secret,
                ["Token"] = c.Token,
                ["Expiration"] = Iso(c.Expires),
                ["RoleArn"] = $"arn:aws:iam::123456789012:role/{RoleName}",
            }).ConfigureAwait(false);
            return;
        }

        if (request.Method == "PUT" && path == "/latest/api/token")
        {
            if (!request.Headers.ContainsKey("X-aws-ec2-metadata-token-ttl-seconds"))
            {
                context.Response.StatusCode = 400;
                return;
            }

            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(ImdsToken).ConfigureAwait(false);
            return;
        }

        if (path.StartsWith("/latest/meta-data/iam/security-credentials", StringComparison.Ordinal))
        {
            if (imdsToken != ImdsToken)
            {
                // IMDSv2 only, as an instance with HttpTokens=required answers.
                context.Response.StatusCode = 401;
                return;
            }

            const string extended = "/latest/meta-data/iam/security-credentials-extended";
            const string legacy = "/latest/meta-data/iam/security-credentials";
            var rest = (path.StartsWith(extended, StringComparison.Ordinal) ? path[extended.Length..] : path[legacy.Length..]).Trim('/');
            if (rest.Length == 0)
            {
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync(RoleName).ConfigureAwait(false);
                return;
            }

            if (rest != RoleName)
            {
                context.Response.StatusCode = 404;
                return;
            }

            var c = Issue();
            await WriteJsonAsync(context, new Dictionary<string, string>
            {
                ["Code"] = "Success",
                ["LastUpdated"] = Iso(DateTimeOffset.UtcNow),
                ["Type"] = "AWS-HMAC",
                ["AccessKeyId"] = c.Key,
                ["SecretAccessKey"] = c.Secret,
                ["Token"] = c.Token,
                ["Expiration"] = Iso(c.Expires),
            }).ConfigureAwait(false);
            return;
        }

        if (request.Method == "POST" && path == "/")
        {
            var form = await request.ReadFormAsync().ConfigureAwait(false);
            _log.Enqueue($"  sts Action={form["Action"]} RoleArn={form["RoleArn"]} token-present={!string.IsNullOrEmpty(form["WebIdentityToken"])} content-type={request.ContentType}");
            if (form["Action"] != "AssumeRoleWithWebIdentity" || string.IsNullOrEmpty(form["WebIdentityToken"]))
            {
                context.Response.StatusCode = 400;
                context.Response.ContentType = "text/xml";
                await context.Response.WriteAsync("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>stand-in serves AssumeRoleWithWebIdentity only</Message></Error><RequestId>standin</RequestId></ErrorResponse>").ConfigureAwait(false);
                return;
            }

            var c = Issue();
            context.Response.ContentType = "text/xml";
            await context.Response.WriteAsync($"""
                <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <AssumeRoleWithWebIdentityResult>
                    <SubjectFromWebIdentityToken>system:serviceaccount:ferry:ferry</SubjectFromWebIdentityToken>
                    <Audience>sts.amazonaws.com</Audience>
                    <AssumedRoleUser>
                      <Arn>arn:aws:sts::123456789012:assumed-role/{RoleName}/{form["RoleSessionName"]}</Arn>
                      <AssumedRoleId>AROASTANDIN:{form["RoleSessionName"]}</AssumedRoleId>
                    </AssumedRoleUser>
                    <Credentials>
                      <SessionToken>{System.Security.SecurityElement.Escape(c.Token)}</SessionToken>
                      <SecretAccessKey>{c.Secret}</SecretAccessKey>
                      <Expiration>{Iso(c.Expires)}</Expiration>
                      <AccessKeyId>{c.Key}</AccessKeyId>
                    </Credentials>
                    <Provider>oidc.eks.example</Provider>
                  </AssumeRoleWithWebIdentityResult>
                  <ResponseMetadata><RequestId>standin-{c.Key}</RequestId></ResponseMetadata>
                </AssumeRoleWithWebIdentityResponse>
                """).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = 404;
    }

    private static async Task WriteJsonAsync(HttpContext context, Dictionary<string, string> body)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body)).ConfigureAwait(false);
    }
}
