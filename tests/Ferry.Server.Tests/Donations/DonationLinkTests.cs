using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Ferry.Server.Data;
using Ferry.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Tests.Donations;

/// <summary>
/// Donation links against s3rver and a real database: an admin's link, a donor with no account sending a salted-digest
/// bundle in resumable chunks, the server re-keying it; no raw identifier on the server's disk, in its database or in
/// S3, no digest in S3 or the database; closed, used-up and over-size links refused with one sentence.
/// </summary>
public abstract class DonationLinkTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task LinkDonation_ResumedUpload_KeyedBundleInS3AndNoRawIdentifierOrDigestOnDiskInTheDatabaseOrS3()
    {
        var tenant = await fixture.NewTenantAsync();
        var (token, _) = await CreateLinkAsync(tenant.Admin);
        var donor = fixture.Anonymous();
        var info = await DonationLinkDonor.InfoAsync(donor, token);
        var tag = "q" + Guid.NewGuid().ToString("N")[..10];
        using var home = new TempDirectory("link-donor");
        var log = Path.Combine(home.Path, "run.jsonl.gz");
        await File.WriteAllBytesAsync(log, DonationLinkDonor.Corpus(tag, 40));
        var bundle = await DonationLinkDonor.BundleAsync(info, [log], $"donor.{tag}@example.org", Path.Combine(home.Path, "staging"));
        var bytes = await File.ReadAllBytesAsync(bundle.Path);
        Assert.DoesNotContain(DonationLinkDonor.Planted(tag), p => DonationLinkDonor.TextsOf("bundle", bytes).Any(t => t.Text.Contains(p, StringComparison.Ordinal))); // nothing raw leaves the donor

        using var started = await DonationLinkDonor.StartAsync(donor, token, bytes.Length, bundle.Sha256, info["policy_version"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var half = bytes.Length / 2;
        (await DonationLinkDonor.ChunkAsync(donor, token, id, bytes, 0, half)).EnsureSuccessStatusCode();
        using (var wrongOffset = await DonationLinkDonor.ChunkAsync(donor, token, id, bytes, 0, 10)) // a client that lost track
        {
            Assert.Equal(HttpStatusCode.Conflict, wrongOffset.StatusCode);
            Assert.Equal(half.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(wrongOffset.Headers.GetValues("Upload-Offset")));
        }

        using (var status = DonationLinkDonor.Request(HttpMethod.Get, $"/api/link/uploads/{id}", token))
        {
            Assert.Equal(half, (await ApiCalls.ReadAsync(await donor.SendAsync(status), HttpStatusCode.OK))["offset"]!.GetValue<long>());
        }

        (await DonationLinkDonor.ChunkAsync(donor, token, id, bytes, half, bytes.Length)).EnsureSuccessStatusCode();
        using var finish = DonationLinkDonor.Request(HttpMethod.Post, $"/api/link/uploads/{id}/finish", token);
        var donation = await ApiCalls.ReadAsync(await donor.SendAsync(finish), HttpStatusCode.OK);

        Assert.Equal(40, donation["records"]!.GetValue<long>());
        var pseudonym = donation["donor"]!.GetValue<string>();
        Assert.Matches("^p_[0-9a-f]{32}$", pseudonym);
        var key = Assert.Single(await fixture.S3.ListKeysAsync(fixture.DonationBucket), k => k.Contains(pseudonym, StringComparison.Ordinal));
        var stored = TrainingLogs.Unzip((await fixture.S3.GetObjectAsync(fixture.DonationBucket, key))!);
        Assert.Equal("ferry-donation/1", JsonNode.Parse(stored["manifest.json"])!["format"]!.GetValue<string>());
        var records = stored["part-0001.jsonl.gz"].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(40, records.Count);
        Assert.All(records, r => Assert.Equal($"keep-{tag}", r["payload"]!.GetValue<string>())); // the payload is intact
        Assert.Single(records.Select(r => r["user_id"]!.GetValue<string>()).Distinct()); // one pseudonym per identifier: records still link
        Assert.Matches("^p_[0-9a-f]{32}$", records[0]["user_id"]!.GetValue<string>());
        Assert.Matches(@"<email:p_[0-9a-f]{32}>", records[0]["prompt"]!.GetValue<string>());

        // Nowhere: S3 (every object, every member decompressed), the database (every row of every table), the data folder.
        var everywhere = new List<(string Where, string Text)>();
        foreach (var objectKey in await fixture.S3.ListKeysAsync(fixture.DonationBucket))
        {
            everywhere.AddRange(DonationLinkDonor.TextsOf("s3:" + objectKey, (await fixture.S3.GetObjectAsync(fixture.DonationBucket, objectKey))!));
        }

        var s3Only = everywhere.Count;
        everywhere.Add(("database", await DatabaseTextAsync()));
        everywhere.AddRange(DonationLinkDonor.TextsUnder(fixture.DataDirectory));
        foreach (var planted in DonationLinkDonor.Planted(tag).Append($"donor.{tag}@example.org"))
        {
            Assert.DoesNotContain(everywhere, t => t.Text.Contains(planted, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(everywhere.Take(s3Only), t => DonationLinkDonor.Digest().IsMatch(t.Text));
        var digestOfUser = DonationLinkDonor.DigestOf(info, $"user-{tag}");
        Assert.DoesNotContain(everywhere, t => t.Text.Contains(digestOfUser, StringComparison.Ordinal)); // and the digest form is deleted from the server
        Assert.Empty(Directory.Exists(Path.Combine(fixture.DataDirectory, "donations", "links")) ? Directory.GetFiles(Path.Combine(fixture.DataDirectory, "donations", "links")) : []);

        var export = await tenant.Admin.GetStringAsync("/api/donations/export?days=1&format=jsonl");
        Assert.Equal(40, export.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains(pseudonym, StringComparison.Ordinal)));
        Assert.Equal(1, (await LinksAsync(tenant.Admin))[0]!["donations"]!.GetValue<int>());
    }

    [Fact]
    public async Task CreateLink_TokenShownOnceStoredHashedNeverListedOrLogged()
    {
        var tenant = await fixture.NewTenantAsync();
        var (token, url) = await CreateLinkAsync(tenant.Admin);

        Assert.EndsWith("/donate#" + token, url, StringComparison.Ordinal);
        Assert.DoesNotContain(token, (await tenant.Admin.GetStringAsync("/api/donation-links")), StringComparison.Ordinal);
        Assert.DoesNotContain(token, await DatabaseTextAsync(), StringComparison.Ordinal);
        await DonationLinkDonor.InfoAsync(fixture.Anonymous(), token);
        Assert.DoesNotContain(fixture.Logs.Messages, m => m.Contains(token, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(tenant.User, HttpMethod.Post, "/api/donation-links", new { label = "not mine" }));
    }

    [Fact]
    public async Task Link_RevokedExpiredOrUnknown_RefusedWithASentence()
    {
        var tenant = await fixture.NewTenantAsync();
        var (revoked, _) = await CreateLinkAsync(tenant.Admin);
        var revokedId = (await LinksAsync(tenant.Admin))[0]!["id"]!.GetValue<long>();
        await ApiCalls.PostAsync(tenant.Admin, $"/api/donation-links/{revokedId}/revoke", new { });
        var (expired, _) = await CreateLinkAsync(tenant.Admin);
        var expiredId = (await LinksAsync(tenant.Admin))[0]!["id"]!.GetValue<long>();
        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            await db.DonationLinks.Where(l => l.Id == expiredId).ExecuteUpdateAsync(l => l.SetProperty(x => x.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(-1)));
        }

        var anonymous = fixture.Anonymous();
        foreach (var (token, status, words) in new[] { (revoked, HttpStatusCode.Gone, "was revoked"), (expired, HttpStatusCode.Gone, "expired on"), ("no-such-token", HttpStatusCode.NotFound, "does not exist") })
        {
            using var info = DonationLinkDonor.Request(HttpMethod.Get, "/api/link", token);
            using var response = await anonymous.SendAsync(info);
            Assert.Equal(status, response.StatusCode);
            Assert.Contains(words, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            using var start = await DonationLinkDonor.StartAsync(anonymous, token, 100, null, "2026-11");
            Assert.Equal(status, start.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/link")).StatusCode);
    }

    [Fact]
    public async Task CreateLink_PastTheOpenLinkCap_409UntilOneIsRevokedAndOtherCompaniesUnaffected()
    {
        var tenant = await fixture.NewTenantAsync();
        for (var i = 0; i < Ferry.Server.Donations.DonationLinks.MaximumOpenLinks; i++)
        {
            await CreateLinkAsync(tenant.Admin);
        }

        var refused = await ApiCalls.PostAsync(tenant.Admin, "/api/donation-links", new { label = "one too many" }, HttpStatusCode.Conflict);
        Assert.Contains("500 open donation links", refused["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var links = await LinksAsync(tenant.Admin);
        Assert.Equal(Ferry.Server.Donations.DonationLinks.MaximumOpenLinks, links.Count); // every open link is listed, so each can be revoked

        await CreateLinkAsync((await fixture.NewTenantAsync()).Admin); // the cap is per company
        await ApiCalls.PostAsync(tenant.Admin, $"/api/donation-links/{links[0]!["id"]!.GetValue<long>()}/revoke", new { });
        await CreateLinkAsync(tenant.Admin); // a revoked link no longer counts
        await ApiCalls.PostAsync(tenant.Admin, "/api/donation-links", new { label = "again one too many" }, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Link_PastMaxDonationsOrMaxBytes_RefusedAndNothingKept()
    {
        var tenant = await fixture.NewTenantAsync();
        var (token, _) = await CreateLinkAsync(tenant.Admin, maxBytes: 200_000, maxDonations: 1);
        var anonymous = fixture.Anonymous();
        var info = await DonationLinkDonor.InfoAsync(anonymous, token);
        var version = info["policy_version"]!.GetValue<string>();
        using var home = new TempDirectory("link-donor");
        var log = Path.Combine(home.Path, "a.jsonl.gz");
        await File.WriteAllBytesAsync(log, DonationLinkDonor.Corpus("limits1", 5));
        var bundle = await DonationLinkDonor.BundleAsync(info, [log], "someone", Path.Combine(home.Path, "s1"));

        using (var tooLarge = await DonationLinkDonor.StartAsync(anonymous, token, 200_001, null, version))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
            Assert.Contains("200,000 bytes", await tooLarge.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var noConsent = await DonationLinkDonor.StartAsync(anonymous, token, 1000, null, "1999-01"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noConsent.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await DonationLinkDonor.DonateAsync(anonymous, token, bundle.Path, version)).StatusCode);
        using var second = await DonationLinkDonor.DonateAsync(anonymous, token, bundle.Path, version);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains("has taken the 1 donation(s) it allows", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LinkDonation_TamperedBundle_422AndNothingKept()
    {
        var tenant = await fixture.NewTenantAsync();
        var (token, _) = await CreateLinkAsync(tenant.Admin);
        var anonymous = fixture.Anonymous();
        var info = await DonationLinkDonor.InfoAsync(anonymous, token);
        using var home = new TempDirectory("link-donor");
        var log = Path.Combine(home.Path, "a.jsonl.gz");
        await File.WriteAllBytesAsync(log, DonationLinkDonor.Corpus("tamper1", 3));
        var bundle = await DonationLinkDonor.BundleAsync(info, [log], "someone", Path.Combine(home.Path, "s1"));
        var tampered = Path.Combine(home.Path, "tampered.zip");
        File.Copy(bundle.Path, tampered);
        using (var zip = System.IO.Compression.ZipFile.Open(tampered, System.IO.Compression.ZipArchiveMode.Update))
        {
            zip.GetEntry("part-0001.jsonl.gz")!.Delete();
            using var writer = zip.CreateEntry("part-0001.jsonl.gz").Open();
            writer.Write(TrainingLogs.Gzip("""{"user_id":"raw-identifier"}""" + "\n"));
        }

        using var refused = await DonationLinkDonor.DonateAsync(anonymous, token, tampered, info["policy_version"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("does not match the size or SHA-256", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, (await LinksAsync(tenant.Admin))[0]!["donations"]!.GetValue<int>());
        Assert.Empty(await (await tenant.Admin.GetAsync("/api/donations/export?days=1&format=jsonl")).Content.ReadAsStringAsync());
        Assert.DoesNotContain(DonationLinkDonor.TextsUnder(fixture.DataDirectory), t => t.Text.Contains("raw-identifier", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LinkDonation_DeflateBombPart_422BeforeItIsUnpackedAndNothingKept()
    {
        var tenant = await fixture.NewTenantAsync();
        var (token, _) = await CreateLinkAsync(tenant.Admin);
        var anonymous = fixture.Anonymous();
        var info = await DonationLinkDonor.InfoAsync(anonymous, token);
        using var home = new TempDirectory("link-bomb");
        var log = Path.Combine(home.Path, "a.jsonl.gz");
        await File.WriteAllBytesAsync(log, DonationLinkDonor.Corpus("bomb1", 3));
        var bundle = await DonationLinkDonor.BundleAsync(info, [log], "someone", Path.Combine(home.Path, "s1"));
        var bomb = Path.Combine(home.Path, "bomb.zip");
        File.Copy(bundle.Path, bomb);
        var zeros = new byte[64 << 20]; // 64 MiB that deflate to about 64 KiB
        using (var zip = System.IO.Compression.ZipFile.Open(bomb, System.IO.Compression.ZipArchiveMode.Update))
        {
            JsonNode manifest;
            using (var reader = zip.GetEntry("manifest.json")!.Open())
            {
                manifest = JsonNode.Parse(reader)!;
            }

            var part = manifest["files"]!.AsArray()[0]!;
            part["bytes"] = zeros.Length;
            part["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(zeros));
            foreach (var name in new[] { part["name"]!.GetValue<string>(), "manifest.json" })
            {
                zip.GetEntry(name)!.Delete();
            }

            using (var writer = zip.CreateEntry(part["name"]!.GetValue<string>(), System.IO.Compression.CompressionLevel.SmallestSize).Open())
            {
                writer.Write(zeros);
            }

            using var json = zip.CreateEntry("manifest.json").Open();
            json.Write(Encoding.UTF8.GetBytes(manifest.ToJsonString()));
        }

        Assert.True(new FileInfo(bomb).Length < 1 << 20);

        using var refused = await DonationLinkDonor.DonateAsync(anonymous, token, bomb, info["policy_version"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("larger than the bundle itself holds", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, (await LinksAsync(tenant.Admin))[0]!["donations"]!.GetValue<int>());
        Assert.DoesNotContain(Directory.EnumerateFiles(fixture.DataDirectory, "*", SearchOption.AllDirectories), f => new FileInfo(f).Length >= zeros.Length);
    }

    [Fact]
    public async Task LinkDonation_ZipOfManyTinyEntries_422BeforeTheArchiveIsOpened()
    {
        var tenant = await fixture.NewTenantAsync();
        var (token, _) = await CreateLinkAsync(tenant.Admin);
        var anonymous = fixture.Anonymous();
        var info = await DonationLinkDonor.InfoAsync(anonymous, token);
        using var home = new TempDirectory("link-entries");
        var many = Path.Combine(home.Path, "many.zip");
        using (var zip = System.IO.Compression.ZipFile.Open(many, System.IO.Compression.ZipArchiveMode.Create))
        {
            for (var i = 0; i < 20_000; i++)
            {
                zip.CreateEntry("e" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        using var refused = await DonationLinkDonor.DonateAsync(anonymous, token, many, info["policy_version"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("at most 10,002 entries", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<(string Token, string Url)> CreateLinkAsync(HttpClient admin, long? maxBytes = null, int? maxDonations = null)
    {
        var created = await ApiCalls.PostAsync(admin, "/api/donation-links", new { label = "Spring cohort", max_bytes = maxBytes, max_donations = maxDonations }, HttpStatusCode.Created);
        return (created["token"]!.GetValue<string>(), created["url"]!.GetValue<string>());
    }

    private static async Task<JsonArray> LinksAsync(HttpClient admin) => (JsonArray)(await ApiCalls.GetAsync(admin, "/api/donation-links"))["items"]!;

    /// <summary>Every value of every row of every table, as text.</summary>
    private async Task<string> DatabaseTextAsync()
    {
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = db.Provider == DatabaseProvider.Sqlite
                ? "SELECT name FROM sqlite_master WHERE type = 'table'"
                : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var text = new StringBuilder();
        foreach (var table in tables)
        {
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\"";
            await using DbDataReader reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    text.Append(reader.GetValue(i) is byte[] blob ? Encoding.UTF8.GetString(blob) : reader.GetValue(i)?.ToString()).Append('\t');
                }

                text.Append('\n');
            }
        }

        return text.ToString();
    }
}

public sealed class DonationLinkTestsOnSqlite(SqliteServerFixture fixture) : DonationLinkTests<SqliteServerFixture>(fixture);

public sealed class DonationLinkTestsOnPostgres(PostgresServerFixture fixture) : DonationLinkTests<PostgresServerFixture>(fixture);
