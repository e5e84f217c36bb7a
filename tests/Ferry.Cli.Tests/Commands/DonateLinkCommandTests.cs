using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Testing;

namespace Ferry.Cli.Tests.Commands;

/// <summary>A 'ferry serve' process with a donation study on s3rver (its own S3 credentials), for 'ferry donate --link'.</summary>
public sealed class DonationServeFixture : IAsyncLifetime
{
    public const string AdminPassword = "link-admin-password";

    private readonly TempDirectory _home = new("cli-link-serve");
    private Process? _server;

    public S3rverServer S3 { get; private set; } = null!;

    public string Bucket { get; private set; } = "";

    public string Url { get; private set; } = "";

    public string DataDirectory => Path.Combine(_home.Path, "ferry");

    public async Task InitializeAsync()
    {
        S3 = await S3rverServer.StartAsync();
        Bucket = await S3.CreateBucketAsync("link");
        var ferry = new FerryProcess(_home.Path);
        ferry["FERRY_ADMIN_PASSWORD"] = AdminPassword;
        ferry["Ferry__Storage__AllowPrivateEndpoints"] = "true";
        ferry["Ferry__DonationDestination"] = $"s3://{Bucket}/study";
        ferry["Ferry__DonationEndpoint"] = S3.Endpoint;
        ferry["Ferry__S3AccessKeyId"] = S3rverServer.AccessKey;
        ferry["Ferry__S3SecretAccessKey"] = S3rverServer.SecretKey;
        var migrated = await ferry.RunAsync("db", "migrate");
        Assert.True(migrated.ExitCode == 0, migrated.ToString());
        Url = $"http://127.0.0.1:{FreePort.Next()}";
        _server = ferry.Start("serve", "--urls", Url);
        ProcessOutput.Drain(_server);
        await FerryServerClient.WaitUntilHealthyAsync(Url, _server);
    }

    /// <summary>A new donation link of the first company; returns its URL (with the token).</summary>
    public async Task<string> NewLinkAsync(int maxDonations = 100)
    {
        using var admin = await FerryServerClient.SignInAsync(Url, "admin", AdminPassword);
        using var response = await admin.PostAsJsonAsync("/api/donation-links", new { label = "CLI cohort", max_donations = maxDonations });
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return body["url"]?.GetValue<string>() ?? throw new InvalidOperationException(body.ToJsonString());
    }

    public async Task RevokeAllAsync()
    {
        using var admin = await FerryServerClient.SignInAsync(Url, "admin", AdminPassword);
        var links = (await admin.GetFromJsonAsync<JsonArray>("/api/donation-links"))!;
        foreach (var link in links)
        {
            (await admin.PostAsJsonAsync($"/api/donation-links/{link!["id"]}/revoke", new { })).EnsureSuccessStatusCode();
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
            _server.Dispose();
        }

        await S3.DisposeAsync();
        _home.Dispose();
    }
}

/// <summary>'ferry donate --link' as a process with no AWS variables and no key: the server re-keys, the originals are archived after it confirms.</summary>
public sealed class DonateLinkCommandTests(DonationServeFixture server) : IClassFixture<DonationServeFixture>, IDisposable
{
    private readonly TempDirectory _donor = new("cli-link-donor");

    public void Dispose() => _donor.Dispose();

    [Fact]
    public async Task DonateLink_NoAwsVariablesNoKey_KeyedBundleInS3OriginalsArchivedAfterConfirmation()
    {
        var link = await server.NewLinkAsync();
        var tag = "c" + Guid.NewGuid().ToString("N")[..10];
        var folder = Directory.CreateDirectory(Path.Combine(_donor.Path, "trajectories")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(folder, "run.jsonl.gz"), DonationLinkDonor.Corpus(tag, 25));
        var ferry = Donor();

        var result = await ferry.RunAsync("donate", folder, "--link", link, "--consent", "2026-11", "--donor", $"donor.{tag}@example.org", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var answer = JsonNode.Parse(result.Stdout)!;
        var pseudonym = answer["donor"]!.GetValue<string>();
        Assert.Matches("^p_[0-9a-f]{32}$", pseudonym);
        Assert.Equal(25, answer["records"]!.GetValue<long>());
        Assert.True(File.Exists(Path.Combine(folder, "archive", "run.jsonl.gz")));
        Assert.False(File.Exists(Path.Combine(folder, "run.jsonl.gz")));
        var key = Assert.Single(await server.S3.ListKeysAsync(server.Bucket), k => k.Contains(pseudonym, StringComparison.Ordinal));
        var texts = DonationLinkDonor.TextsOf(key, (await server.S3.GetObjectAsync(server.Bucket, key))!).ToList();
        foreach (var planted in DonationLinkDonor.Planted(tag))
        {
            Assert.DoesNotContain(texts, t => t.Text.Contains(planted, StringComparison.Ordinal));
            Assert.DoesNotContain(DonationLinkDonor.TextsUnder(server.DataDirectory), t => t.Text.Contains(planted, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(texts, t => DonationLinkDonor.Digest().IsMatch(t.Text));
        Assert.Contains(texts, t => t.Text.Contains($"keep-{tag}", StringComparison.Ordinal));
        Assert.Contains(pseudonym, File.ReadAllText(Path.Combine(_donor.Path, "ferry", "donations", "ledger.jsonl")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("revoked", "was revoked")]
    [InlineData("unknown", "does not exist")]
    [InlineData("no-fragment", "--link must be the donation link")]
    [InlineData("old-consent", "not the current policy version")]
    public async Task DonateLink_ClosedOrBadLink_Exit2OneLineOriginalsUntouched(string problem, string expected)
    {
        var link = await server.NewLinkAsync();
        if (problem == "revoked")
        {
            await server.RevokeAllAsync();
        }

        link = problem switch
        {
            "unknown" => link[..link.IndexOf('#')] + "#not-a-token",
            "no-fragment" => link[..link.IndexOf('#')],
            _ => link,
        };
        var folder = Directory.CreateDirectory(Path.Combine(_donor.Path, "t-" + problem)).FullName;
        await File.WriteAllBytesAsync(Path.Combine(folder, "run.jsonl.gz"), DonationLinkDonor.Corpus("closed1", 2));

        var result = await Donor().RunAsync("donate", folder, "--link", link, "--consent", problem == "old-consent" ? "2020-01" : "2026-11");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.True(File.Exists(Path.Combine(folder, "run.jsonl.gz")));
        Assert.False(Directory.Exists(Path.Combine(folder, "archive")));
    }

    /// <summary>The donor's machine: no AWS variable at all, no key.</summary>
    private FerryProcess Donor()
    {
        var ferry = new FerryProcess(_donor.Path);
        ferry["AWS_ACCESS_KEY_ID"] = null;
        ferry["AWS_SECRET_ACCESS_KEY"] = null;
        ferry["AWS_REGION"] = null;
        ferry["FERRY_PSEUDONYM_KEY"] = null;
        return ferry;
    }
}
