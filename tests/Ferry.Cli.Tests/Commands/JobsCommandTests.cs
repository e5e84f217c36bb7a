using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Testing;

namespace Ferry.Cli.Tests.Commands;

/// <summary>
/// ferry jobs queue|list|show|cancel against a 'ferry serve' process (no worker runs in it, so a queued job stays queued
/// until cancelled): what the commands print, what they change on the server, and their exit codes.
/// </summary>
public sealed class JobsCommandTests(FerryServeFixture server) : IClassFixture<FerryServeFixture>, IDisposable
{
    private readonly TempDirectory _device = new("cli-jobs");

    public void Dispose() => _device.Dispose();

    [Fact]
    public async Task JobsQueueListShowCancel_QueuedJobSkippingDuplicates_IsListedShownAndCancelledOnTheServer()
    {
        var ferry = await SignedInAsync();
        var project = await ProjectAsync();
        var folder = Folder();

        var queued = await ferry.RunAsync("jobs", "queue", folder, "--project", project, "--cycle", "C2", "--skip-duplicates", "--server", server.Url, "--json");
        Assert.True(queued.ExitCode == 0, queued.ToString());
        var job = JsonNode.Parse(queued.Stdout)!;
        var id = job["id"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var listed = await ferry.RunAsync("jobs", "list", "--status", "queued", "--server", server.Url);
        var listedJson = await ferry.RunAsync("jobs", "list", "--server", server.Url, "--json");
        var shown = await ferry.RunAsync("jobs", "show", id, "--server", server.Url);
        var cancelled = await ferry.RunAsync("jobs", "cancel", id, "--server", server.Url);
        var again = await ferry.RunAsync("jobs", "cancel", id, "--server", server.Url);
        var after = await ferry.RunAsync("jobs", "show", id, "--server", server.Url, "--json");

        Assert.Equal("queued", job["status"]!.GetValue<string>());
        Assert.True(job["skip_duplicates"]!.GetValue<bool>());
        Assert.Equal(folder, job["local_directory"]!.GetValue<string>());
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Contains(listed.Stdout.Split('\n'), line => line.Contains($" {id} ", StringComparison.Ordinal) && line.Contains("queued", StringComparison.Ordinal) && line.Contains(folder, StringComparison.Ordinal));
        Assert.Contains(JsonNode.Parse(listedJson.Stdout)!.AsArray(), j => j!["id"]!.GetValue<long>() == job["id"]!.GetValue<long>());
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains("queued", shown.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{job["session_id"]}: active", shown.Stdout, StringComparison.Ordinal);
        Assert.True(cancelled.ExitCode == 0, cancelled.ToString());
        Assert.Contains($"Job {id}: cancelled", cancelled.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already cancelled", again.Stderr, StringComparison.Ordinal);
        Assert.Single(again.Stderr.Trim().Split('\n'));
        Assert.Equal("cancelled", JsonNode.Parse(after.Stdout)!["status"]!.GetValue<string>());
        using var admin = await server.AdminAsync();
        Assert.Equal("cancelled", (await admin.GetFromJsonAsync<JsonObject>($"/api/jobs/{id}"))!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task JobsQueue_FolderOutsideTheCompanysFoldersOrUnknownCycle_Exit2WithOneLine()
    {
        var ferry = await SignedInAsync();
        var project = await ProjectAsync();

        var outside = await ferry.RunAsync("jobs", "queue", _device.Path, "--project", project, "--cycle", "C2", "--server", server.Url);
        var unknownCycle = await ferry.RunAsync("jobs", "queue", Folder(), "--project", project, "--cycle", "C9", "--server", server.Url);

        Assert.Equal(2, outside.ExitCode);
        Assert.Single(outside.Stderr.Trim().Split('\n'));
        Assert.Equal(2, unknownCycle.ExitCode);
        Assert.Contains("has no cycle 'C9'", unknownCycle.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobsShow_UnknownJob_Exit1_NotSignedIn_Exit2NamingLogin()
    {
        var ferry = await SignedInAsync();

        var unknown = await ferry.RunAsync("jobs", "show", "987654321", "--server", server.Url);
        var notSignedIn = await new FerryProcess(_device.Combine("fresh")).RunAsync("jobs", "list", "--server", server.Url);

        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("has no job 987654321", unknown.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, notSignedIn.ExitCode);
        Assert.Contains("ferry login", notSignedIn.Stderr, StringComparison.Ordinal);
    }

    private string Folder()
    {
        var folder = Path.Combine(server.FieldRoot, "job-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "a.wav"), TestData.Bytes(100, 1));
        return folder;
    }

    private async Task<FerryProcess> SignedInAsync()
    {
        var ferry = new FerryProcess(_device.Path);
        ferry["FERRY_PASSWORD"] = FerryServeFixture.AdminPassword;
        var login = await ferry.RunAsync("login", server.Url, "--username", "admin");
        Assert.True(login.ExitCode == 0, login.ToString());
        return ferry;
    }

    private async Task<string> ProjectAsync()
    {
        var bucket = await server.S3.CreateBucketAsync("jobs");
        using var admin = await server.AdminAsync();
        var name = "jobs-" + Guid.NewGuid().ToString("N")[..8];
        await FerryServerClient.GrantBucketAsync(admin, server.S3.Endpoint, bucket);
        var created = await admin.PostAsJsonAsync("/api/projects", new { name, bucket_name = bucket, region = "us-east-1", endpoint_url = server.S3.Endpoint });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        (await admin.PostAsJsonAsync($"/api/projects/{id}/cycles", new { name = "C2" })).EnsureSuccessStatusCode();
        return name;
    }
}
