using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Ferry.Testing;

using static Ferry.Server.Tests.SessionCalls;

namespace Ferry.Server.Tests.Api;

/// <summary>
/// The server proves a batch of small uploads from a listing of their folder instead of a HEAD each, and its verdicts
/// are the ones HEAD gives: the same scene is completed once as one batch and once file by file (one key per call, which
/// the server checks with HEAD), against s3rver through a proxy that counts the requests.
/// </summary>
public abstract class ListingVerificationTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private const int Good = 12;

    [Fact]
    public async Task Complete_BatchOfSmallUploads_IsProvenByOneListingAndNoHead()
    {
        var files = Enumerable.Range(0, 40).ToDictionary(i => $"950123/20250911_{i:D4}.WAV", i => Bytes(100 + i, i));
        await using var uploaded = await UploadedAsync(files);
        var (tenant, proxy, sessionId, etags) = uploaded;

        var completed = await CompleteAsync(tenant.User, sessionId, files.Keys.Select(p => new { path = p, etag = etags[p], md5 = Md5(files[p]), sha256 = Sha256(files[p]) }));

        Assert.All(completed, c => Assert.Equal("uploaded", c["status"]!.GetValue<string>()));
        Assert.Equal(1, proxy.Count("ListObjects"));
        Assert.Equal(0, proxy.Count("HeadObject"));
        var session = await ApiCalls.GetAsync(tenant.User, $"/api/sessions/{sessionId}");
        Assert.Equal(40, session["uploaded_files"]!.GetValue<long>());
    }

    [Fact]
    public async Task Complete_OneFolderListingFails_ItsFilesAreCheckedWithHead_AndOnlyTheWrongOnesFail()
    {
        var files = Enumerable.Range(0, 40).ToDictionary(i => $"{(i < 20 ? "950123" : "950124")}/20250911_{i:D4}.WAV", i => Bytes(100 + i, i));
        // One file in each folder is reported with an MD5 its object does not have: whichever listing fails, a wrong file
        // is in it.
        var wrong = new[] { "950123/20250911_0005.WAV", "950124/20250911_0025.WAV" };
        await using var uploaded = await UploadedAsync(files);
        var (tenant, proxy, sessionId, etags) = uploaded;
        proxy.FailNext("ListObjects", 1);

        var completed = await CompleteAsync(tenant.User, sessionId, files.Keys.Select(p => new { path = p, etag = etags[p], md5 = wrong.Contains(p) ? Md5([1, 2, 3]) : Md5(files[p]), sha256 = Sha256(files[p]) }));

        Assert.Equal(40, completed.Count);
        Assert.All(completed, c => Assert.Equal(wrong.Contains(c["path"]!.GetValue<string>()) ? "failed" : "uploaded", c["status"]!.GetValue<string>()));
        Assert.All(completed.Where(c => wrong.Contains(c["path"]!.GetValue<string>())), c => Assert.Contains("MD5", c["error"]!.GetValue<string>(), StringComparison.Ordinal));
        // Both folders were listed: the one whose listing failed was checked file by file (20 HEADs), the other from its
        // listing, but for its wrong file (1 HEAD, which gives the reason).
        Assert.Equal(2, proxy.Count("ListObjects"));
        Assert.Equal(21, proxy.Count("HeadObject"));
        var session = await ApiCalls.GetAsync(tenant.User, $"/api/sessions/{sessionId}");
        Assert.Equal(38, session["uploaded_files"]!.GetValue<long>());
        Assert.Contains(fixture.Logs.Messages, m => m.StartsWith("Warning", StringComparison.Ordinal)
            && m.Contains($"Session {sessionId}: 1 listing(s) for verification failed, so their objects were checked with HEAD instead", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Complete_ListingAnswersSlowDown_TheCallFails_AndNoHeadIsSent()
    {
        var files = Enumerable.Range(0, 10).ToDictionary(i => $"950123/20250911_{i:D4}.WAV", i => Bytes(100 + i, i));
        await using var uploaded = await UploadedAsync(files);
        var (tenant, proxy, sessionId, etags) = uploaded;
        proxy.SlowDownNext("ListObjects", 1);

        var status = await ApiCalls.StatusAsync(tenant.User, HttpMethod.Post, $"/api/sessions/{sessionId}/complete",
            new { files = files.Keys.Select(p => new { path = p, etag = etags[p], md5 = Md5(files[p]) }) });

        // A store that asks to slow down is not sent a HEAD per key instead: the call fails, the client backs off.
        Assert.Equal(System.Net.HttpStatusCode.BadGateway, status);
        Assert.Equal(1, proxy.Count("ListObjects"));
        Assert.Equal(0, proxy.Count("HeadObject"));
        var session = await ApiCalls.GetAsync(tenant.User, $"/api/sessions/{sessionId}");
        Assert.Equal(0, session["uploaded_files"]!.GetValue<long>());
    }

    [Fact]
    public async Task Complete_BatchWithWrongAndMultipartObjects_SameVerdictsAsHeadEach_AndHeadOnlyForWhatTheListingCannotProve()
    {
        var batched = await SceneAsync();
        await using var batchedProxy = batched.Proxy;
        var oneByOne = await SceneAsync();
        await using var oneByOneProxy = oneByOne.Proxy;

        var batchVerdicts = await CompleteAsync(batched.Tenant.User, batched.SessionId, batched.Reports);
        var batchLists = batched.Proxy.Count("ListObjects");
        var batchHeads = batched.Proxy.Count("HeadObject");
        var singleVerdicts = new List<JsonNode>();
        foreach (var report in oneByOne.Reports)
        {
            singleVerdicts.AddRange(await CompleteAsync(oneByOne.Tenant.User, oneByOne.SessionId, [report]));
        }

        var expected = Enumerable.Range(0, Good).Select(i => ($"S/good{i:D2}.wav", "uploaded", ""))
            .Concat(new[]
            {
                ("S/short.wav", "failed", "60 bytes"),
                ("S/never.wav", "failed", "not in the bucket"),
                ("S/corrupt.wav", "failed", "MD5"),
                ("S/replaced.wav", "failed", "ETag"),
                ("S/big.bin", "uploaded", ""),
                ("S/big-wrong-sha.bin", "failed", "SHA-256"),
            }).ToList();
        Assert.Equal(Describe(singleVerdicts), Describe(batchVerdicts));
        Assert.All(expected.Zip(batchVerdicts), pair =>
        {
            Assert.Equal(pair.First.Item1, pair.Second["path"]!.GetValue<string>());
            Assert.Equal(pair.First.Item2, pair.Second["status"]!.GetValue<string>());
            Assert.Contains(pair.First.Item3, pair.Second["error"]?.GetValue<string>() ?? "", StringComparison.Ordinal);
        });
        // The batch: one listing of the folder proves the good small uploads; the four wrong small objects (HEAD gives
        // every reason for a failure) and the two multipart ones (the SHA-256 is in their metadata) are HEADed.
        Assert.Equal(1, batchLists);
        Assert.Equal(6, batchHeads);
        // One by one, every check is a HEAD: the verdicts compared above are HEAD's.
        Assert.Equal(0, oneByOne.Proxy.Count("ListObjects"));
        Assert.Equal(expected.Count, oneByOne.Proxy.Count("HeadObject"));
    }

    private static List<string> Describe(List<JsonNode> verdicts) =>
        verdicts.Select(v => $"{v["path"]} {v["status"]} {v["error"]}").ToList();

    private sealed record Uploaded(Tenant Tenant, FaultProxy Proxy, long SessionId, Dictionary<string, string> ETags) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Proxy.DisposeAsync();
    }

    /// <summary>
    /// A project behind a counting proxy, with <paramref name="files"/> registered in a new session and uploaded through
    /// its presigned URLs; the proxy's counts and rules are reset, so a test sees only its own completion's requests.
    /// </summary>
    private async Task<Uploaded> UploadedAsync(Dictionary<string, byte[]> files)
    {
        var tenant = await fixture.NewTenantAsync();
        var proxy = await FaultProxy.StartAsync(fixture.S3.Endpoint);
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant, endpoint: proxy.Endpoint);
        var sessionId = await NewSessionAsync(tenant.User, projectId, cycleId);
        await RegisterAsync(tenant.User, sessionId, files.ToDictionary(f => f.Key, f => (long)f.Value.Length));
        var etags = await UploadAsync(tenant.User, sessionId, files);
        proxy.Reset();
        return new Uploaded(tenant, proxy, sessionId, etags);
    }

    private sealed record Scene(Tenant Tenant, FaultProxy Proxy, long SessionId, List<object> Reports);

    /// <summary>
    /// A project behind a counting proxy with, in one folder: good small uploads, one too short, one never uploaded, one
    /// whose bytes are not the file's (MD5), one replaced after its upload (ETag), and two multipart uploads, one
    /// reported with another SHA-256 than its metadata. The proxy's counts are reset once everything is uploaded.
    /// </summary>
    private async Task<Scene> SceneAsync()
    {
        var tenant = await fixture.NewTenantAsync();
        var proxy = await FaultProxy.StartAsync(fixture.S3.Endpoint);
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant, endpoint: proxy.Endpoint);
        var sessionId = await NewSessionAsync(tenant.User, projectId, cycleId);
        var good = Enumerable.Range(0, Good).ToDictionary(i => $"S/good{i:D2}.wav", i => Bytes(300 + i, 20 + i));
        var big = Bytes((5 * 1024 * 1024) + 10, 8);
        var sizes = good.ToDictionary(f => f.Key, f => (long)f.Value.Length);
        sizes["S/short.wav"] = 100;
        sizes["S/never.wav"] = 5;
        sizes["S/corrupt.wav"] = 4;
        sizes["S/replaced.wav"] = 4;
        sizes["S/big.bin"] = big.Length;
        sizes["S/big-wrong-sha.bin"] = big.Length;
        await RegisterAsync(tenant.User, sessionId, sizes);
        var small = new Dictionary<string, byte[]>(good)
        {
            ["S/short.wav"] = Bytes(60, 3),
            ["S/corrupt.wav"] = Encoding.ASCII.GetBytes("XXXX"),
            ["S/replaced.wav"] = Encoding.ASCII.GetBytes("YYYY"),
        };
        var etags = await UploadAsync(tenant.User, sessionId, small);
        var bigEtag = await MultipartAsync(tenant.User, sessionId, "S/big.bin", big);
        var wrongShaEtag = await MultipartAsync(tenant.User, sessionId, "S/big-wrong-sha.bin", big);
        proxy.Reset();

        var reports = good.Keys.Select(p => (object)new { path = p, etag = etags[p], md5 = Md5(good[p]), sha256 = Sha256(good[p]) }).ToList();
        reports.Add(new { path = "S/short.wav", etag = etags["S/short.wav"], md5 = (string?)null, sha256 = (string?)null });
        reports.Add(new { path = "S/never.wav", etag = "d41d8cd98f00b204e9800998ecf8427e", md5 = (string?)null, sha256 = (string?)null });
        reports.Add(new { path = "S/corrupt.wav", etag = etags["S/corrupt.wav"], md5 = (string?)Md5(Encoding.ASCII.GetBytes("good")), sha256 = (string?)null });
        reports.Add(new { path = "S/replaced.wav", etag = Md5(Encoding.ASCII.GetBytes("ZZZZ")), md5 = (string?)null, sha256 = (string?)null });
        reports.Add(new { path = "S/big.bin", etag = bigEtag, md5 = (string?)null, sha256 = (string?)Sha256(big) });
        reports.Add(new { path = "S/big-wrong-sha.bin", etag = wrongShaEtag, md5 = (string?)null, sha256 = (string?)Sha256([1, 2, 3]) });
        return new Scene(tenant, proxy, sessionId, reports);
    }

    /// <summary>Uploads <paramref name="content"/> in two parts (5 MiB and the rest) with its SHA-256 as metadata; the joined object's ETag.</summary>
    private static async Task<string> MultipartAsync(HttpClient client, long sessionId, string path, byte[] content)
    {
        var created = await ApiCalls.PostAsync(client, $"/api/sessions/{sessionId}/multipart", new { path, sha256 = Sha256(content) });
        var uploadId = Uri.EscapeDataString(created["upload_id"]!.GetValue<string>());
        var signed = await ApiCalls.PostAsync(client, $"/api/sessions/{sessionId}/multipart/{uploadId}/parts", new { part_numbers = new[] { 1, 2 } });
        var parts = new List<object>();
        foreach (var part in signed["parts"]!.AsArray())
        {
            var number = part!["part_number"]!.GetValue<int>();
            var body = number == 1 ? content[..(5 * 1024 * 1024)] : content[(5 * 1024 * 1024)..];
            using var response = await Plain.PutAsync(part["url"]!.GetValue<string>(), new ByteArrayContent(body));
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            parts.Add(new { part_number = number, etag = response.Headers.ETag!.Tag });
        }

        var joined = await ApiCalls.PostAsync(client, $"/api/sessions/{sessionId}/multipart/{uploadId}/complete", new { parts });
        return joined["etag"]!.GetValue<string>();
    }

    private static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));
}

public sealed class ListingVerificationTestsOnSqlite(SqliteServerFixture fixture) : ListingVerificationTests<SqliteServerFixture>(fixture);

public sealed class ListingVerificationTestsOnPostgres(PostgresServerFixture fixture) : ListingVerificationTests<PostgresServerFixture>(fixture);
