using Ferry.Testing;

namespace Ferry.Cli.Tests.Commands;

/// <summary>
/// The AWS credential chain as the AWS tools resolve it, against loopback stand-ins (<see cref="AwsCredentialStandIn"/>) run by
/// the test: container credentials, IMDSv2 instance metadata and STS web identity, each in a child ferry process whose
/// environment holds only that source. Requests go through a recording <see cref="FaultProxy"/> in front of s3rver, which
/// captures the access key id and X-Amz-Security-Token of every signed request (and forwards with s3rver's own key id).
/// <para>
/// Refresh mid-run: AWSSDK.Core (4.0.102.x) stops using credentials one minute (RefreshingAWSCredentials.ExpirationBuffer)
/// before their Expiration and starts a background refresh once inside PreemptExpiryTime before that (15 minutes for container
/// and web-identity credentials); credentials that short (the issue's 2-minute ones) are inside that window from the start,
/// so the SDK swaps keys on every use. Ferry keeps one set until halfway to that one-minute mark (S3StableCredentials;
/// without it a request went out with the new key and the old token). The test issues first credentials that live
/// 1 minute 10 seconds, i.e. usable for 10 s: the run is held at a PUT by the proxy until those 10 s have passed, so every
/// later request must carry the refreshed key — about 10 s of waiting, decided by the credentials' expiry, not a guess.
/// </para>
/// </summary>
public sealed class CredentialChainTests(S3rverFixture s3rver) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly TempDirectory _home = new("cli-creds");

    public void Dispose() => _home.Dispose();

    private S3rverServer Server => s3rver.Server;

    [Fact]
    public async Task Doctor_ContainerCredentials_NamesSourceAndExpirySignsWithSessionToken()
    {
        await using var standIn = await AwsCredentialStandIn.StartAsync();
        await using var proxy = await StartProxyAsync();
        var bucket = await Server.CreateBucketAsync("creds");
        var ferry = WithoutKeys();
        ferry["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = standIn.ContainerCredentialsUri;

        var result = await ferry.RunAsync("doctor", $"s3://{bucket}/doctor", "--endpoint", proxy.Endpoint);

        Assert.True(result.ExitCode == 0, $"{result}\nstand-in: {string.Join(" | ", standIn.Log)}");
        Assert.Contains("ok    credentials: from container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("temporary, expire ", result.Stdout, StringComparison.Ordinal);
        AssertNoSecretPrinted(result);
        AssertEverySignedRequestCarriesItsToken(proxy, minimumRequests: 3);
    }

    [Fact]
    public async Task Doctor_InstanceMetadataV2_NamesSourceUsesSessionTokenForMetadata()
    {
        await using var standIn = await AwsCredentialStandIn.StartAsync();
        await using var proxy = await StartProxyAsync();
        var bucket = await Server.CreateBucketAsync("imds");
        var ferry = WithoutKeys();
        ferry["AWS_EC2_METADATA_DISABLED"] = null;
        ferry["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = standIn.Endpoint;

        var result = await ferry.RunAsync("doctor", $"s3://{bucket}/doctor", "--endpoint", proxy.Endpoint);

        var log = string.Join(" | ", standIn.Log);
        Assert.True(result.ExitCode == 0, $"{result}\nstand-in: {log}");
        Assert.Contains("ok    credentials: from instance metadata (EC2 instance role)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("PUT /latest/api/token [ttl]", standIn.Log);
        Assert.Contains(standIn.Log, line => line.StartsWith($"GET /latest/meta-data/iam/security-credentials", StringComparison.Ordinal) && line.Contains(AwsCredentialStandIn.RoleName, StringComparison.Ordinal) && line.EndsWith("[imds-token]", StringComparison.Ordinal));
        AssertNoSecretPrinted(result);
        AssertEverySignedRequestCarriesItsToken(proxy, minimumRequests: 3);
    }

    [Fact]
    public async Task Doctor_InstanceMetadataDisabledAndNothingElse_Exit2NoCredentialsFound()
    {
        await using var standIn = await AwsCredentialStandIn.StartAsync();
        var ferry = WithoutKeys();
        ferry["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = standIn.Endpoint;

        var result = await ferry.RunAsync("doctor", "s3://bucket/x", "--endpoint", Server.Endpoint);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("FAIL  credentials: no AWS credentials found", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(standIn.Log);
    }

    [Fact]
    public async Task Upload_WebIdentityCredentialsExpireMidRun_RefreshedEveryLaterRequestCarriesNewKeyAndToken()
    {
        await using var standIn = await AwsCredentialStandIn.StartAsync();
        // The first credentials are usable (by the SDK's reckoning: Expiration less its one-minute ExpirationBuffer) for 10 s;
        // the next live an hour, so exactly one refresh happens.
        standIn.Lifetime = n => n == 1 ? TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(10) : TimeSpan.FromHours(1);
        await using var proxy = await StartProxyAsync();
        proxy.HoldAfter("PutObject", 3);
        var bucket = await Server.CreateBucketAsync("webid");
        var tokenFile = _home.Write("web-identity-token", "eyJhbGciOiJSUzI1NiJ9.stand-in-service-account-token.sig"u8.ToArray());
        var source = Path.Combine(_home.Path, "src");
        for (var i = 0; i < 12; i++)
        {
            _home.Write(Path.Combine("src", $"f{i:00}.bin"), TestData.Bytes(1000 + i, i));
        }

        var ferry = WithoutKeys();
        ferry["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile;
        ferry["AWS_ROLE_ARN"] = $"arn:aws:iam::123456789012:role/{AwsCredentialStandIn.RoleName}";
        ferry["AWS_ROLE_SESSION_NAME"] = "ferry-test";
        ferry["AWS_ENDPOINT_URL_STS"] = standIn.Endpoint;

        // -j 1: one request at a time, so arrival order at the proxy is signing order.
        var run = ferry.RunAsync("upload", source, $"s3://{bucket}/run", "--endpoint", proxy.Endpoint, "-j", "1", "--quiet");
        // The run is held at its 4th object PUT; let it go on once the first credentials are past the point where the SDK
        // stops using them, so the rest of the run must use refreshed ones.
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while (proxy.Count("PutObject") < 4 && !run.IsCompleted)
            {
                await Task.Delay(50, wait.Token);
            }

            Assert.True(standIn.Issued >= 1, string.Join(" | ", standIn.Log));
            var stale = standIn.ExpiryOf(1) - TimeSpan.FromMinutes(1) + TimeSpan.FromMilliseconds(500);
            if (stale > DateTimeOffset.UtcNow)
            {
                await Task.Delay(stale - DateTimeOffset.UtcNow, wait.Token);
            }
        }

        proxy.Release();
        var result = await run;

        var log = string.Join(" | ", standIn.Log);
        Assert.True(result.ExitCode == 0, $"{result}\nstand-in: {log}");
        Assert.Contains(standIn.Log, line => line.Contains("sts Action=AssumeRoleWithWebIdentity", StringComparison.Ordinal) && line.Contains("token-present=True", StringComparison.Ordinal));
        Assert.Equal(TestData.Bytes(1011, 11), await Server.GetObjectAsync(bucket, "run/f11.bin"));

        var requests = proxy.Requests.Where(r => r.AccessKeyId is not null).ToList();
        var keys = requests.Select(r => r.AccessKeyId).ToList();
        Assert.Contains(AwsCredentialStandIn.AccessKeyId(1), keys);
        var firstNew = keys.IndexOf(AwsCredentialStandIn.AccessKeyId(2));
        Assert.True(firstNew > 0, $"the credentials were not refreshed during the run (keys: {string.Join(", ", keys.Distinct())}; stand-in: {log})");
        Assert.All(requests.Skip(firstNew), r => Assert.Equal(AwsCredentialStandIn.AccessKeyId(2), r.AccessKeyId));
        Assert.Contains(requests.Skip(firstNew), r => r.Kind == "PutObject");
        Assert.Equal(2, standIn.Issued);
        AssertEverySignedRequestCarriesItsToken(proxy, minimumRequests: 12);
        // On a custom endpoint Ferry signs every request itself, the listing included (S3DirectClient): the SDK client,
        // built only on first use, is never built for this run.
        Assert.Contains(requests, r => r.Kind == "ListObjects");
        Assert.DoesNotContain(requests, r => r.UserAgent?.Contains("aws-sdk-dotnet", StringComparison.OrdinalIgnoreCase) == true);
    }

    [Fact]
    public async Task Upload_PlaceholderKeysFromContainerCredentials_Exit2()
    {
        // The placeholder refusal covers every source, not only environment keys and profiles.
        await using var standIn = await AwsCredentialStandIn.StartAsync();
        standIn.HandOutPlaceholders = true;
        var ferry = WithoutKeys();
        ferry["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = standIn.ContainerCredentialsUri;
        var source = Path.GetDirectoryName(_home.Write(Path.Combine("placeholder-src", "one.txt"), [1]))!;

        var result = await ferry.RunAsync("upload", source, "s3://bucket/x", "--endpoint", Server.Endpoint);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("the AWS credentials in container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI) are placeholders", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    private FerryProcess WithoutKeys()
    {
        var ferry = new FerryProcess(_home.Path);
        ferry["AWS_ACCESS_KEY_ID"] = null;
        ferry["AWS_SECRET_ACCESS_KEY"] = null;
        return ferry;
    }

    private async Task<FaultProxy> StartProxyAsync()
    {
        var proxy = await FaultProxy.StartAsync(Server.Endpoint);
        proxy.ForwardAccessKeyAs = S3rverServer.AccessKey;
        return proxy;
    }

    private static void AssertEverySignedRequestCarriesItsToken(FaultProxy proxy, int minimumRequests)
    {
        var signed = proxy.Requests.Where(r => r.AccessKeyId is not null).ToList();
        Assert.True(signed.Count >= minimumRequests, $"only {signed.Count} signed requests reached the proxy");
        foreach (var request in signed)
        {
            var n = Generation(request.AccessKeyId!);
            Assert.True(AwsCredentialStandIn.SessionToken(n) == request.SecurityToken, $"{request.Method} ({request.Kind}) signed with {request.AccessKeyId} carried token '{request.SecurityToken}'");
        }
    }

    private static int Generation(string accessKeyId) => int.Parse(accessKeyId["ASIASTANDIN".Length..], System.Globalization.CultureInfo.InvariantCulture);

    private static void AssertNoSecretPrinted(FerryResult result)
    {
        var output = result.Stdout + result.Stderr;
        Assert.DoesNotContain(AwsCredentialStandIn.SecretPrefix, output, StringComparison.Ordinal);
        Assert.DoesNotContain("standin-session-token", output, StringComparison.Ordinal);
        Assert.DoesNotContain("ASIASTANDIN", output, StringComparison.Ordinal);
    }
}
