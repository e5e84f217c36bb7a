using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Server.Data;
using Ferry.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Ferry.Server.Tests.SessionCalls;

namespace Ferry.Server.Tests.Api;

/// <summary>
/// Session audit exports against s3rver: the bundle in the bucket (manifest, failures, activity log, reports),
/// download-only zips, S3 down → outbox → background retry → delivered once, and who may do what.
/// </summary>
public abstract class SessionExportTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task ExportToS3_FinishedSession_BundleWithManifestFailuresLogAndReportsVerified()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, bucket) = await fixture.NewProjectAsync(tenant, prefix: "C4");
        var sessionId = await FinishedSessionAsync(tenant, projectId, cycleId);

        var started = await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{sessionId}/exports", new { target = "s3" }, HttpStatusCode.Accepted);
        var export = await WaitSettledAsync(tenant.User, started["id"]!.GetValue<long>());

        Assert.Equal("delivered", export["status"]!.GetValue<string>());
        var folder = export["bundle"]!.GetValue<string>();
        Assert.Matches(@"^\d{8}_\d{6}_session-\d+-", folder);
        Assert.Equal($"s3://{bucket}/ferry-exports/{folder}/", export["location"]!.GetValue<string>());
        var prefix = $"ferry-exports/{folder}/";
        var keys = (await fixture.S3.ListKeysAsync(bucket)).Where(k => k.StartsWith("ferry-exports/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(new[] { "comprehensive_report.json", "failures/failures.csv", "logs/activity.jsonl", "manifest/manifest.csv", "manifest/manifest.jsonl", "readable_report.txt" }.Select(k => prefix + k), keys);

        var manifest = Text(await fixture.S3.GetObjectAsync(bucket, prefix + "manifest/manifest.jsonl")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(["failed", "pending", "uploaded", "uploaded"], manifest.Select(m => m["status"]!.GetValue<string>()).Order());
        Assert.Contains(manifest, m => m["key"]!.GetValue<string>() == "C4/S1/a b+c #1.wav" && m["status"]!.GetValue<string>() == "uploaded");
        var failures = Text(await fixture.S3.GetObjectAsync(bucket, prefix + "failures/failures.csv"));
        Assert.Contains("S1/corrupt.wav", failures);
        Assert.Contains("MD5", failures);
        Assert.Contains("S1/never.wav", failures);
        var activity = Text(await fixture.S3.GetObjectAsync(bucket, prefix + "logs/activity.jsonl"));
        Assert.StartsWith("{\"at\":", activity);
        Assert.Contains("\"event\":\"session_started\"", activity);
        Assert.Contains("\"event\":\"file_verified\"", activity);
        Assert.Contains("\"event\":\"session_finished\"", activity);

        using var report = JsonDocument.Parse((await fixture.S3.GetObjectAsync(bucket, prefix + "comprehensive_report.json"))!);
        var root = report.RootElement;
        Assert.Equal("delivered", root.GetProperty("outcome").GetString());
        Assert.Equal(sessionId.ToString(System.Globalization.CultureInfo.InvariantCulture), root.GetProperty("details").GetProperty("session_id").GetString());
        Assert.Equal("incomplete", root.GetProperty("details").GetProperty("status").GetString());
        foreach (var file in root.GetProperty("files").EnumerateArray())
        {
            var bytes = (await fixture.S3.GetObjectAsync(bucket, prefix + file.GetProperty("path").GetString()))!;
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), file.GetProperty("sha256").GetString());
        }

        // The download link serves the same bundle as a zip.
        var zip = await DownloadAsync(tenant.Viewer, export["download_url"]!.GetValue<string>());
        Assert.Equal(keys.Select(k => k["ferry-exports/".Length..]), zip.Keys.Order(StringComparer.Ordinal));
        foreach (var key in keys)
        {
            Assert.Equal(await fixture.S3.GetObjectAsync(bucket, key), zip[key["ferry-exports/".Length..]]);
        }
    }

    [Fact]
    public async Task ExportDownloadOnly_FileNamedLikeAFormula_NeutralizedInEveryCsv()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var sessionId = await NewSessionAsync(tenant.User, projectId, cycleId);
        const string name = "=HYPERLINK(\"evil.example\",\"click\").wav";
        await RegisterAsync(tenant.User, sessionId, new Dictionary<string, long> { [name] = 5 });
        await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{sessionId}/finish", new { });

        var started = await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{sessionId}/exports", new { target = "download" }, HttpStatusCode.Accepted);
        var export = await WaitSettledAsync(tenant.User, started["id"]!.GetValue<long>());
        var zip = await DownloadAsync(tenant.User, export["download_url"]!.GetValue<string>());

        var csvs = zip.Where(e => e.Key.EndsWith(".csv", StringComparison.Ordinal)).Select(e => Text(e.Value)).ToList();
        Assert.Equal(2, csvs.Count);
        Assert.All(csvs, csv =>
        {
            Assert.Contains("\"'=HYPERLINK(\"\"evil.example\"\",\"\"click\"\").wav\"", csv, StringComparison.Ordinal);
            Assert.DoesNotContain(csv.Split('\n'), line => line.StartsWith('=') || line.StartsWith("\"=", StringComparison.Ordinal) || line.Contains(",=", StringComparison.Ordinal) || line.Contains(",\"=", StringComparison.Ordinal));
        });
    }

    [Fact]
    public async Task ExportDownloadOnly_ZipReadyAndNothingWrittenToBucket()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, bucket) = await fixture.NewProjectAsync(tenant);
        var sessionId = await FinishedSessionAsync(tenant, projectId, cycleId);

        var started = await ApiCalls.PostAsync(tenant.Admin, $"/api/sessions/{sessionId}/exports", new { target = "download" }, HttpStatusCode.Accepted);
        var export = await WaitSettledAsync(tenant.Admin, started["id"]!.GetValue<long>());

        Assert.Equal("ready", export["status"]!.GetValue<string>());
        Assert.Null(export["location"]);
        var zip = await DownloadAsync(tenant.Admin, export["download_url"]!.GetValue<string>());
        var folder = export["bundle"]!.GetValue<string>();
        Assert.Contains($"{folder}/manifest/manifest.jsonl", zip.Keys);
        Assert.Contains($"{folder}/readable_report.txt", zip.Keys);
        Assert.Contains("queued", Text(zip[$"{folder}/comprehensive_report.json"])); // built, never delivered
        Assert.DoesNotContain(await fixture.S3.ListKeysAsync(bucket), k => k.StartsWith("ferry-exports/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExportToS3_EndpointFailing_QueuedInOutboxThenRetriedAndDeliveredOnce()
    {
        var tenant = await fixture.NewTenantAsync();
        await using var proxy = await FaultProxy.StartAsync(fixture.S3.Endpoint);
        var (projectId, cycleId, bucket) = await fixture.NewProjectAsync(tenant, endpoint: proxy.Endpoint);
        var sessionId = await FinishedSessionAsync(tenant, projectId, cycleId);
        foreach (var kind in new[] { "PutObject", "HeadObject", "ListObjects", "GetObject", "CreateMultipart", "Other" })
        {
            proxy.FailNext(kind, int.MaxValue);
        }

        var started = await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{sessionId}/exports", new { target = "s3" }, HttpStatusCode.Accepted);
        var id = started["id"]!.GetValue<long>();
        var queued = await WaitSettledAsync(tenant.User, id);

        Assert.Equal("queued", queued["status"]!.GetValue<string>());
        Assert.StartsWith("the bundle was not delivered: ", queued["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(new Uri(proxy.Endpoint).Authority, queued.ToJsonString(), StringComparison.Ordinal); // S3's own text stays in the server log
        Assert.DoesNotContain(bucket, queued["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(queued["download_url"]); // the bundle can be fetched while it waits
        Assert.True(await OutboxHoldsAsync(id)); // in the shared outbox (the database), for whichever replica retries first
        Assert.DoesNotContain(await fixture.S3.ListKeysAsync(bucket), k => k.StartsWith("ferry-exports/", StringComparison.Ordinal));

        proxy.Reset(); // S3 is back: the background service retries with backoff
        var delivered = await WaitForAsync(tenant.User, id, e => e["status"]!.GetValue<string>() == "delivered");

        Assert.True(delivered["attempts"]!.GetValue<int>() >= 2);
        var keys = (await fixture.S3.ListKeysAsync(bucket)).Where(k => k.StartsWith("ferry-exports/", StringComparison.Ordinal)).ToList();
        Assert.Single(keys.Select(k => k.Split('/')[1]).Distinct()); // one bundle, delivered once
        Assert.Equal(6, keys.Count);
        Assert.Contains(keys, k => k.EndsWith("/comprehensive_report.json", StringComparison.Ordinal));
        Assert.DoesNotContain(Directory.GetDirectories(Path.Combine(fixture.DataDirectory, "outbox")), d => Path.GetFileName(d).Contains(delivered["bundle"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.False(await OutboxHoldsAsync(id));
        var listed = (await ApiCalls.GetAsync(tenant.Admin, $"/api/exports?session_id={sessionId}"))["items"]!.AsArray();
        Assert.Equal("delivered", Assert.Single(listed)!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task ExportQueued_LeaseHeldByADeadReplica_LeftAloneUntilItExpiresThenDeliveredOnce()
    {
        var tenant = await fixture.NewTenantAsync();
        await using var proxy = await FaultProxy.StartAsync(fixture.S3.Endpoint);
        var (projectId, cycleId, bucket) = await fixture.NewProjectAsync(tenant, endpoint: proxy.Endpoint);
        var sessionId = await FinishedSessionAsync(tenant, projectId, cycleId);
        foreach (var kind in new[] { "PutObject", "HeadObject", "ListObjects", "GetObject", "CreateMultipart", "Other" })
        {
            proxy.FailNext(kind, int.MaxValue);
        }

        var id = (await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{sessionId}/exports", new { target = "s3" }, HttpStatusCode.Accepted))["id"]!.GetValue<long>();
        Assert.Equal("queued", (await WaitSettledAsync(tenant.User, id))["status"]!.GetValue<string>());

        // Another replica claimed it and died: its lease (an hour) stands, whatever this server's retry loop does.
        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            DateTimeOffset? held = DateTimeOffset.UtcNow.AddHours(1);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (await db.ExportOutbox.Where(o => o.ExportId == id && o.LeaseOwner == null).ExecuteUpdateAsync(set => set.SetProperty(o => o.LeaseOwner, "dead-replica:1").SetProperty(o => o.LeaseUntil, held)) != 1)
            {
                Assert.True(DateTime.UtcNow < deadline, "the server's own retry never let go of the bundle");
                await Task.Delay(50);
            }
        }

        proxy.Reset(); // S3 is back
        await Task.Delay(3000); // many retry rounds (every 0.2 s; backoff 1 s)
        Assert.Equal("queued", (await ApiCalls.GetAsync(tenant.User, $"/api/exports/{id}"))["status"]!.GetValue<string>());
        Assert.DoesNotContain(await fixture.S3.ListKeysAsync(bucket), k => k.StartsWith("ferry-exports/", StringComparison.Ordinal));

        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            DateTimeOffset? expired = DateTimeOffset.UtcNow.AddSeconds(-1);
            await scope.ServiceProvider.GetRequiredService<FerryDbContext>().ExportOutbox.Where(o => o.ExportId == id)
                .ExecuteUpdateAsync(set => set.SetProperty(o => o.LeaseUntil, expired));
        }

        var delivered = await WaitForAsync(tenant.User, id, e => e["status"]!.GetValue<string>() == "delivered");
        var keys = (await fixture.S3.ListKeysAsync(bucket)).Where(k => k.StartsWith("ferry-exports/", StringComparison.Ordinal)).ToList();
        Assert.Single(keys.Select(k => k.Split('/')[1]).Distinct()); // one bundle, delivered once
        Assert.Equal(delivered["bundle"]!.GetValue<string>(), keys[0].Split('/')[1]);
        Assert.False(await OutboxHoldsAsync(id));
    }

    [Fact]
    public async Task Export_RolesTenantsAndStates_AreEnforced()
    {
        var tenant = await fixture.NewTenantAsync();
        var other = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var finished = await FinishedSessionAsync(tenant, projectId, cycleId);
        var active = await NewSessionAsync(tenant.User, projectId, cycleId);
        var path = $"/api/sessions/{finished}/exports";

        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(tenant.Viewer, HttpMethod.Post, path, new { target = "s3" }));
        Assert.Equal(HttpStatusCode.NotFound, await ApiCalls.StatusAsync(other.Admin, HttpMethod.Post, path, new { target = "s3" }));
        Assert.Equal(HttpStatusCode.Conflict, await ApiCalls.StatusAsync(tenant.User, HttpMethod.Post, $"/api/sessions/{active}/exports", new { target = "s3" }));
        Assert.Equal(HttpStatusCode.BadRequest, await ApiCalls.StatusAsync(tenant.User, HttpMethod.Post, path, new { target = "ftp" }));
        var started = await ApiCalls.PostAsync(tenant.User, path, new { target = "download" }, HttpStatusCode.Accepted);
        var id = started["id"]!.GetValue<long>();
        await WaitSettledAsync(tenant.User, id);
        Assert.Equal(HttpStatusCode.NotFound, await ApiCalls.StatusAsync(other.Admin, HttpMethod.Get, $"/api/exports/{id}"));
        Assert.Equal(HttpStatusCode.NotFound, await ApiCalls.StatusAsync(other.Admin, HttpMethod.Get, $"/api/exports/{id}/download"));
        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(tenant.User, HttpMethod.Get, "/api/exports"));
        Assert.DoesNotContain($"\"id\":{id},", (await ApiCalls.GetAsync(other.Admin, "/api/exports")).ToString().Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExportDownloadOnly_ServerDiskFails_FailedWithoutNamingTheServersPaths()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var sessionId = await FinishedSessionAsync(tenant, projectId, cycleId);
        var service = fixture.Factory.Services.GetRequiredService<Ferry.Server.Exports.SessionExportService>();
        long id;
        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            var export = new SessionExport
            {
                CompanyId = tenant.CompanyId,
                SessionId = sessionId,
                UserId = await db.Users.Where(u => u.CompanyId == tenant.CompanyId).Select(u => u.Id).FirstAsync(),
                Kind = ExportKind.Download,
                Status = ExportStatus.Running,
                CreatedAt = DateTimeOffset.UtcNow,
            };
            db.Exports.Add(export);
            await db.SaveChangesAsync();
            id = export.Id;
        }

        // The zip's temporary file cannot be created: a folder stands at its path.
        var blocked = Directory.CreateDirectory(service.ZipPath(id) + ".tmp");
        try
        {
            File.WriteAllText(Path.Combine(blocked.FullName, "in-the-way"), "");
            await service.RunAsync(id, CancellationToken.None);
        }
        finally
        {
            blocked.Delete(recursive: true);
        }

        var failed = await ApiCalls.GetAsync(tenant.User, $"/api/exports/{id}");
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        var message = failed["message"]!.GetValue<string>();
        Assert.Equal("the export failed: the server could not write its files; the details are in the server log", message);
        Assert.DoesNotContain(Path.GetDirectoryName(service.ZipPath(id))!, failed.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(".zip.tmp", failed.ToJsonString(), StringComparison.Ordinal);
    }

    /// <summary>Whether export <paramref name="id"/>'s bundle waits in the shared outbox (<c>export_outbox</c>).</summary>
    private async Task<bool> OutboxHoldsAsync(long id)
    {
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FerryDbContext>().ExportOutbox.AnyAsync(o => o.ExportId == id);
    }

    private async Task<long> FinishedSessionAsync(Tenant tenant, long projectId, long cycleId)
    {
        var sessionId = await NewSessionAsync(tenant.User, projectId, cycleId);
        var files = new Dictionary<string, byte[]> { ["S1/a b+c #1.wav"] = Bytes(700, 1), ["S1/ok.wav"] = Bytes(300, 2), ["S1/corrupt.wav"] = Encoding.ASCII.GetBytes("XXXX") };
        await RegisterAsync(tenant.User, sessionId, new Dictionary<string, long> { ["S1/a b+c #1.wav"] = 700, ["S1/ok.wav"] = 300, ["S1/corrupt.wav"] = 4, ["S1/never.wav"] = 9 });
        var etags = await UploadAsync(tenant.User, sessionId, files);
        await CompleteAsync(tenant.User, sessionId, [
            new { path = "S1/a b+c #1.wav", etag = etags["S1/a b+c #1.wav"], md5 = (string?)null },
            new { path = "S1/ok.wav", etag = etags["S1/ok.wav"], md5 = (string?)null },
            new { path = "S1/corrupt.wav", etag = etags["S1/corrupt.wav"], md5 = (string?)Md5(Encoding.ASCII.GetBytes("good")) },
        ]);
        await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{sessionId}/finish", new { });
        return sessionId;
    }

    private static Task<JsonObject> WaitSettledAsync(HttpClient client, long id) => WaitForAsync(client, id, e => e["status"]!.GetValue<string>() != "running");

    private static async Task<JsonObject> WaitForAsync(HttpClient client, long id, Func<JsonObject, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var export = await ApiCalls.GetAsync(client, $"/api/exports/{id}");
            if (condition(export) || DateTime.UtcNow > deadline)
            {
                Assert.True(condition(export), "timed out; export is " + export.ToJsonString());
                return export;
            }

            await Task.Delay(100);
        }
    }

    private static async Task<Dictionary<string, byte[]>> DownloadAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
        var entries = new Dictionary<string, byte[]>();
        foreach (var entry in zip.Entries)
        {
            using var content = entry.Open();
            using var copy = new MemoryStream();
            content.CopyTo(copy);
            entries[entry.FullName] = copy.ToArray();
        }

        return entries;
    }

    private static string Text(byte[]? bytes) => Encoding.UTF8.GetString(bytes!);
}

public sealed class SessionExportTestsOnSqlite(SqliteServerFixture fixture) : SessionExportTests<SqliteServerFixture>(fixture);

public sealed class SessionExportTestsOnPostgres(PostgresServerFixture fixture) : SessionExportTests<PostgresServerFixture>(fixture);
