using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Ferry.Core.Privacy;
using Ferry.Core.Storage;
using Ferry.Server.Data;
using Ferry.Server.Donations;
using Ferry.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Tests.Donations;

/// <summary>
/// Erasure that leaves nothing, on the server against s3rver and a real database: an erasure racing a running
/// donation, the start-up clean-up after a crash mid-donation, retention rewriting exports, and the erasure report.
/// </summary>
public abstract class ErasureApiTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task Erase_WhileTheDonorsDonationRuns_NothingOfTheDonorSurvivesInStorageExportsOrDatabase()
    {
        var tenant = await fixture.NewTenantAsync();
        var policy = await ApiCalls.GetAsync(tenant.User, "/api/donations/policy");
        var (version, donor) = (policy["version"]!.GetValue<string>(), policy["donor"]!.GetValue<string>());
        Assert.Equal("completed", (await DonateAsync(tenant.User, version, wait: true, TrainingLogs.Of("olga", 3)))["status"]!.GetValue<string>());
        await fixture.Factory.Services.GetRequiredService<DonationMaintenance>().ExportAsync(CancellationToken.None); // an export holding the donor
        var service = fixture.Factory.Services.GetRequiredService<DonationService>();

        // Big enough to be caught running, small enough that the erasure's wait stays inside the test client's 100 s timeout under load.
        var running = await DonateAsync(tenant.User, version, wait: false, TrainingLogs.Of("olga", 10_000));
        var id = running["id"]!.GetValue<long>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (service.Phase(id) is not ("pseudonymizing" or "storing records" or "uploading") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.NotNull(service.Phase(id)); // the donation is being processed while the erasure starts
        var erased = await ApiCalls.ReadAsync(await tenant.Admin.DeleteAsync($"/api/donors/{donor}"), HttpStatusCode.OK);
        while (service.Phase(id) is not null && DateTime.UtcNow < deadline.AddSeconds(60))
        {
            await Task.Delay(50);
        }

        Assert.Null(service.Phase(id));
        Assert.Equal(HttpStatusCode.NotFound, await ApiCalls.StatusAsync(tenant.User, HttpMethod.Get, $"/api/donations/{id}"));
        Assert.DoesNotContain(donor, await EverythingInStorageAsync(tenant), StringComparison.Ordinal);
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        Assert.False(await db.DonatedRecords.AnyAsync(r => r.Donor == donor));
        Assert.False(await db.Donations.AnyAsync(d => d.Donor == donor));
        Assert.False(await db.Consents.AnyAsync(c => c.Donor == donor));
        var places = erased["places"]!.AsArray().Select(p => p!["place"]!.GetValue<string>()).ToList();
        Assert.Contains("storage.donor_objects", places);
        Assert.Contains("storage.exports", places);
        Assert.Contains("database.donated_records", places);
        Assert.Contains("server.incoming", places);
    }

    [Fact]
    public async Task Restart_AfterACrashMidDonation_StartupCleanupRemovesItsBundleRecordsExportLinesStagingAndUploads()
    {
        var tenant = await fixture.NewTenantAsync();
        var donor = (await ApiCalls.GetAsync(tenant.User, "/api/donations/policy"))["donor"]!.GetValue<string>();
        var study = fixture.Factory.Services.GetRequiredService<DonationStudy>();
        var service = fixture.Factory.Services.GetRequiredService<DonationService>();
        var destination = study.Destination(tenant.CompanyId)!.Value;

        // What a process killed mid-donation leaves (the row still running, records stored, the bundle uploaded, an
        // export written meanwhile, its staging and upload folders), planted as the crash leaves it.
        long id;
        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            var donation = new Donation { CompanyId = tenant.CompanyId, Donor = donor, Status = DonationStatus.Running, CreatedAt = DateTimeOffset.UtcNow };
            db.Donations.Add(donation);
            await db.SaveChangesAsync();
            id = donation.Id;
            db.DonatedRecords.AddRange(Enumerable.Range(0, 3).Select(i => new DonatedRecord { CompanyId = tenant.CompanyId, DonationId = id, Donor = donor, RecordedAt = DateTimeOffset.UtcNow, Data = $"{{\"step\":{i}}}" }));
            await db.SaveChangesAsync();
        }

        var bundle = Encoding.UTF8.GetBytes("a bundle uploaded just before the crash " + donor);
        await destination.Store.PutAsync($"{destination.Prefix}donations/{donor}/20261130_040000_deadbeef.zip", new MemoryStream(bundle), bundle.Length, new ObjectWriteOptions(null, null), CancellationToken.None);
        await fixture.Factory.Services.GetRequiredService<DonationMaintenance>().ExportAsync(CancellationToken.None);
        Assert.Contains(donor, await EverythingInStorageAsync(tenant), StringComparison.Ordinal);
        var staging = Path.Combine(service.StagingRoot, "crashed" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(staging, "parts"));
        await File.WriteAllTextAsync(Path.Combine(staging, DonationStaging.InUseFile), "");
        await File.WriteAllBytesAsync(Path.Combine(staging, "parts", "part-0001.jsonl.gz"), TrainingLogs.Gzip("{\"user_id\":\"" + donor + "\"}\n"));
        Directory.CreateDirectory(Path.Combine(service.Incoming(id), "files"));
        await File.WriteAllBytesAsync(Path.Combine(service.Incoming(id), "files", "run.jsonl.gz"), TrainingLogs.Of("peter", 2));

        await service.RecoverAsync(CancellationToken.None);

        Assert.DoesNotContain(donor, await EverythingInStorageAsync(tenant), StringComparison.Ordinal);
        Assert.False(Directory.Exists(staging));
        Assert.False(Directory.Exists(service.Incoming(id)));
        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            Assert.False(await db.DonatedRecords.AnyAsync(r => r.DonationId == id));
            Assert.Equal(DonationStatus.Failed, (await db.Donations.AsNoTracking().SingleAsync(d => d.Id == id)).Status);
        }
    }

    [Fact]
    public async Task Retention_ExportHoldingAnOldDonation_RewrittenWithoutItsLinesOthersKept()
    {
        var tenant = await fixture.NewTenantAsync();
        var version = (await ApiCalls.GetAsync(tenant.User, "/api/donations/policy"))["version"]!.GetValue<string>();
        var old = await DonateAsync(tenant.User, version, wait: true, TrainingLogs.Of("quinn", 4));
        await DonateAsync(tenant.Admin, version, wait: true, TrainingLogs.Of("rita", 3));
        var maintenance = fixture.Factory.Services.GetRequiredService<DonationMaintenance>();
        await maintenance.ExportAsync(CancellationToken.None); // an export holding both donations
        var oldId = old["id"]!.GetValue<long>();
        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            var donation = await db.Donations.SingleAsync(d => d.Id == oldId);
            donation.CreatedAt = DateTimeOffset.UtcNow.AddDays(-400); // older than the 365-day retention
            await db.SaveChangesAsync();
        }

        await maintenance.RetentionAsync(CancellationToken.None);

        var lines = (await ExportLinesAsync(tenant)).ToList();
        Assert.Equal(3, lines.Count);
        Assert.DoesNotContain(lines, l => l.Contains($"\"donation_id\":{oldId},", StringComparison.Ordinal));
        Assert.DoesNotContain(old["donor"]!.GetValue<string>(), string.Join('\n', lines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erase_Report_ListsEveryPlaceCheckedWithoutServerPathsAndTheAuditRowKeepsItWithoutThePseudonym()
    {
        var tenant = await fixture.NewTenantAsync();
        var policy = await ApiCalls.GetAsync(tenant.User, "/api/donations/policy");
        var donor = policy["donor"]!.GetValue<string>();
        await DonateAsync(tenant.User, policy["version"]!.GetValue<string>(), wait: true, TrainingLogs.Of("sam", 2));

        var erased = await ApiCalls.ReadAsync(await tenant.Admin.DeleteAsync($"/api/donors/{donor}"), HttpStatusCode.OK);

        var places = erased["places"]!.AsArray().ToDictionary(p => p!["place"]!.GetValue<string>(), p => p!);
        Assert.Equal(["database.consent_records", "database.donated_records", "database.donations", "local.staging", "server.incoming", "server.link_uploads", "storage.donor_objects", "storage.donor_versions", "storage.exports", "storage.multipart_uploads"],
            places.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1, places["storage.donor_objects"]["removed"]!.GetValue<long>());
        Assert.Equal(2, places["database.donated_records"]["removed"]!.GetValue<long>());
        Assert.DoesNotContain(donor, erased["places"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.DataDirectory, erased.ToJsonString(), StringComparison.Ordinal); // a company admin learns no server path
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        var audit = await db.Erasures.AsNoTracking().SingleAsync(e => e.CompanyId == tenant.CompanyId);
        Assert.Contains("storage.donor_objects", audit.Report, StringComparison.Ordinal);
        Assert.DoesNotContain(donor, audit.Report!, StringComparison.Ordinal);
    }

    private async Task<string> EverythingInStorageAsync(Tenant tenant)
    {
        var everything = new StringBuilder();
        foreach (var key in (await fixture.S3.ListKeysAsync(fixture.DonationBucket)).Where(k => k.StartsWith($"study/{tenant.CompanyId}/", StringComparison.Ordinal)))
        {
            var bytes = (await fixture.S3.GetObjectAsync(fixture.DonationBucket, key))!;
            everything.Append(key).Append('\n').Append(key.EndsWith(".gz", StringComparison.Ordinal) ? TrainingLogs.Gunzip(bytes) : Encoding.UTF8.GetString(bytes));
        }

        return everything.ToString();
    }

    private async Task<IEnumerable<string>> ExportLinesAsync(Tenant tenant)
    {
        var lines = new List<string>();
        foreach (var key in (await fixture.S3.ListKeysAsync(fixture.DonationBucket)).Where(k => k.StartsWith($"study/{tenant.CompanyId}/exports/", StringComparison.Ordinal)))
        {
            lines.AddRange(TrainingLogs.Gunzip((await fixture.S3.GetObjectAsync(fixture.DonationBucket, key))!).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        return lines;
    }

    private static async Task<JsonObject> DonateAsync(HttpClient client, string version, bool wait, params byte[][] files)
    {
        using var form = new MultipartFormDataContent { { new StringContent(version), "consent" } };
        for (var i = 0; i < files.Length; i++)
        {
            var content = new ByteArrayContent(files[i]);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
            form.Add(content, "files", $"run-{i}.jsonl.gz");
        }

        var started = await ApiCalls.ReadAsync(await client.PostAsync("/api/donations", form), HttpStatusCode.Accepted);
        var id = started["id"]!.GetValue<long>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (wait)
        {
            var donation = await ApiCalls.GetAsync(client, $"/api/donations/{id}");
            if (donation["status"]!.GetValue<string>() != "running" || DateTime.UtcNow > deadline)
            {
                return donation;
            }

            await Task.Delay(100);
        }

        return started;
    }
}

public sealed class ErasureApiTestsOnSqlite(SqliteServerFixture fixture) : ErasureApiTests<SqliteServerFixture>(fixture);

public sealed class ErasureApiTestsOnPostgres(PostgresServerFixture fixture) : ErasureApiTests<PostgresServerFixture>(fixture);
