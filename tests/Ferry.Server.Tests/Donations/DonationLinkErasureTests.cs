using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Ferry.Core.Privacy;
using Ferry.Server.Data;
using Ferry.Server.Donations;
using Ferry.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Tests.Donations;

/// <summary>
/// Donation links against erasure and crashes, on s3rver and a real database: an erasure while the donor's link upload
/// is still receiving chunks or is being finished leaves nothing of the donor in S3, the database or the intake folder;
/// the start-up clean-up after a crash mid-intake removes digest-form files and staging and keeps a resumable upload.
/// </summary>
public abstract class DonationLinkErasureTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task Erase_WhileTheDonorsLinkUploadIsReceiving_FinishRefusedAndNothingOfTheDonorRemains()
    {
        var tenant = await fixture.NewTenantAsync();
        var token = await CreateLinkAsync(tenant.Admin);
        var anonymous = fixture.Anonymous();
        var info = await DonationLinkDonor.InfoAsync(anonymous, token);
        var version = info["policy_version"]!.GetValue<string>();
        var tag = "r" + Guid.NewGuid().ToString("N")[..10];
        using var home = new TempDirectory("link-erase");
        var first = await BundleAsync(info, home, tag, "first", 5);
        var second = await BundleAsync(info, home, tag, "second", 5);
        var pseudonym = PseudonymOf(tenant, info, tag);
        Assert.Equal(HttpStatusCode.OK, (await DonationLinkDonor.DonateAsync(anonymous, token, first, version)).StatusCode); // something to erase already
        Assert.Contains(pseudonym, await StorageTextAsync(tenant), StringComparison.Ordinal);

        // A second donation of the same donor: half of it is on the server when the erasure runs.
        var bytes = await File.ReadAllBytesAsync(second);
        using var started = await DonationLinkDonor.StartAsync(anonymous, token, bytes.Length, null, version);
        var id = (await started.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        (await DonationLinkDonor.ChunkAsync(anonymous, token, id, bytes, 0, bytes.Length / 2)).EnsureSuccessStatusCode();
        var erased = await ApiCalls.ReadAsync(await tenant.Admin.DeleteAsync($"/api/donors/{pseudonym}"), HttpStatusCode.OK);
        (await DonationLinkDonor.ChunkAsync(anonymous, token, id, bytes, bytes.Length / 2, bytes.Length)).EnsureSuccessStatusCode();
        using var finish = DonationLinkDonor.Request(HttpMethod.Post, $"/api/link/uploads/{id}/finish", token);
        using var refused = await anonymous.SendAsync(finish);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("erased from this study while this donation was being sent", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var place = erased["places"]!.AsArray().Single(p => p!["place"]!.GetValue<string>() == "server.link_uploads")!;
        Assert.Equal(1, place["checked"]!.GetValue<long>());
        await AssertNothingOfTheDonorAsync(tenant, pseudonym, tag);
    }

    [Fact]
    public async Task Erase_WhileTheDonorsLinkDonationIsBeingFinished_WaitsForItAndNothingOfTheDonorRemains()
    {
        var tenant = await fixture.NewTenantAsync();
        var token = await CreateLinkAsync(tenant.Admin);
        var anonymous = fixture.Anonymous();
        var info = await DonationLinkDonor.InfoAsync(anonymous, token);
        var version = info["policy_version"]!.GetValue<string>();
        var tag = "s" + Guid.NewGuid().ToString("N")[..10];
        using var home = new TempDirectory("link-erase");
        var bundle = await BundleAsync(info, home, tag, "large", 20_000); // big enough to be caught being re-keyed
        var pseudonym = PseudonymOf(tenant, info, tag);
        var bytes = await File.ReadAllBytesAsync(bundle);
        using var started = await DonationLinkDonor.StartAsync(anonymous, token, bytes.Length, null, version);
        var id = (await started.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        for (var offset = 0; offset < bytes.Length; offset += 1 << 20)
        {
            (await DonationLinkDonor.ChunkAsync(anonymous, token, id, bytes, offset, Math.Min(bytes.Length, offset + (1 << 20)))).EnsureSuccessStatusCode();
        }

        using var finish = DonationLinkDonor.Request(HttpMethod.Post, $"/api/link/uploads/{id}/finish", token);
        var finishing = anonymous.SendAsync(finish);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await DonationRowExistsAsync(pseudonym) && !finishing.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.False(finishing.IsCompleted); // the finish is re-keying (its donation row exists) when the erasure starts
        var erasing = tenant.Admin.DeleteAsync($"/api/donors/{pseudonym}");
        using var finished = await finishing;
        using var erasure = await erasing;

        Assert.Equal(HttpStatusCode.OK, finished.StatusCode); // the erasure waited for it ...
        Assert.Equal(HttpStatusCode.OK, erasure.StatusCode);
        await AssertNothingOfTheDonorAsync(tenant, pseudonym, tag); // ... and then erased what it wrote
    }

    [Fact]
    public async Task Restart_AfterACrashMidLinkIntake_DigestFilesAndStagingRemovedResumableUploadKept()
    {
        var tenant = await fixture.NewTenantAsync();
        var token = await CreateLinkAsync(tenant.Admin);
        var anonymous = fixture.Anonymous();
        var info = await DonationLinkDonor.InfoAsync(anonymous, token);
        var version = info["policy_version"]!.GetValue<string>();
        var tag = "c" + Guid.NewGuid().ToString("N")[..10];
        using var home = new TempDirectory("link-crash");
        var bytes = await File.ReadAllBytesAsync(await BundleAsync(info, home, tag, "crash", 30));
        var intake = fixture.Factory.Services.GetRequiredService<DonationLinkIntake>();
        var service = fixture.Factory.Services.GetRequiredService<DonationService>();

        // What a server killed mid-intake leaves: an upload half received a moment ago (resumable), one whose last chunk
        // came two days ago (abandoned), one cut off while being finished (its row processing, its reservation on the
        // link taken, its digest file and the keyed staging of its finish on disk), and a stray file.
        var resumable = await StartWithHalfAsync(anonymous, token, bytes, version);
        var abandoned = await StartWithHalfAsync(anonymous, token, bytes, version);
        File.SetLastWriteTimeUtc(intake.UploadPath(abandoned), DateTime.UtcNow.AddDays(-2));
        var cut = await StartWithHalfAsync(anonymous, token, bytes, version);
        (await DonationLinkDonor.ChunkAsync(anonymous, token, cut, bytes, bytes.Length / 2, bytes.Length)).EnsureSuccessStatusCode();
        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            await db.DonationLinkUploads.Where(u => u.Id == cut).ExecuteUpdateAsync(u => u.SetProperty(x => x.Status, DonationLinkUploadStatus.Processing));
            await db.DonationLinks.Where(l => l.CompanyId == tenant.CompanyId).ExecuteUpdateAsync(l => l.SetProperty(x => x.Donations, 1));
        }

        var staging = Path.Combine(intake.StagingRoot, "crashed" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(staging, "parts"));
        await File.WriteAllTextAsync(Path.Combine(staging, DonationStaging.InUseFile), "");
        await File.WriteAllBytesAsync(Path.Combine(staging, "parts", "in-part-0001.jsonl.gz"), bytes);
        var stray = Path.Combine(intake.Folder, "stray.part");
        await File.WriteAllBytesAsync(stray, bytes);

        await service.RecoverAsync(CancellationToken.None); // what start-up runs

        Assert.False(File.Exists(intake.UploadPath(abandoned)));
        Assert.False(File.Exists(intake.UploadPath(cut)));
        Assert.False(File.Exists(stray));
        Assert.False(Directory.Exists(staging));
        Assert.True(File.Exists(intake.UploadPath(resumable)));
        Assert.Equal(0, (await LinkAsync(tenant.Admin))["donations"]!.GetValue<int>()); // the cut finish's reservation was given back
        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            var statuses = await db.DonationLinkUploads.AsNoTracking().Where(u => u.CompanyId == tenant.CompanyId).ToDictionaryAsync(u => u.Id, u => u.Status);
            Assert.Equal(DonationLinkUploadStatus.Failed, statuses[abandoned]);
            Assert.Equal(DonationLinkUploadStatus.Failed, statuses[cut]);
            Assert.Equal(DonationLinkUploadStatus.Receiving, statuses[resumable]);
        }

        // The resumable one goes on where it stopped; afterwards no digest-form file is left anywhere on the server's disk.
        using (var status = DonationLinkDonor.Request(HttpMethod.Get, $"/api/link/uploads/{resumable}", token))
        {
            Assert.Equal(bytes.Length / 2, (await ApiCalls.ReadAsync(await anonymous.SendAsync(status), HttpStatusCode.OK))["offset"]!.GetValue<long>());
        }

        (await DonationLinkDonor.ChunkAsync(anonymous, token, resumable, bytes, bytes.Length / 2, bytes.Length)).EnsureSuccessStatusCode();
        using var finish = DonationLinkDonor.Request(HttpMethod.Post, $"/api/link/uploads/{resumable}/finish", token);
        Assert.Equal(30, (await ApiCalls.ReadAsync(await anonymous.SendAsync(finish), HttpStatusCode.OK))["records"]!.GetValue<long>());
        Assert.Empty(Directory.GetFileSystemEntries(intake.Folder));
        Assert.DoesNotContain(DonationLinkDonor.TextsUnder(fixture.DataDirectory), t => DonationLinkDonor.Digest().IsMatch(t.Text));
    }

    [Fact]
    public async Task StalledSweep_LinkUploadsAbandonedOrOfARevokedLink_DeletedWhileTheServerRuns_AFreshOneKept()
    {
        var tenant = await fixture.NewTenantAsync();
        var token = await CreateLinkAsync(tenant.Admin);
        var revokedToken = await CreateLinkAsync(tenant.Admin);
        var anonymous = fixture.Anonymous();
        var info = await DonationLinkDonor.InfoAsync(anonymous, token);
        var version = info["policy_version"]!.GetValue<string>();
        using var home = new TempDirectory("link-sweep");
        var bytes = await File.ReadAllBytesAsync(await BundleAsync(info, home, "s" + Guid.NewGuid().ToString("N")[..10], "sweep", 10));
        var intake = fixture.Factory.Services.GetRequiredService<DonationLinkIntake>();
        var fresh = await StartWithHalfAsync(anonymous, token, bytes, version);
        var abandoned = await StartWithHalfAsync(anonymous, token, bytes, version);
        File.SetLastWriteTimeUtc(intake.UploadPath(abandoned), DateTime.UtcNow.AddHours(-25));
        var ofRevoked = await StartWithHalfAsync(anonymous, revokedToken, bytes, version);

        await ApiCalls.PostAsync(tenant.Admin, $"/api/donation-links/{LatestLinkId(await ApiCalls.GetAsync(tenant.Admin, "/api/donation-links"))}/revoke", new { }); // the second link

        // The stalled-sessions schedule's run (every 5 minutes by default), as on a server that has been up for days.
        await SweepAsync();

        Assert.True(File.Exists(intake.UploadPath(fresh)));
        Assert.False(File.Exists(intake.UploadPath(abandoned)));
        Assert.False(File.Exists(intake.UploadPath(ofRevoked)));
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        var statuses = await db.DonationLinkUploads.AsNoTracking().Where(u => u.CompanyId == tenant.CompanyId).ToDictionaryAsync(u => u.Id, u => u.Status);
        Assert.Equal((DonationLinkUploadStatus.Receiving, DonationLinkUploadStatus.Failed, DonationLinkUploadStatus.Failed), (statuses[fresh], statuses[abandoned], statuses[ofRevoked]));

        // Its link revoked too, the fresh one goes at the next run (and the intake folder is empty for the other tests).
        var first = ((JsonArray)(await ApiCalls.GetAsync(tenant.Admin, "/api/donation-links"))["items"]!).Min(l => l!["id"]!.GetValue<long>());
        await ApiCalls.PostAsync(tenant.Admin, $"/api/donation-links/{first}/revoke", new { });
        await SweepAsync();
        Assert.False(File.Exists(intake.UploadPath(fresh)));
    }

    /// <summary>Runs the stalled-sessions schedule as the system administrator can (POST /api/schedules/stalled-sessions/run) and waits for its run to end.</summary>
    private async Task SweepAsync()
    {
        var system = await fixture.SystemAdminAsync();
        async Task<JsonArray> RunsAsync() => (await ApiCalls.GetAsync(system, "/api/schedules/stalled-sessions/runs"))["items"]!.AsArray();
        var before = (await RunsAsync()).Select(r => r!["id"]!.GetValue<long>()).DefaultIfEmpty(0).Max();
        await ApiCalls.ReadAsync(await system.PostAsync("/api/schedules/stalled-sessions/run", null), HttpStatusCode.Accepted);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonNode? run;
        while ((run = (await RunsAsync()).FirstOrDefault(r => r!["id"]!.GetValue<long>() > before && r["manual"]!.GetValue<bool>())) is null || run["finished_at"] is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the stalled-sessions run did not end within 60 s");
            await Task.Delay(200);
        }

        Assert.Equal("succeeded", run["outcome"]!.GetValue<string>());
    }

    private static long LatestLinkId(JsonObject links) => ((JsonArray)links["items"]!).Max(l => l!["id"]!.GetValue<long>());

    private async Task<string> CreateLinkAsync(HttpClient admin) =>
        (await ApiCalls.PostAsync(admin, "/api/donation-links", new { label = "Erasure cohort" }, HttpStatusCode.Created))["token"]!.GetValue<string>();

    private static async Task<JsonObject> LinkAsync(HttpClient admin) => (JsonObject)((JsonArray)(await ApiCalls.GetAsync(admin, "/api/donation-links"))["items"]!)[0]!;

    private static async Task<string> BundleAsync(JsonObject info, TempDirectory home, string tag, string name, int records)
    {
        var log = Path.Combine(home.Path, name + ".jsonl.gz");
        await File.WriteAllBytesAsync(log, DonationLinkDonor.Corpus(tag, records));
        return (await DonationLinkDonor.BundleAsync(info, [log], Donor(tag), Path.Combine(home.Path, "staging-" + name))).Path;
    }

    private static string Donor(string tag) => $"donor.{tag}@example.org";

    /// <summary>The donor's pseudonym as the server keys it: HMAC of the salted digest of their id.</summary>
    private string PseudonymOf(Tenant tenant, JsonObject info, string tag) =>
        fixture.Factory.Services.GetRequiredService<DonationStudy>().For(tenant.CompanyId).Pseudonym(DonationLinkDonor.DigestOf(info, Donor(tag)));

    private static async Task<string> StartWithHalfAsync(HttpClient client, string token, byte[] bytes, string version)
    {
        using var started = await DonationLinkDonor.StartAsync(client, token, bytes.Length, null, version);
        var id = (await started.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        (await DonationLinkDonor.ChunkAsync(client, token, id, bytes, 0, bytes.Length / 2)).EnsureSuccessStatusCode();
        return id;
    }

    private async Task<bool> DonationRowExistsAsync(string pseudonym)
    {
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FerryDbContext>().Donations.AnyAsync(d => d.Donor == pseudonym);
    }

    /// <summary>Nothing of the donor in S3 (every object, members decompressed), the database or the intake folder and staging.</summary>
    private async Task AssertNothingOfTheDonorAsync(Tenant tenant, string pseudonym, string tag)
    {
        Assert.DoesNotContain(pseudonym, await StorageTextAsync(tenant), StringComparison.Ordinal);
        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            Assert.False(await db.DonatedRecords.AnyAsync(r => r.Donor == pseudonym));
            Assert.False(await db.Donations.AnyAsync(d => d.Donor == pseudonym));
            Assert.False(await db.Consents.AnyAsync(c => c.Donor == pseudonym));
            Assert.False(await db.DonatedRecords.AnyAsync(r => r.CompanyId == tenant.CompanyId));
            Assert.False(await db.DonationLinkUploads.AnyAsync(u => u.CompanyId == tenant.CompanyId && u.ErasedDonors != null));
        }

        var intake = fixture.Factory.Services.GetRequiredService<DonationLinkIntake>();
        Assert.Empty(Directory.Exists(intake.Folder) ? Directory.GetFileSystemEntries(intake.Folder) : []);
        Assert.Empty(Directory.Exists(intake.StagingRoot) ? Directory.GetDirectories(intake.StagingRoot) : []);
        // The database's rows are queried above; its file (free pages) is not what this test is about.
        var disk = DonationLinkDonor.TextsUnder(fixture.DataDirectory).Where(t => !t.Where.Contains("server.db", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(disk, t => t.Text.Contains(pseudonym, StringComparison.Ordinal));
        Assert.DoesNotContain(disk, t => t.Text.Contains($"keep-{tag}", StringComparison.Ordinal)); // not even the donor's payload, in any form
    }

    private async Task<string> StorageTextAsync(Tenant tenant)
    {
        var texts = new StringBuilder();
        foreach (var key in (await fixture.S3.ListKeysAsync(fixture.DonationBucket)).Where(k => k.StartsWith($"study/{tenant.CompanyId}/", StringComparison.Ordinal)))
        {
            texts.Append(key).Append('\n');
            foreach (var (_, text) in DonationLinkDonor.TextsOf(key, (await fixture.S3.GetObjectAsync(fixture.DonationBucket, key))!))
            {
                texts.Append(text).Append('\n');
            }
        }

        return texts.ToString();
    }
}

public sealed class DonationLinkErasureTestsOnSqlite(SqliteServerFixture fixture) : DonationLinkErasureTests<SqliteServerFixture>(fixture);

public sealed class DonationLinkErasureTestsOnPostgres(PostgresServerFixture fixture) : DonationLinkErasureTests<PostgresServerFixture>(fixture);
