using System.CommandLine;
using Ferry.Cli.Stores;
using Ferry.Core.Hashing;
using Ferry.Core.Storage;
using Ferry.Storage.S3;

namespace Ferry.Cli.Commands;

/// <summary>
/// <c>ferry doctor [DEST]</c>: checks the set-up an upload needs, one line per check with the fix
/// for each problem: credentials present and not placeholders (naming their source and expiry), endpoint answering, bucket existing
/// and accepting a probe write, read and delete, and the clock within 5 minutes of the server's.
/// </summary>
internal sealed class DoctorCommand(TimeProvider time)
{
    private static readonly TimeSpan MaximumSkew = TimeSpan.FromMinutes(5);

    private readonly Argument<string?> _destination = new("dest") { Description = "s3://BUCKET[/PREFIX] or a directory to probe", Arity = ArgumentArity.ZeroOrOne };
    private readonly S3Options _s3 = new();

    public Command Build()
    {
        var command = new Command("doctor", "Check credentials, endpoint, bucket (probe write/read/delete) and clock; print each problem with its fix.\n\nExit codes:\n  0  every check passed\n  2  at least one check failed").With(_destination);
        _s3.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var failures = 0;
        void Ok(string check, string detail) => Console.Out.WriteLine($"ok    {check}: {detail}");
        void Fail(string check, string problem)
        {
            failures++;
            Console.Out.WriteLine($"FAIL  {check}: {problem}");
        }

        var location = StoreConnection.ParseLocation(parse.GetValue(_destination) ?? "s3://ferry-doctor-no-bucket");
        var hasDestination = parse.GetValue(_destination) is not null;
        var connection = _s3.Read(parse, 4);
        IObjectStore store;
        try
        {
            store = StoreConnection.Open(location, connection);
            Ok("credentials", location.Scheme == StoreScheme.S3 ? DescribeCredentials((store as S3ObjectStore)?.CredentialSource) : "not needed for a local directory");
        }
        catch (CliException ex)
        {
            Fail("credentials", ex.Message);
            return ExitCodes.UsageOrSetup;
        }

        using var disposeStore = store as IDisposable;
        if (location.Scheme == StoreScheme.S3)
        {
            var endpoint = S3StoreFactory.ResolveEndpoint(connection.Endpoint) ?? new Uri($"https://s3.{connection.Region ?? Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1"}.amazonaws.com/");
            await CheckEndpointAndClockAsync(endpoint, Ok, Fail, cancellationToken);
        }

        if (!hasDestination)
        {
            Console.Out.WriteLine("note  give a destination (ferry doctor s3://BUCKET/PREFIX) to check the bucket and a probe write");
            return failures == 0 ? ExitCodes.Success : ExitCodes.UsageOrSetup;
        }

        try
        {
            await StoreConnection.CheckAccessAsync(store, cancellationToken);
            Ok("bucket", $"{location} exists and the credentials are accepted");
        }
        catch (CliException ex)
        {
            Fail("bucket", ex.Message);
            return ExitCodes.UsageOrSetup;
        }

        await ProbeAsync(store, location.Prefix, Ok, Fail, cancellationToken);
        return failures == 0 ? ExitCodes.Success : ExitCodes.UsageOrSetup;
    }

    /// <summary>The source, key id and expiry of the credentials; never the secret or the session token.</summary>
    private string DescribeCredentials(S3CredentialSource? source)
    {
        if (source is null)
        {
            return "found, not placeholders";
        }

        var expiry = source.Expires is { } expires
            ? $"; temporary, expire {expires.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC (in {Math.Max(0, (expires - time.GetUtcNow()).TotalMinutes):0} min), refreshed before then"
            : source.Temporary ? "; temporary (session token), the source gives no expiry" : "; long-lived keys, no expiry";
        // Like `aws configure list`: the key id's last 4 characters tell keys apart without printing the id.
        var keyId = source.AccessKeyId.Length > 4 ? "****" + source.AccessKeyId[^4..] : "****";
        return $"from {source.Source}, access key id {keyId}{expiry}; not placeholders";
    }

    private async Task CheckEndpointAndClockAsync(Uri endpoint, Action<string, string> ok, Action<string, string> fail, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Head, endpoint);
            using var response = await http.SendAsync(request, cancellationToken);
            ok("endpoint", $"{endpoint.GetLeftPart(UriPartial.Authority)} answers (HTTP {(int)response.StatusCode})");
            if (response.Headers.Date is { } serverTime)
            {
                var skew = serverTime - time.GetUtcNow();
                if (skew.Duration() > MaximumSkew)
                {
                    fail("clock", $"this machine's clock is {skew.Duration().TotalMinutes:0} minutes off the server's; S3 rejects signatures beyond 15 minutes. Set the clock (enable NTP)");
                }
                else
                {
                    ok("clock", $"within {Math.Ceiling(skew.Duration().TotalSeconds)} s of the server's");
                }
            }
            else
            {
                ok("clock", "the server sent no Date header to compare with");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            fail("endpoint", $"{endpoint.GetLeftPart(UriPartial.Authority)} does not answer ({ex.Message}); check --endpoint and that the server is running");
        }
    }

    private async Task ProbeAsync(IObjectStore store, string prefix, Action<string, string> ok, Action<string, string> fail, CancellationToken cancellationToken)
    {
        var key = ObjectKey.Join(prefix, $".ferry-doctor-{Guid.NewGuid():N}");
        var body = System.Text.Encoding.UTF8.GetBytes($"ferry doctor probe {time.GetUtcNow():O}\n");
        var md5 = ContentHashes.Md5Hex(body);
        try
        {
            using (var content = new ReadOnlyMemoryStream(body))
            {
                await store.PutAsync(key, content, body.Length, new ObjectWriteOptions(ContentHashes.Sha256Hex(body), ContentHashes.Md5Base64(md5)), cancellationToken);
            }

            ok("write", $"wrote probe object {key}");
            await using (var read = await store.OpenReadAsync(key, cancellationToken))
            {
                using var copy = new MemoryStream();
                await read.CopyToAsync(copy, cancellationToken);
                if (copy.ToArray().AsSpan().SequenceEqual(body))
                {
                    ok("read", "read the probe back byte for byte");
                }
                else
                {
                    fail("read", "the probe came back with different bytes; the server or a proxy alters request bodies (for s3rver, send plain bodies)");
                }
            }

            await store.DeleteAsync(key, cancellationToken);
            ok("delete", "deleted the probe object");
        }
        catch (StoreException ex)
        {
            fail("probe", $"{ex.Message}; grant s3:PutObject, s3:GetObject and s3:DeleteObject on the prefix");
        }
    }
}
