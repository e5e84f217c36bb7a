using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Testing;

namespace Ferry.Cli.Tests.Commands;

/// <summary>ferry storage add|list|test|grant|remove against a 'ferry serve' process, as its system administrator.</summary>
public sealed class StorageCommandTests(FerryServeFixture server) : IClassFixture<FerryServeFixture>, IDisposable
{
    private readonly TempDirectory _device = new("cli-storage");

    public void Dispose() => _device.Dispose();

    [Fact]
    public async Task AddTestGrantListRemove_WithKeys_WorkAndNeverShowTheSecret()
    {
        var ferry = await SignedInAsync();
        var bucket = await server.S3.CreateBucketAsync("cli");
        var name = "cli-" + Guid.NewGuid().ToString("N")[..8];
        ferry["FERRY_STORAGE_SECRET"] = S3rverServer.SecretKey;
        using var admin = await server.AdminAsync();
        var company = (await admin.GetFromJsonAsync<JsonObject>("/api/auth/me"))!["company_id"]!.GetValue<long>();

        var add = await ferry.RunAsync("storage", "add", name, "--endpoint", server.S3.Endpoint, "--access-key-id", S3rverServer.AccessKey, "--server", server.Url);
        var test = await ferry.RunAsync("storage", "test", name, "--bucket", bucket, "--server", server.Url);
        var grant = await ferry.RunAsync("storage", "grant", name, "--company", company.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bucket", "cli-*", "--server", server.Url);
        var list = await ferry.RunAsync("storage", "list", "--server", server.Url);
        var json = await ferry.RunAsync("storage", "list", "--format", "json", "--server", server.Url);

        Assert.True(add.ExitCode == 0, add.ToString());
        Assert.Contains("credentials: keys", add.Stdout, StringComparison.Ordinal);
        Assert.True(test.ExitCode == 0, test.ToString());
        Assert.Contains("the location works", test.Stdout, StringComparison.Ordinal);
        Assert.True(grant.ExitCode == 0, grant.ToString());
        Assert.Contains($"{company}: cli-*", list.Stdout, StringComparison.Ordinal);
        Assert.Contains(JsonNode.Parse(json.Stdout)!.AsArray(), l => l!["name"]!.GetValue<string>() == name && l["has_secret"]!.GetValue<bool>());
        foreach (var output in new[] { add, test, grant, list, json })
        {
            Assert.DoesNotContain(S3rverServer.SecretKey, output.Stdout + output.Stderr, StringComparison.Ordinal);
        }

        var remove = await ferry.RunAsync("storage", "remove", name, "--server", server.Url);
        Assert.True(remove.ExitCode == 0, remove.ToString());
        Assert.DoesNotContain(name, (await ferry.RunAsync("storage", "list", "--server", server.Url)).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_MissingBucket_Exit1WithTheReason()
    {
        var ferry = await SignedInAsync();
        var name = "cli-missing-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(0, (await ferry.RunAsync("storage", "add", name, "--endpoint", server.S3.Endpoint, "--server", server.Url)).ExitCode);

        var result = await ferry.RunAsync("storage", "test", name, "--bucket", "no-such-bucket-here", "--server", server.Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("could not list", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_UnknownLocation_Exit2WithOneLine()
    {
        var ferry = await SignedInAsync();

        var result = await ferry.RunAsync("storage", "remove", "no-such-location", "--server", server.Url);

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.Contains("no storage location 'no-such-location'", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_KeysWithoutSecret_Exit2NamingTheVariable()
    {
        var ferry = await SignedInAsync();

        var result = await ferry.RunAsync("storage", "add", "no-secret", "--endpoint", server.S3.Endpoint, "--access-key-id", "AKIAEXAMPLE", "--server", server.Url);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("FERRY_STORAGE_SECRET", result.Stderr, StringComparison.Ordinal);
    }

    private async Task<FerryProcess> SignedInAsync()
    {
        var ferry = new FerryProcess(_device.Path);
        ferry["FERRY_PASSWORD"] = FerryServeFixture.AdminPassword;
        var login = await ferry.RunAsync("login", server.Url, "--username", "admin");
        Assert.True(login.ExitCode == 0, login.ToString());
        ferry["FERRY_PASSWORD"] = null;
        return ferry;
    }
}
