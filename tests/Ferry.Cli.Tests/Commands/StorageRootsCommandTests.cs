using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Testing;

namespace Ferry.Cli.Tests.Commands;

/// <summary>ferry storage roots: the system administrator lists, adds and removes a company's server folders through the API.</summary>
public sealed class StorageRootsCommandTests(FerryServeFixture server) : IClassFixture<FerryServeFixture>, IDisposable
{
    private readonly TempDirectory _device = new("cli-roots");

    public void Dispose() => _device.Dispose();

    [Fact]
    public async Task StorageRoots_AddListRemove_ChangesTheCompanysFoldersAndRefusesOutsideTheOperatorsRoots()
    {
        var ferry = await SignedInAsync();
        var company = await CompanyAsync();
        var folder = Path.Combine(server.FieldRoot, "team-" + Guid.NewGuid().ToString("N")[..6]);

        var empty = await ferry.RunAsync("storage", "roots", company, "--server", server.Url);
        var added = await ferry.RunAsync("storage", "roots", company, "--add", folder + "/", "--server", server.Url);
        var listed = await ferry.RunAsync("storage", "roots", company, "--server", server.Url);
        var outside = await ferry.RunAsync("storage", "roots", company, "--add", "/etc", "--server", server.Url);
        var both = await ferry.RunAsync("storage", "roots", company, "--add", folder, "--remove", folder, "--server", server.Url);
        var removed = await ferry.RunAsync("storage", "roots", company, "--remove", folder, "--server", server.Url);
        var after = await ferry.RunAsync("storage", "roots", company, "--server", server.Url);

        Assert.True(empty.ExitCode == 0, empty.ToString());
        Assert.Contains("has no server folders", empty.Stdout, StringComparison.Ordinal);
        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Contains($"Added {folder} ", added.Stdout, StringComparison.Ordinal);
        Assert.StartsWith(folder + "\t", listed.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, outside.ExitCode);
        Assert.Single(outside.Stderr.Trim().Split('\n'));
        Assert.Contains("outside the folders the operator allows", outside.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, both.ExitCode);
        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Contains("has no server folders", after.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StorageRoots_FirstCompany_HoldsTheAllowedRootSeededAtStart()
    {
        var ferry = await SignedInAsync();

        var listed = await ferry.RunAsync("storage", "roots", "1", "--server", server.Url);

        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.StartsWith(server.FieldRoot + "\t", listed.Stdout, StringComparison.Ordinal);
    }

    private async Task<FerryProcess> SignedInAsync()
    {
        var ferry = new FerryProcess(_device.Path);
        ferry["FERRY_PASSWORD"] = FerryServeFixture.AdminPassword;
        var login = await ferry.RunAsync("login", server.Url, "--username", "admin");
        Assert.True(login.ExitCode == 0, login.ToString());
        return ferry;
    }

    private async Task<string> CompanyAsync()
    {
        using var admin = await server.AdminAsync();
        var created = await admin.PostAsJsonAsync("/api/companies", new { name = "Roots " + Guid.NewGuid().ToString("N")[..6] });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
