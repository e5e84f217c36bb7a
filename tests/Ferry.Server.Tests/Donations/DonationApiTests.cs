using System.Net;
using System.Net.Http.Headers;
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
/// Donations through the API against s3rver and a real database: consent, pseudonymized bundles and records, per-tenant
/// unlinkability, statistics, streamed exports, withdrawal, erasure end to end, and the scheduled export and retention.
/// </summary>
public abstract class DonationApiTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private static readonly string[] Secrets = ["alice@example.org", "bob@example.org", "alice-laptop", "203.0.113.7", "eu-west-3", "17:45:12"];

    [Fact]
    public async Task Donate_WithConsent_BundleAndRecordsArePseudonymizedAndNothingIdentifyingIsStored()
    {
        var tenant = await fixture.NewTenantAsync();
        var policy = await ApiCalls.GetAsync(tenant.User, "/api/donations/policy");
        var version = policy["version"]!.GetValue<string>();
        var donor = policy["donor"]!.GetValue<string>();

        var donation = await DonateAsync(tenant.User, version, TrainingLogs.Of("alice", 10), TrainingLogs.Of("bob", 5, broken: true));

        Assert.Equal("completed", donation["status"]!.GetValue<string>());
        Assert.Equal(15, donation["records"]!.GetValue<long>());
        Assert.Equal(1, donation["malformed"]!.GetValue<long>());
        Assert.Equal(donor, donation["donor"]!.GetValue<string>());
        Assert.DoesNotContain(fixture.DataDirectory, donation.ToJsonString(), StringComparison.Ordinal); // the server's folders are not the donor's business
        var keys = await DonorKeysAsync(tenant, donor);
        var bundle = TrainingLogs.Unzip((await fixture.S3.GetObjectAsync(fixture.DonationBucket, Assert.Single(keys)))!);
        Assert.Equal(["consent.json", "manifest.json", "part-0001.jsonl.gz", "part-0002.jsonl.gz"], bundle.Keys.Order(StringComparer.Ordinal));
        var consent = JsonNode.Parse(bundle["consent.json"])!;
        Assert.Equal("granted", consent["decision"]!.GetValue<string>());
        Assert.Equal(version, consent["policy_version"]!.GetValue<string>());
        Assert.Equal(15, JsonNode.Parse(bundle["manifest.json"])!["records"]!.GetValue<long>());
        var records = bundle["part-0001.jsonl.gz"] + bundle["part-0002.jsonl.gz"];
        var all = records + bundle["manifest.json"] + bundle["consent.json"];
        Assert.All(Secrets, secret => Assert.DoesNotContain(secret, all, StringComparison.Ordinal));
        Assert.Contains("\"region\":\"eu-*\"", records, StringComparison.Ordinal);
        Assert.Contains("\"timestamp\":\"2026-11-21\"", records, StringComparison.Ordinal);

        var export = await ExportAsync(tenant.Admin, "jsonl");
        Assert.Equal(15, export.Count(l => l.Contains(donor, StringComparison.Ordinal)));
        Assert.All(Secrets, secret => Assert.DoesNotContain(secret, string.Join('\n', export), StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(fixture.DataDirectory, "donations", "incoming", donation["id"]!.ToString()))); // no raw files kept
    }

    [Fact]
    public async Task Donate_SameIdentifier_SamePseudonymInATenantUnlinkableAcrossTenants()
    {
        var first = await fixture.NewTenantAsync();
        var second = await fixture.NewTenantAsync();
        var version = (await ApiCalls.GetAsync(first.User, "/api/donations/policy"))["version"]!.GetValue<string>();

        await DonateAsync(first.User, version, TrainingLogs.Of("carol", 1));
        await DonateAsync(first.Admin, version, TrainingLogs.Of("carol", 1));
        await DonateAsync(second.User, version, TrainingLogs.Of("carol", 1));

        var ours = (await ExportAsync(first.Admin, "jsonl")).Select(l => JsonNode.Parse(l)!["record"]!["user_id"]!.GetValue<string>()).ToList();
        var theirs = (await ExportAsync(second.Admin, "jsonl")).Select(l => JsonNode.Parse(l)!["record"]!["user_id"]!.GetValue<string>()).ToList();
        Assert.Equal(2, ours.Count);
        Assert.Single(ours.Distinct());
        Assert.NotEqual(ours[0], Assert.Single(theirs));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("old-version")]
    [InlineData("not-gzip-name")]
    [InlineData("no-files")]
    public async Task Donate_WithoutValidConsentOrFiles_400AndNothingRecorded(string problem)
    {
        var tenant = await fixture.NewTenantAsync();
        var version = (await ApiCalls.GetAsync(tenant.User, "/api/donations/policy"))["version"]!.GetValue<string>();
        using var form = new MultipartFormDataContent();
        if (problem != "none")
        {
            form.Add(new StringContent(problem == "old-version" ? "1999-01" : version), "consent");
        }

        if (problem != "no-files")
        {
            form.Add(new ByteArrayContent(TrainingLogs.Of("dan", 2)), "files", problem == "not-gzip-name" ? "logs.txt" : "logs.jsonl.gz");
        }

        using var response = await tenant.User.PostAsync("/api/donations", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null((await ApiCalls.GetAsync(tenant.User, "/api/donations/policy"))["consent"]);
        Assert.Empty(await ExportAsync(tenant.Admin, "jsonl"));
    }

    [Fact]
    public async Task Withdraw_RecordedInTheLedger()
    {
        var tenant = await fixture.NewTenantAsync();
        var version = (await ApiCalls.GetAsync(tenant.User, "/api/donations/policy"))["version"]!.GetValue<string>();
        await DonateAsync(tenant.User, version, TrainingLogs.Of("erin", 1));

        var withdrawn = await ApiCalls.PostAsync(tenant.User, "/api/donations/withdraw", new { });

        Assert.Equal("withdrawn", withdrawn["decision"]!.GetValue<string>());
        Assert.Equal("withdrawn", (await ApiCalls.GetAsync(tenant.User, "/api/donations/policy"))["consent"]!.GetValue<string>());
    }

    [Fact]
    public async Task Donate_AfterWithdrawal_409OnEveryDeviceAndNothingRecordedUntilRenewedOnTheContributePage()
    {
        var tenant = await fixture.NewTenantAsync();
        var username = fixture.UniqueName("donor");
        await ApiCalls.PostAsync(await fixture.SystemAdminAsync(), "/api/users", new { username, password = "password-" + username, role = "user", company_id = tenant.CompanyId });
        var laptop = await fixture.SignInAsync(username, "password-" + username);
        var phone = await fixture.SignInAsync(username, "password-" + username); // another device, another token
        var browser = await WebCalls.SignInAsync(fixture, username, "password-" + username);
        var policy = await ApiCalls.GetAsync(laptop, "/api/donations/policy");
        var version = policy["version"]!.GetValue<string>();
        Assert.Equal("completed", (await DonateAsync(laptop, version, TrainingLogs.Of("ivan", 2)))["status"]!.GetValue<string>());
        await ApiCalls.PostAsync(laptop, "/api/donations/withdraw", new { });

        foreach (var device in new[] { laptop, phone })
        {
            using var form = new MultipartFormDataContent { { new StringContent(version), "consent" }, { new ByteArrayContent(TrainingLogs.Of("ivan", 3)), "files", "more.jsonl.gz" } };
            using var refused = await device.PostAsync("/api/donations", form);
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains("withdrew your consent", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var after = await ApiCalls.GetAsync(phone, "/api/donations/policy");
        Assert.Equal("withdrawn", after["consent"]!.GetValue<string>()); // no 'granted' row was added by the refused donations
        Assert.True(after["withdrawn"]!.GetValue<bool>());
        Assert.Equal(2, (await ExportAsync(tenant.Admin, "jsonl")).Count);
        Assert.Contains("You withdrew your consent", await browser.GetStringAsync("/contribute"), StringComparison.Ordinal);

        using (var wrong = await WebCalls.PostFormAsync(browser, "/contribute?handler=Renew", new() { ["RenewVersion"] = "yes" }, "/contribute"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }

        Assert.True((await ApiCalls.GetAsync(laptop, "/api/donations/policy"))["withdrawn"]!.GetValue<bool>());

        using (var renewed = await WebCalls.PostFormAsync(browser, "/contribute?handler=Renew", new() { ["RenewVersion"] = version }, "/contribute"))
        {
            Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
            Assert.Contains("Your consent is renewed", await renewed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var renewedPolicy = await ApiCalls.GetAsync(phone, "/api/donations/policy");
        Assert.False(renewedPolicy["withdrawn"]!.GetValue<bool>());
        Assert.Equal("renewed", renewedPolicy["consent"]!.GetValue<string>());
        Assert.Equal("completed", (await DonateAsync(phone, version, TrainingLogs.Of("ivan", 3)))["status"]!.GetValue<string>());
        Assert.Equal(5, (await ExportAsync(tenant.Admin, "jsonl")).Count);
    }

    [Fact]
    public async Task Erase_Donor_NothingOfThemCanBeFoundAfterwardsAndTheAuditHoldsNoPseudonym()
    {
        var tenant = await fixture.NewTenantAsync();
        var version = (await ApiCalls.GetAsync(tenant.User, "/api/donations/policy"))["version"]!.GetValue<string>();
        var donor = (await ApiCalls.GetAsync(tenant.User, "/api/donations/policy"))["donor"]!.GetValue<string>();
        await DonateAsync(tenant.User, version, TrainingLogs.Of("frank", 4));
        await DonateAsync(tenant.User, version, TrainingLogs.Of("frank", 3));
        await DonateAsync(tenant.Admin, version, TrainingLogs.Of("grace", 2)); // another donor, who stays
        await fixture.Factory.Services.GetRequiredService<DonationMaintenance>().ExportAsync(CancellationToken.None); // an export holding both donors
        var company = tenant.CompanyId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(2, (await DonorKeysAsync(tenant, donor)).Count);

        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(tenant.User, HttpMethod.Delete, $"/api/donors/{donor}"));
        Assert.Equal(HttpStatusCode.BadRequest, await ApiCalls.StatusAsync(tenant.Admin, HttpMethod.Delete, "/api/donors/p_*"));
        var erasedResponse = await tenant.Admin.DeleteAsync($"/api/donors/{donor}");
        Assert.True(erasedResponse.IsSuccessStatusCode, string.Join("\n", fixture.Logs.Messages.Where(m => m.Contains("xception", StringComparison.Ordinal)).TakeLast(3)));
        var erased = await ApiCalls.ReadAsync(erasedResponse, HttpStatusCode.OK);

        Assert.Equal(3, erased["objects_deleted"]!.GetValue<int>()); // two bundles and one rewritten export
        Assert.Empty(await DonorKeysAsync(tenant, donor));
        var everything = new StringBuilder();
        foreach (var key in (await fixture.S3.ListKeysAsync(fixture.DonationBucket)).Where(k => k.StartsWith($"study/{company}/", StringComparison.Ordinal)))
        {
            var bytes = (await fixture.S3.GetObjectAsync(fixture.DonationBucket, key))!;
            everything.Append(key).Append(key.EndsWith(".gz", StringComparison.Ordinal) ? TrainingLogs.Gunzip(bytes) : Encoding.UTF8.GetString(bytes));
        }

        Assert.DoesNotContain(donor, everything.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, (await ExportAsync(tenant.Admin, "jsonl")).Count);
        Assert.DoesNotContain(await ExportAsync(tenant.Admin, "csv"), l => l.Contains(donor, StringComparison.Ordinal));
        Assert.Null((await ApiCalls.GetAsync(tenant.User, "/api/donations/policy"))["consent"]);
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        var audit = await db.Erasures.AsNoTracking().SingleAsync(e => e.CompanyId == tenant.CompanyId);
        Assert.DoesNotContain(donor, System.Text.Json.JsonSerializer.Serialize(audit), StringComparison.Ordinal);
        Assert.False(await db.Donations.AnyAsync(d => d.Donor == donor));
        Assert.False(await db.Consents.AnyAsync(c => c.Donor == donor));
    }

    [Fact]
    public async Task StatsAndMaintenance_TotalsWindowsAndScheduledRunsVisibleToAdmins()
    {
        var tenant = await fixture.NewTenantAsync();
        var version = (await ApiCalls.GetAsync(tenant.User, "/api/donations/policy"))["version"]!.GetValue<string>();
        await DonateAsync(tenant.User, version, TrainingLogs.Of("heidi", 6));
        var old = await DonateAsync(tenant.User, version, TrainingLogs.Of("heidi", 4));
        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            var id = old["id"]!.GetValue<long>();
            var donation = await db.Donations.SingleAsync(d => d.Id == id);
            donation.CreatedAt = DateTimeOffset.UtcNow.AddDays(-400); // older than the 365-day retention
            await db.SaveChangesAsync();
        }

        var stats = (await ApiCalls.GetAsync(tenant.Admin, "/api/donations/stats"))["items"]!.AsArray().Single(s => s!["company_id"]!.GetValue<long>() == tenant.CompanyId)!;
        Assert.Equal((2, 10, 1, 6, 1, 6), (stats["donations"]!.GetValue<long>(), stats["records"]!.GetValue<long>(), stats["donations7_days"]!.GetValue<long>(),
            stats["records7_days"]!.GetValue<long>(), stats["donations30_days"]!.GetValue<long>(), stats["records30_days"]!.GetValue<long>()));
        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(tenant.User, HttpMethod.Get, "/api/donations/stats"));

        var maintenance = fixture.Factory.Services.GetRequiredService<DonationMaintenance>();
        await maintenance.RetentionAsync(CancellationToken.None);
        await maintenance.ExportAsync(CancellationToken.None);

        var runs = (await ApiCalls.GetAsync(tenant.Admin, "/api/donations/maintenance"))["items"]!.AsArray();
        Assert.Contains(runs, r => r!["task"]!.GetValue<string>() == "donation-retention" && r["outcome"]!.GetValue<string>() == "ok");
        Assert.Contains(runs, r => r!["task"]!.GetValue<string>() == "donation-export" && r["outcome"]!.GetValue<string>() == "ok" && r["company_id"]!.GetValue<long>() == tenant.CompanyId);
        var donor = (await ApiCalls.GetAsync(tenant.User, "/api/donations/policy"))["donor"]!.GetValue<string>();
        Assert.Single(await DonorKeysAsync(tenant, donor)); // the old bundle is gone
        Assert.Equal(6, (await ExportAsync(tenant.Admin, "jsonl")).Count);
        var company = tenant.CompanyId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var exportKey = Assert.Single(await fixture.S3.ListKeysAsync(fixture.DonationBucket), k => k.StartsWith($"study/{company}/exports/", StringComparison.Ordinal));
        Assert.Equal(6, TrainingLogs.Gunzip((await fixture.S3.GetObjectAsync(fixture.DonationBucket, exportKey))!).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Export_AMillionRecords_StreamedInBoundedMemory()
    {
        var tenant = await fixture.NewTenantAsync();
        var version = (await ApiCalls.GetAsync(tenant.User, "/api/donations/policy"))["version"]!.GetValue<string>();
        var donation = await DonateAsync(tenant.User, version, TrainingLogs.Of("ivan", 1));
        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            var at = db.Timestamp(DateTimeOffset.UtcNow);
            var data = "{\"user_id\":\"p_0123456789abcdef0123456789abcdef\",\"step\":1,\"obs\":[0.25,0.5,0.75],\"text\":\"" + new string('a', 160) + "\"}";
            var sql = db.Provider == DatabaseProvider.PostgreSql
                ? "INSERT INTO donated_records (company_id, donation_id, donor, recorded_at, data) SELECT {0}, {1}, {2}, {3}, {4} FROM generate_series(1, 1000000)"
                : "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000) INSERT INTO donated_records (company_id, donation_id, donor, recorded_at, data) SELECT {0}, {1}, {2}, {3}, {4} FROM n";
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10)); // seeding a million rows outlasts the 30 s default on a busy 2-core machine
            await db.Database.ExecuteSqlRawAsync(sql, tenant.CompanyId, donation["id"]!.GetValue<long>(), donation["donor"]!.GetValue<string>(), at, data);
        }

        GC.Collect();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0, lines = 0, bytes = 0;
        using (var response = await tenant.Admin.GetAsync("/api/donations/export?days=1&format=csv", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line)
            {
                bytes += line.Length;
                if (++lines % 100_000 == 0)
                {
                    // Live memory (after a full collection) while the server streams and the client reads.
                    peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
                }
            }
        }

        Assert.Equal(1 + 1 + 1_000_000, lines); // header, the donated record, the million
        Assert.True(bytes > 200_000_000);
        Assert.True(peak < 150L * 1024 * 1024, $"live memory grew by {peak / 1048576} MiB while {bytes / 1048576} MiB were exported");
    }

    [Fact]
    public async Task Donate_ClientGoneMidUpload_NothingLeftRunningOrConsented()
    {
        var tenant = await fixture.NewTenantAsync();
        var version = (await ApiCalls.GetAsync(tenant.User, "/api/donations/policy"))["version"]!.GetValue<string>();
        using var abort = new CancellationTokenSource();
        using var form = new MultipartFormDataContent { { new StringContent(version), "consent" } };
        var file = new StreamContent(new BreakingStream(TrainingLogs.Of("alice", 10), abort));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        form.Add(file, "files", "run.jsonl.gz");

        await Assert.ThrowsAnyAsync<Exception>(() => tenant.User.PostAsync("/api/donations", form, abort.Token));

        // The server notices the client gone and forgets the donation: no row left running (it would count against the
        // user's running donations until a restart), no consent recorded for it, no files kept.
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await db.Donations.AnyAsync(d => d.CompanyId == tenant.CompanyId) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.False(await db.Donations.AnyAsync(d => d.CompanyId == tenant.CompanyId));
        Assert.False(await db.Consents.AnyAsync(c => c.CompanyId == tenant.CompanyId && c.Decision == ConsentRecord.Granted));
    }

    /// <summary>Gives its bytes and the first read after them cancels the request, as a client that goes away mid-upload.</summary>
    private sealed class BreakingStream(byte[] bytes, CancellationTokenSource abort) : MemoryStream(bytes)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await base.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                await Task.Delay(500, CancellationToken.None); // the server has read what was sent
                await abort.CancelAsync();
                throw new IOException("the client went away");
            }

            return read;
        }
    }

    private async Task<JsonObject> DonateAsync(HttpClient client, string version, params byte[][] files)
    {
        using var form = new MultipartFormDataContent { { new StringContent(version), "consent" } };
        for (var i = 0; i < files.Length; i++)
        {
            var content = new ByteArrayContent(files[i]);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
            form.Add(content, "files", $"run-{i} alice.jsonl.gz");
        }

        var started = await ApiCalls.ReadAsync(await client.PostAsync("/api/donations", form), HttpStatusCode.Accepted);
        var id = started["id"]!.GetValue<long>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var donation = await ApiCalls.GetAsync(client, $"/api/donations/{id}");
            if (donation["status"]!.GetValue<string>() != "running" || DateTime.UtcNow > deadline)
            {
                return donation;
            }

            await Task.Delay(100);
        }
    }

    private async Task<List<string>> DonorKeysAsync(Tenant tenant, string donor) =>
        (await fixture.S3.ListKeysAsync(fixture.DonationBucket)).Where(k => k.StartsWith($"study/{tenant.CompanyId}/donations/{donor}/", StringComparison.Ordinal)).ToList();

    private static async Task<List<string>> ExportAsync(HttpClient admin, string format)
    {
        var text = await (await admin.GetAsync($"/api/donations/export?days=30&format={format}")).Content.ReadAsStringAsync();
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(format == "csv" ? 1 : 0).ToList();
    }
}

public sealed class DonationApiTestsOnSqlite(SqliteServerFixture fixture) : DonationApiTests<SqliteServerFixture>(fixture);

public sealed class DonationApiTestsOnPostgres(PostgresServerFixture fixture) : DonationApiTests<PostgresServerFixture>(fixture);
