using Ferry.Testing;

namespace Ferry.Cli.Tests.Commands;

/// <summary>Bad input: one line on stderr naming the problem and the fix, exit code 2, no stack trace, nothing written.</summary>
public sealed class UploadCommandErrorTests(S3rverFixture s3rver) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly TempDirectory _home = new("cli-home");

    public void Dispose() => _home.Dispose();

    private S3rverServer Server => s3rver.Server;

    [Fact]
    public async Task Upload_MissingSource_Exit2NamesThePath()
    {
        var result = await Ferry().RunAsync("upload", "/no/such/folder", "s3://bucket/p", "--endpoint", Server.Endpoint);

        AssertOneLineError(result, "does not exist");
        Assert.Contains("/no/such/folder", result.Stderr);
    }

    [Fact]
    public async Task Upload_SourceIsAFile_Exit2()
    {
        var file = _home.Write("file.txt", [1]);

        var result = await Ferry().RunAsync("upload", file, "s3://bucket/p", "--endpoint", Server.Endpoint);

        AssertOneLineError(result, "is a file");
    }

    [Theory]
    [InlineData("s3://")]
    [InlineData("s3://a")]
    [InlineData("s3://bad bucket/x")]
    [InlineData("ftp://host/x")]
    [InlineData("s3://bucket/../x")]
    public async Task Upload_InvalidDestination_Exit2(string destination)
    {
        var result = await Ferry().RunAsync("upload", Source(), destination, "--endpoint", Server.Endpoint);

        AssertOneLineError(result, destination.StartsWith("ftp", StringComparison.Ordinal) ? "scheme" : "s3://");
    }

    [Theory]
    [InlineData("s4:/b", "s3://b")]
    [InlineData("S3://b", "s3://b")]
    [InlineData("s3:/b", "s3://b")]
    [InlineData("s3:b", "s3://b")]
    public async Task Upload_MistypedScheme_Exit2DidYouMean(string destination, string suggestion)
    {
        var result = await Ferry().RunAsync("upload", Source(), destination, "--endpoint", Server.Endpoint);

        AssertOneLineError(result, $"did you mean {suggestion}");
        Assert.False(Directory.Exists(Path.GetFullPath(destination)), "a folder named like the mistyped destination was created");
    }

    [Fact]
    public async Task Download_MistypedScheme_Exit2DidYouMean()
    {
        var result = await Ferry().RunAsync("download", "s3:/b/C1", _home.Combine("back"), "--endpoint", Server.Endpoint);

        AssertOneLineError(result, "did you mean s3://b/C1");
    }

    [Fact]
    public async Task Cat_MistypedScheme_Exit2DidYouMean()
    {
        var result = await Ferry().RunAsync("cat", "S3://b/C1/a.WAV", "--endpoint", Server.Endpoint);

        AssertOneLineError(result, "did you mean s3://b/C1/a.WAV");
    }

    [Fact]
    public async Task Upload_NoCredentials_Exit2SaysHowToSetThem()
    {
        var ferry = Ferry();
        ferry["AWS_ACCESS_KEY_ID"] = null;
        ferry["AWS_SECRET_ACCESS_KEY"] = null;

        var result = await ferry.RunAsync("upload", Source(), "s3://bucket/p", "--endpoint", Server.Endpoint);

        AssertOneLineError(result, "no AWS credentials found");
        Assert.Contains("AWS_ACCESS_KEY_ID", result.Stderr);
    }

    [Theory]
    [InlineData("PLACEHOLDER", "PLACEHOLDER")]
    [InlineData("your-key", "your-secret")]
    [InlineData("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")]
    public async Task Upload_PlaceholderCredentials_Exit2(string key, string secret)
    {
        var ferry = Ferry();
        ferry["AWS_ACCESS_KEY_ID"] = key;
        ferry["AWS_SECRET_ACCESS_KEY"] = secret;

        var result = await ferry.RunAsync("upload", Source(), "s3://bucket/p", "--endpoint", Server.Endpoint);

        AssertOneLineError(result, "placeholders");
    }

    [Fact]
    public async Task Upload_MissingSecret_Exit2()
    {
        var ferry = Ferry();
        ferry["AWS_SECRET_ACCESS_KEY"] = null;

        var result = await ferry.RunAsync("upload", Source(), "s3://bucket/p", "--endpoint", Server.Endpoint);

        AssertOneLineError(result, "secret access key is missing");
    }

    [Fact]
    public async Task Upload_WrongAccessKeyId_Exit2BeforeTransferring()
    {
        var bucket = await Server.CreateBucketAsync("wrongkey");
        var ferry = Ferry();
        ferry["AWS_ACCESS_KEY_ID"] = "AKIAWRONGWRONGWRONG1";

        var result = await ferry.RunAsync("upload", Source(), $"s3://{bucket}/p", "--endpoint", Server.Endpoint);

        AssertOneLineError(result, "access key id is not known");
        Assert.Empty(await Server.ListKeysAsync(bucket));
    }

    [Fact]
    public async Task Upload_UnknownBucket_Exit2NamesTheBucket()
    {
        var result = await Ferry().RunAsync("upload", Source(), "s3://no-such-bucket-here/p", "--endpoint", Server.Endpoint);

        AssertOneLineError(result, "bucket 'no-such-bucket-here' does not exist");
    }

    [Fact]
    public async Task Upload_UnreachableEndpoint_Exit2Quickly()
    {
        var closedPort = FreePort.Next();

        var result = await Ferry().RunAsync("upload", Source(), "s3://bucket/p", "--endpoint", $"http://127.0.0.1:{closedPort}");

        AssertOneLineError(result, "cannot connect");
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1:9")]
    public async Task Upload_MalformedEndpoint_Exit2(string endpoint)
    {
        var result = await Ferry().RunAsync("upload", Source(), "s3://bucket/p", "--endpoint", endpoint);

        AssertOneLineError(result, "not a valid endpoint");
    }

    [Fact]
    public async Task Upload_MalformedConfig_Exit2()
    {
        var config = _home.Write("bad.json", "{ \"bucket_name\": "u8.ToArray());

        var result = await Ferry().RunAsync("upload", "--config", config);

        AssertOneLineError(result, "not valid JSON");
    }

    [Fact]
    public async Task Upload_UnknownConfigKeys_Exit2NamesThem()
    {
        var config = _home.Write("unknown.json", """{ "bucket_name": "b", "max_wrokers": 4, "colour": "red" }"""u8.ToArray());

        var result = await Ferry().RunAsync("upload", Source(), "--config", config);

        AssertOneLineError(result, "unknown key(s)");
        Assert.Contains("'max_wrokers'", result.Stderr);
        Assert.Contains("'colour'", result.Stderr);
    }

    [Fact]
    public async Task Upload_UnknownOption_Exit2()
    {
        var result = await Ferry().RunAsync("upload", Source(), "s3://b/p", "--no-such-option");

        AssertOneLineError(result, "--no-such-option");
    }

    [Theory]
    [InlineData("--concurrency", "0")]
    [InlineData("--part-size", "1MiB")]
    [InlineData("--part-size", "lots")]
    [InlineData("--retries", "-1")]
    public async Task Upload_OptionOutOfRange_Exit2(string option, string value)
    {
        var result = await Ferry().RunAsync("upload", Source(), "s3://bucket/p", "--endpoint", Server.Endpoint, option, value);

        AssertOneLineError(result, option);
    }

    [Fact]
    public async Task UploadHelp_ListsExitCodes()
    {
        var result = await Ferry().RunAsync("upload", "--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var code in new[] { "0 ", "1 ", "2 ", "130" })
        {
            Assert.Contains(code, result.Stdout);
        }
    }

    private FerryProcess Ferry() => new(_home.Path);

    private string Source()
    {
        var source = _home.Combine("src-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(source);
        File.WriteAllBytes(Path.Combine(source, "a.txt"), [1, 2, 3]);
        return source;
    }

    private static void AssertOneLineError(FerryResult result, string expected)
    {
        Assert.True(result.ExitCode == 2, result.ToString());
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, result.ToString());
        Assert.StartsWith("ferry: error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", result.Stderr);
    }
}
