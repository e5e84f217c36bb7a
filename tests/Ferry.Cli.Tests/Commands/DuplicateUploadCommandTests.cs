using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Ferry.Testing;

namespace Ferry.Cli.Tests.Commands;

/// <summary>
/// 'ferry upload --skip-duplicates' as a process: through a Ferry server across two cycles and two clients (the CLI,
/// then a browser-style session that hashes before registering), and straight to S3 with the journal's index.
/// </summary>
public sealed class DuplicateUploadCommandTests(FerryServeFixture server) : IClassFixture<FerryServeFixture>, IDisposable
{
    private readonly TempDirectory _device = new("cli-dupes");

    public void Dispose() => _device.Dispose();

    [Fact]
    public async Task UploadThroughServer_CardCopiedIntoNextCycle_SkipsDuplicatesAndTheSessionListsThem()
    {
        var (project, projectId, bucket) = await ProjectAsync();
        var wav = TestData.Bytes(70_000, 1);
        var big = TestData.Bytes(17 * 1024 * 1024, 2);
        var card = Write("card", new() { ["SN1/a.WAV"] = wav, ["SN1/big.MP4"] = big });
        var copy = Write("card-again", new() { ["SN1-renamed/a.WAV"] = wav, ["SN1-renamed/big.MP4"] = big, ["SN1-renamed/new.WAV"] = TestData.Bytes(900, 3) });
        var ferry = await SignedInDeviceAsync();

        var first = await ferry.RunAsync("upload", card, "--server", server.Url, "--project", project, "--cycle", "C1", "--skip-duplicates");
        var second = await ferry.RunAsync("upload", copy, "--server", server.Url, "--project", project, "--cycle", "C2", "--skip-duplicates");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("completed (1 uploaded, 2 already there, 0 failed, 0 pending)", second.Stdout, StringComparison.Ordinal);
        Assert.Contains("duplicate, not uploaded: SN1-renamed/a.WAV: duplicate of C1/SN1/a.WAV", second.Stderr, StringComparison.Ordinal);
        Assert.Contains("duplicate, not uploaded: SN1-renamed/big.MP4: duplicate of C1/SN1/big.MP4", second.Stderr, StringComparison.Ordinal);
        Assert.Equal(["C1/SN1/a.WAV", "C1/SN1/big.MP4", "C2/SN1-renamed/new.WAV"], (await server.S3.ListKeysAsync(bucket)).Order(StringComparer.Ordinal));
        using var admin = await server.AdminAsync();
        var session = (await admin.GetFromJsonAsync<JsonArray>($"/api/sessions?project_id={projectId}"))![0]!["id"]!.GetValue<long>();
        var files = (await admin.GetFromJsonAsync<JsonObject>($"/api/sessions/{session}/files"))!["files"]!.AsArray();
        Assert.Equal("C1/SN1/a.WAV", files.Single(f => f!["path"]!.GetValue<string>() == "SN1-renamed/a.WAV")!["duplicate_of"]!.GetValue<string>());

        // A second client, the browser's protocol, in a third cycle: it hashes, registers, and is told the same.
        var cycle3 = await CycleAsync(admin, projectId, "C3");
        var created = await admin.PostAsJsonAsync("/api/sessions", new { project_id = projectId, cycle_id = cycle3, client = "browser" });
        var browserSession = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        var registered = await admin.PostAsJsonAsync($"/api/sessions/{browserSession}/files", new
        {
            files = new[] { new { path = "x/a.WAV", size = wav.Length, sha256 = Convert.ToHexStringLower(SHA256.HashData(wav)) } },
            skip_duplicates = true,
        });
        var answer = (await registered.Content.ReadFromJsonAsync<JsonObject>())!["files"]![0]!;
        Assert.Equal("duplicate", answer["status"]!.GetValue<string>());
        Assert.Equal("C1/SN1/a.WAV", answer["duplicate_of"]!.GetValue<string>());
    }

    [Fact]
    public async Task UploadToS3_SameCardTwiceIntoTwoPrefixes_SecondSkipsAndSessionsShowListsTheCopy()
    {
        var bucket = await server.S3.CreateBucketAsync("direct");
        var bytes = TestData.Bytes(5000, 4);
        var card = Write("direct-card", new() { ["SN7/a.WAV"] = bytes });
        var ferry = new FerryProcess(_device.Combine("direct"));

        var first = await ferry.RunAsync("upload", card, $"s3://{bucket}/C1", "--endpoint", server.S3.Endpoint, "--skip-duplicates");
        var second = await ferry.RunAsync("upload", card, $"s3://{bucket}/C2", "--endpoint", server.S3.Endpoint, "--skip-duplicates", "--json");
        var shown = await ferry.RunAsync("sessions", "show", "2", "--outcome", "duplicate");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("\"outcome\":\"duplicate\"", second.Stdout, StringComparison.Ordinal);
        Assert.Contains("duplicate SN7/a.WAV: duplicate of C1/SN7/a.WAV", shown.Stdout, StringComparison.Ordinal);
        Assert.Equal(["C1/SN7/a.WAV"], await server.S3.ListKeysAsync(bucket));
    }

    private string Write(string folder, Dictionary<string, byte[]> files)
    {
        foreach (var (path, bytes) in files)
        {
            _device.Write(folder + "/" + path, bytes);
        }

        return _device.Combine(folder);
    }

    private async Task<FerryProcess> SignedInDeviceAsync()
    {
        var ferry = new FerryProcess(_device.Combine("laptop"));
        ferry["AWS_ACCESS_KEY_ID"] = null;
        ferry["AWS_SECRET_ACCESS_KEY"] = null;
        ferry["FERRY_PASSWORD"] = FerryServeFixture.AdminPassword;
        var login = await ferry.RunAsync("login", server.Url, "--username", "admin");
        Assert.True(login.ExitCode == 0, login.ToString());
        return ferry;
    }

    private async Task<(string Name, long Id, string Bucket)> ProjectAsync()
    {
        var bucket = await server.S3.CreateBucketAsync("dupes");
        using var admin = await server.AdminAsync();
        var name = "project-" + Guid.NewGuid().ToString("N")[..8];
        await FerryServerClient.GrantBucketAsync(admin, server.S3.Endpoint, bucket);
        var created = await admin.PostAsJsonAsync("/api/projects", new { name, bucket_name = bucket, region = "us-east-1", endpoint_url = server.S3.Endpoint });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        await CycleAsync(admin, id, "C1");
        await CycleAsync(admin, id, "C2");
        return (name, id, bucket);
    }

    private static async Task<long> CycleAsync(HttpClient admin, long projectId, string name)
    {
        var created = await admin.PostAsJsonAsync($"/api/projects/{projectId}/cycles", new { name, s3_prefix = name });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
    }
}
