using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Testing;

namespace Ferry.Cli.Tests.Commands;

/// <summary>
/// File names round-trip byte for byte: on Linux a backslash is part of a name, so the file a\b.wav is the key a\b.wav
/// through 'ferry upload' (direct and through a server session) and comes back as a\b.wav from 'ferry download'; an
/// object that cannot be written locally makes the download exit 1.
/// </summary>
public sealed class FileNameRoundTripTests(FerryServeFixture server) : IClassFixture<FerryServeFixture>, IDisposable
{
    private static readonly Dictionary<string, byte[]> Files = new()
    {
        ["a\\b.wav"] = TestData.Bytes(900, 1),
        ["SN1/c\\d\\e.wav"] = TestData.Bytes(33, 2),
        ["SN1/plain.wav"] = TestData.Bytes(10, 3),
    };

    private readonly TempDirectory _device = new("cli-names");

    public void Dispose() => _device.Dispose();

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task UploadAndDownload_BackslashInFileName_KeyAndLocalNameKeepIt()
    {
        var bucket = await server.S3.CreateBucketAsync("names");
        var source = Source("card");
        var ferry = new FerryProcess(_device.Combine("home"));
        var copy = _device.Combine("copy");

        var upload = await ferry.RunAsync("upload", source, $"s3://{bucket}/C1", "--endpoint", server.S3.Endpoint);
        var keys = await server.S3.ListKeysAsync(bucket);
        var download = await ferry.RunAsync("download", $"s3://{bucket}/C1", copy, "--endpoint", server.S3.Endpoint);

        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.Equal(Files.Keys.Select(k => "C1/" + k).Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
        Assert.True(download.ExitCode == 0, download.ToString());
        Assert.Equal(Files.Keys.Order(StringComparer.Ordinal), Directory.GetFiles(copy, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(copy, f)).Order(StringComparer.Ordinal));
        foreach (var (path, bytes) in Files)
        {
            Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(copy, path)));
        }
    }

    [Fact]
    public async Task UploadThroughServer_BackslashInFileName_KeyKeepsIt()
    {
        var bucket = await server.S3.CreateBucketAsync("namesrv");
        using var admin = await server.AdminAsync();
        await FerryServerClient.GrantBucketAsync(admin, server.S3.Endpoint, bucket);
        var name = "names-" + Guid.NewGuid().ToString("N")[..8];
        var created = await admin.PostAsJsonAsync("/api/projects", new { name, bucket_name = bucket, region = "us-east-1", endpoint_url = server.S3.Endpoint });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        (await admin.PostAsJsonAsync($"/api/projects/{id}/cycles", new { name = "C2" })).EnsureSuccessStatusCode();
        var ferry = new FerryProcess(_device.Combine("laptop"));
        ferry["FERRY_PASSWORD"] = FerryServeFixture.AdminPassword;
        Assert.Equal(0, (await ferry.RunAsync("login", server.Url, "--username", "admin")).ExitCode);

        var upload = await ferry.RunAsync("upload", Source("server-card"), "--server", server.Url, "--project", name, "--cycle", "C2");

        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.Equal(Files.Keys.Select(k => "C2/" + k).Order(StringComparer.Ordinal), (await server.S3.ListKeysAsync(bucket)).Order(StringComparer.Ordinal));
        foreach (var (path, bytes) in Files)
        {
            Assert.Equal(bytes, await server.S3.GetObjectAsync(bucket, "C2/" + path));
        }
    }

    [Fact]
    public async Task Download_ObjectThatCannotBeWrittenLocally_Exit1NamingIt()
    {
        var bucket = await server.S3.CreateBucketAsync("unwritable");
        using (var http = new HttpClient())
        {
            (await http.PutAsync($"{server.S3.Endpoint}/{bucket}/C1/ok.wav", new ByteArrayContent([1, 2, 3]))).EnsureSuccessStatusCode();
            (await http.PutAsync($"{server.S3.Endpoint}/{bucket}/C1/.ferry-partial-reserved.wav", new ByteArrayContent([4]))).EnsureSuccessStatusCode();
        }

        var copy = _device.Combine("copy-unwritable");
        var download = await new FerryProcess(_device.Combine("home2")).RunAsync("download", $"s3://{bucket}/C1", copy, "--endpoint", server.S3.Endpoint);

        Assert.True(download.ExitCode == 1, download.ToString());
        Assert.Contains(".ferry-partial-reserved.wav", download.Stderr + download.Stdout, StringComparison.Ordinal);
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(Path.Combine(copy, "ok.wav")));
    }

    private string Source(string name)
    {
        var source = Directory.CreateDirectory(_device.Combine(name)).FullName;
        foreach (var (path, bytes) in Files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(source, path))!);
            File.WriteAllBytes(Path.Combine(source, path), bytes);
        }

        return source;
    }
}
