using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Ferry.Client.Contracts;
using Ferry.Testing;

using static Ferry.Server.Tests.SessionCalls;

namespace Ferry.Server.Tests.Api;

/// <summary>
/// <c>POST /api/sessions/{id}/relay</c>: small registered files sent to the server in one form are written to the
/// project's bucket (one PUT each, no listing or HEAD), proven from S3's answer, and recorded; against s3rver through a
/// proxy that counts and spoils requests.
/// </summary>
public abstract class RelayTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task Relay_BatchOfSmallFiles_OnePutEachNoListingOrHead_ChecksumKept_NotRewrittenWhenRelayedAgain()
    {
        var files = Enumerable.Range(0, 30).ToDictionary(i => $"{(i < 15 ? "950123" : "950124")}/20250911_{i:D4}.WAV", i => Bytes(100 + (i * 37), i));
        await using var scene = await SceneAsync(files);

        var verdicts = await RelayAsync(scene.Tenant.User, scene.SessionId, files.Select(f => (f.Key, f.Value, (string?)Sha256(f.Value))));

        Assert.Equal(files.Keys, verdicts.Select(v => v["path"]!.GetValue<string>()));
        Assert.All(verdicts, v => Assert.Equal("uploaded", v["status"]!.GetValue<string>()));
        Assert.All(verdicts, v => Assert.Equal(Md5(files[v["path"]!.GetValue<string>()]), v["etag"]!.GetValue<string>()));
        Assert.Equal(30, scene.Proxy.Count("PutObject"));
        Assert.Equal(0, scene.Proxy.Count("ListObjects"));
        Assert.Equal(0, scene.Proxy.Count("HeadObject"));
        // Written with Ferry's own signed PUT on a custom endpoint, not the SDK's pipeline (docs/benchmarks.md, session 21).
        Assert.All(scene.Proxy.Requests.Where(r => r.Kind == "PutObject"), r => Assert.DoesNotContain("aws-sdk-dotnet", r.UserAgent ?? "", StringComparison.OrdinalIgnoreCase));
        foreach (var (path, bytes) in files)
        {
            Assert.Equal(bytes, await fixture.S3.GetObjectAsync(scene.Bucket, scene.Keys[path]));
        }

        var session = await ApiCalls.GetAsync(scene.Tenant.User, $"/api/sessions/{scene.SessionId}");
        Assert.Equal(30, session["uploaded_files"]!.GetValue<long>());
        // The server computed each file's SHA-256 itself and keeps it as the checksum; the attempt is counted.
        var listed = await ApiCalls.GetAsync(scene.Tenant.User, $"/api/sessions/{scene.SessionId}/files");
        Assert.All(listed["files"]!.AsArray(), f =>
        {
            Assert.Equal("sha256:" + Sha256(files[f!["path"]!.GetValue<string>()]), f["checksum"]!.GetValue<string>());
            Assert.Equal(1, f["attempts"]!.GetValue<int>());
        });
        // Remembered as verified in the project: a later session finds them uploaded.
        var again = await NewSessionAsync(scene.Tenant.User, scene.ProjectId, scene.CycleId);
        var registered = await RegisterAsync(scene.Tenant.User, again, files.ToDictionary(f => f.Key, f => (long)f.Value.Length));
        Assert.All(registered, r => Assert.Equal("uploaded", r["status"]!.GetValue<string>()));

        // Relayed again into the first session (a page retrying after a lost answer, or other bytes of the same size):
        // an uploaded file is answered as it stands and not written again.
        var first = files.First();
        var repeated = Assert.Single(await RelayAsync(scene.Tenant.User, scene.SessionId, [(first.Key, Bytes(first.Value.Length, 999), null)]));
        Assert.Equal("uploaded", repeated["status"]!.GetValue<string>());
        Assert.Equal(Md5(first.Value), repeated["etag"]!.GetValue<string>());
        Assert.Equal(30, scene.Proxy.Count("PutObject"));
        Assert.Equal(first.Value, await fixture.S3.GetObjectAsync(scene.Bucket, scene.Keys[first.Key]));
        Assert.Equal(30, (await ApiCalls.GetAsync(scene.Tenant.User, $"/api/sessions/{scene.SessionId}"))["uploaded_files"]!.GetValue<long>());
    }

    [Fact]
    public async Task Relay_FileRelayedWithoutSha256_IsFoundLaterAsTheOriginalOfACopy()
    {
        var bytes = Bytes(300, 7);
        var files = new Dictionary<string, byte[]> { ["950123/IMG_0001.JPG"] = bytes };
        await using var scene = await SceneAsync(files);

        // The client sends no SHA-256: the server computes it from the bytes it writes and keeps it as the checksum.
        Assert.Equal("uploaded", Assert.Single(await RelayAsync(scene.Tenant.User, scene.SessionId, [("950123/IMG_0001.JPG", bytes, null)]))["status"]!.GetValue<string>());

        // A copy of the file under another name, in a later session, is found by its SHA-256 and not uploaded.
        var later = await NewSessionAsync(scene.Tenant.User, scene.ProjectId, scene.CycleId);
        var registered = await ApiCalls.PostAsync(scene.Tenant.User, $"/api/sessions/{later}/files", new
        {
            files = new[] { new { path = "950124/copy of IMG_0001.JPG", size = bytes.Length, sha256 = Sha256(bytes) } },
            skip_duplicates = true,
        });
        var copy = registered["files"]![0]!;
        Assert.Equal("duplicate", copy["status"]!.GetValue<string>());
        Assert.Equal(scene.Keys["950123/IMG_0001.JPG"], copy["duplicate_of"]!.GetValue<string>());
    }

    [Fact]
    public async Task Relay_FewerOrMoreBytesWrongSha256OrBytesSpoiledOnTheWay_FailOnlyThoseFiles_AndTheFirstThreeAreNotWritten()
    {
        var files = Enumerable.Range(0, 6).ToDictionary(i => $"S/f{i}.wav", i => Bytes(200 + i, i));
        await using var scene = await SceneAsync(files);
        // The proxy flips a byte of f5's PUT body: S3 stores other bytes than the server received (real S3 refuses them
        // by their Content-MD5; s3rver stores them), and the ETag it answers is not the MD5 of the file.
        scene.Proxy.CorruptNext("PutObject", 1, path => path.EndsWith("f5.wav", StringComparison.Ordinal));
        var sent = files.Select(f => f.Key switch
        {
            "S/f1.wav" => (f.Key, f.Value[..^10], (string?)null),
            "S/f2.wav" => (f.Key, f.Value, (string?)Sha256([1, 2, 3])),
            "S/f3.wav" => (f.Key, [.. f.Value, 1, 2, 3], (string?)null),
            _ => (f.Key, f.Value, (string?)null),
        });

        var verdicts = (await RelayAsync(scene.Tenant.User, scene.SessionId, sent)).ToDictionary(v => v["path"]!.GetValue<string>());

        Assert.Equal("uploaded", verdicts["S/f0.wav"]["status"]!.GetValue<string>());
        Assert.Equal("failed", verdicts["S/f1.wav"]["status"]!.GetValue<string>());
        Assert.Contains("received 191 bytes but the file was registered with 201", verdicts["S/f1.wav"]["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("failed", verdicts["S/f2.wav"]["status"]!.GetValue<string>());
        Assert.Contains("SHA-256", verdicts["S/f2.wav"]["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("failed", verdicts["S/f3.wav"]["status"]!.GetValue<string>());
        Assert.Contains("more bytes than the 203 the file was registered with", verdicts["S/f3.wav"]["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("failed", verdicts["S/f5.wav"]["status"]!.GetValue<string>());
        Assert.Contains("MD5", verdicts["S/f5.wav"]["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(3, scene.Proxy.Count("PutObject"));
        foreach (var path in new[] { "S/f1.wav", "S/f2.wav", "S/f3.wav" })
        {
            Assert.Null(await fixture.S3.GetObjectAsync(scene.Bucket, scene.Keys[path]));
        }

        var session = await ApiCalls.GetAsync(scene.Tenant.User, $"/api/sessions/{scene.SessionId}");
        Assert.Equal(2, session["uploaded_files"]!.GetValue<long>());
        Assert.Equal(4, session["failed_files"]!.GetValue<long>());
    }

    [Fact]
    public async Task Relay_WriteFailsOnce_IsRetried_WriteThatKeepsFailing_FailsWithAReasonToRetry_WithoutS3sText()
    {
        var files = Enumerable.Range(0, 5).ToDictionary(i => $"S/f{i}.wav", i => Bytes(50 + i, i));
        await using var scene = await SceneAsync(files);
        scene.Proxy.FailNext("PutObject", int.MaxValue, path => path.EndsWith("f3.wav", StringComparison.Ordinal));
        scene.Proxy.FailNext("PutObject", 1, path => path.EndsWith("f4.wav", StringComparison.Ordinal));

        var verdicts = (await RelayAsync(scene.Tenant.User, scene.SessionId, files.Select(f => (f.Key, f.Value, (string?)null)))).ToDictionary(v => v["path"]!.GetValue<string>());

        // f4's first write answered 500 and its retry passed; f3's four writes (one and three retries) all failed.
        Assert.Equal(4, verdicts.Values.Count(v => v["status"]!.GetValue<string>() == "uploaded"));
        Assert.Equal("uploaded", verdicts["S/f4.wav"]["status"]!.GetValue<string>());
        Assert.Equal(files["S/f4.wav"], await fixture.S3.GetObjectAsync(scene.Bucket, scene.Keys["S/f4.wav"]));
        Assert.Equal(3 + 2 + 4, scene.Proxy.Count("PutObject"));
        Assert.Equal("failed", verdicts["S/f3.wav"]["status"]!.GetValue<string>());
        var error = verdicts["S/f3.wav"]["error"]!.GetValue<string>();
        Assert.Contains("upload the file again", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Injected", error, StringComparison.Ordinal);
        Assert.Contains(fixture.Logs.Messages, m => m.StartsWith("Warning", StringComparison.Ordinal)
            && m.Contains($"Session {scene.SessionId}: 1 relayed write(s) to storage failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Relay_RefusedBatches_RecordNothing_AndWriteOnlyWhatWasReadBeforeTheFormWasFoundWrong()
    {
        var files = new Dictionary<string, byte[]> { ["S/a.wav"] = Bytes(10, 1), ["S/b.wav"] = Bytes(20, 2) };
        await using var scene = await SceneAsync(files);
        var big = new Dictionary<string, long> { ["S/big.wav"] = (1L << 20) + 1 };
        await RegisterAsync(scene.Tenant.User, scene.SessionId, big);
        var other = await fixture.NewTenantAsync();
        var all = files.Select(f => (f.Key, f.Value, (string?)null)).ToList();

        // Another company's session is not found.
        Assert.Contains("not found", await RefusedAsync(other.User, scene.SessionId, Form(all), HttpStatusCode.NotFound), StringComparison.Ordinal);
        // A file above the relay size, a path not registered, a path twice.
        Assert.Contains("more than this server relays", await RefusedAsync(scene.Tenant.User, scene.SessionId, Form([("S/big.wav", new byte[10], null)]), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("not registered", await RefusedAsync(scene.Tenant.User, scene.SessionId, Form([("S/nope.wav", new byte[10], null)]), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("listed twice", await RefusedAsync(scene.Tenant.User, scene.SessionId, Form([.. all, all[0]]), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        // Fewer or more file fields than paths; no 'files' field first; not a form.
        Assert.Contains("1 file field(s) for 2 path(s)", await RefusedAsync(scene.Tenant.User, scene.SessionId, Form(all, fileFields: 1), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("more file fields", await RefusedAsync(scene.Tenant.User, scene.SessionId, Form(all, fileFields: 3), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        var noManifest = new MultipartFormDataContent { { new ByteArrayContent(files["S/a.wav"]), "file", "file" } };
        Assert.Contains("the first field must be 'files'", await RefusedAsync(scene.Tenant.User, scene.SessionId, noManifest, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("multipart form", await RefusedAsync(scene.Tenant.User, scene.SessionId, new StringContent("{}"), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        // A viewer may not upload.
        using (var viewer = await scene.Tenant.Viewer.PostAsync($"/api/sessions/{scene.SessionId}/relay", Form(all)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        }

        // Refused before any file was read, a batch writes nothing. The two forms found wrong only after their files
        // (one file field short, one too many) wrote what they had read, 1 + 2 objects, and recorded nothing: those
        // files stay pending, to be sent again.
        Assert.Equal(3, scene.Proxy.Count("PutObject"));
        var session = await ApiCalls.GetAsync(scene.Tenant.User, $"/api/sessions/{scene.SessionId}");
        Assert.Equal(0, session["uploaded_files"]!.GetValue<long>());
    }

    [Fact]
    public async Task Relay_PastTheListOrAFieldsLimit_400NamingTheProblem_NothingWrittenOrRecorded()
    {
        var files = new Dictionary<string, byte[]> { ["S/a.wav"] = Bytes(10, 1) };
        await using var scene = await SceneAsync(files);

        // 1,001 paths: the item after the limit stops the read of the 'files' field.
        var tooMany = Enumerable.Range(0, ApiLimits.MaximumRelayBatch + 1).Select(i => ($"S/x{i}.wav", Array.Empty<byte>(), (string?)null)).ToList();
        Assert.Equal("give at most 1,000 files per call; nothing of this call was done", await RefusedAsync(scene.Tenant.User, scene.SessionId, Form(tooMany, fileFields: 0), HttpStatusCode.BadRequest));
        // A 'files' field of 4,112,384 bytes (1,000 paths of 4 KiB and 16 KiB) is read whole (here: found not JSON);
        // one byte more, and its read stops there.
        var longestField = new MultipartFormDataContent { { new ByteArrayContent(new byte[4_112_384]), "files" } };
        Assert.Contains("is not valid JSON", await RefusedAsync(scene.Tenant.User, scene.SessionId, longestField, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        var longField = new MultipartFormDataContent { { new ByteArrayContent(new byte[4_112_384 + 1]), "files" } };
        Assert.Contains("the form could not be read", await RefusedAsync(scene.Tenant.User, scene.SessionId, longField, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        // A file field longer than the largest file this server relays (1 MiB) for a registered 10-byte file.
        Assert.Contains("the form could not be read", await RefusedAsync(scene.Tenant.User, scene.SessionId, Form([("S/a.wav", new byte[(1 << 20) + 2], null)]), HttpStatusCode.BadRequest), StringComparison.Ordinal);

        Assert.Equal(0, scene.Proxy.Count("PutObject"));
        var session = await ApiCalls.GetAsync(scene.Tenant.User, $"/api/sessions/{scene.SessionId}");
        Assert.Equal(0, session["uploaded_files"]!.GetValue<long>());
        Assert.Equal(0, session["failed_files"]!.GetValue<long>());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Relay_FormPastSixtyFourMiB_413_FilesWrittenBeforeStayPending(bool withContentLength)
    {
        // 65 registered files of 1 MiB (the largest relayed): every field within its limit, the form past 64 MiB.
        var files = Enumerable.Range(0, 65).ToDictionary(i => $"S/m{i:D2}.wav", i => Bytes(1 << 20, 100 + i));
        await using var scene = await SceneAsync(files);
        var form = new MultipartFormDataContent
        {
            { new StringContent(new JsonObject { ["files"] = new JsonArray(files.Keys.Select(p => (JsonNode)new JsonObject { ["path"] = p }).ToArray()) }.ToJsonString()), "files" },
        };
        foreach (var bytes in files.Values)
        {
            form.Add(withContentLength ? new ByteArrayContent(bytes) : new StreamContent(new UnknownLengthStream(bytes)), "file", "file");
        }

        using var response = await scene.Tenant.User.PostAsync($"/api/sessions/{scene.SessionId}/relay", form);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"larger than {ApiLimits.MaximumRelayBytes:N0} bytes", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        if (withContentLength)
        {
            Assert.Equal(0, scene.Proxy.Count("PutObject")); // refused before a byte of it was read
        }

        var session = await ApiCalls.GetAsync(scene.Tenant.User, $"/api/sessions/{scene.SessionId}");
        Assert.Equal(0, session["uploaded_files"]!.GetValue<long>());
        Assert.Equal(65, session["pending_files"]!.GetValue<long>());
    }

    [Fact]
    public async Task Relay_OneUserPastFourRunningCalls_Gets429_AndTheFourFinish()
    {
        var files = Enumerable.Range(0, 5).ToDictionary(i => $"S/f{i}.wav", i => Bytes(30 + i, i));
        await using var scene = await SceneAsync(files);
        scene.Proxy.HoldAfter("PutObject", 0);
        var running = files.Take(4).Select(f => RelayAsync(scene.Tenant.User, scene.SessionId, [(f.Key, f.Value, null)])).ToList();
        for (var waited = 0; scene.Proxy.Count("PutObject") < 4; waited++)
        {
            Assert.True(waited < 300, "the four calls did not reach S3");
            await Task.Delay(100);
        }

        var fifth = files.Last();
        Assert.Contains("relay calls running", await RefusedAsync(scene.Tenant.User, scene.SessionId, Form([(fifth.Key, fifth.Value, null)]), HttpStatusCode.TooManyRequests), StringComparison.Ordinal);
        scene.Proxy.Release();
        Assert.All(await Task.WhenAll(running), verdicts => Assert.Equal("uploaded", Assert.Single(verdicts)["status"]!.GetValue<string>()));
        // Once they have answered, the user may relay again.
        Assert.Equal("uploaded", Assert.Single(await RelayAsync(scene.Tenant.User, scene.SessionId, [(fifth.Key, fifth.Value, null)]))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Relay_ServerThatDoesNotRelay_Answers501_AndWritesNothing()
    {
        var files = new Dictionary<string, byte[]> { ["S/a.wav"] = Bytes(10, 1) };
        await using var scene = await SceneAsync(files);
        await using var off = fixture.Factory.WithWebHostBuilder(host => host.UseSetting("Ferry:RelayMaximumFileSize", "0"));
        using var client = off.CreateClient();
        client.DefaultRequestHeaders.Authorization = scene.Tenant.User.DefaultRequestHeaders.Authorization;

        Assert.Contains("does not relay", await RefusedAsync(client, scene.SessionId, Form([("S/a.wav", files["S/a.wav"], null)]), HttpStatusCode.NotImplemented), StringComparison.Ordinal);
        Assert.Equal(0, scene.Proxy.Count("PutObject"));
    }

    private static async Task<string> RefusedAsync(HttpClient client, long sessionId, HttpContent form, HttpStatusCode expected)
    {
        using var response = await client.PostAsync($"/api/sessions/{sessionId}/relay", form);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{response.StatusCode}: {text}");
        return JsonNode.Parse(text)!["detail"]!.GetValue<string>();
    }

    private static async Task<List<JsonNode>> RelayAsync(HttpClient client, long sessionId, IEnumerable<(string Path, byte[] Bytes, string? Sha256)> files)
    {
        using var response = await client.PostAsync($"/api/sessions/{sessionId}/relay", Form(files.ToList()));
        var answer = await ApiCalls.ReadAsync(response, HttpStatusCode.OK);
        return answer["files"]!.AsArray().Select(f => f!).ToList();
    }

    /// <summary>The relay form: the field 'files' naming the paths, then <paramref name="fileFields"/> file fields (default: one per path).</summary>
    private static MultipartFormDataContent Form(List<(string Path, byte[] Bytes, string? Sha256)> files, int? fileFields = null)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(new JsonObject { ["files"] = new JsonArray(files.Select(f => (JsonNode)new JsonObject { ["path"] = f.Path, ["sha256"] = f.Sha256 }).ToArray()) }.ToJsonString()), "files" },
        };
        for (var i = 0; i < (fileFields ?? files.Count); i++)
        {
            var content = new ByteArrayContent(files[i % files.Count].Bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(content, "file", "file");
        }

        return form;
    }

    private sealed record Scene(Tenant Tenant, FaultProxy Proxy, long ProjectId, long CycleId, string Bucket, long SessionId, Dictionary<string, string> Keys) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Proxy.DisposeAsync();
    }

    /// <summary>A project behind a counting proxy and a session with <paramref name="files"/> registered (their keys by path).</summary>
    private async Task<Scene> SceneAsync(Dictionary<string, byte[]> files)
    {
        var tenant = await fixture.NewTenantAsync();
        var proxy = await FaultProxy.StartAsync(fixture.S3.Endpoint);
        var (projectId, cycleId, bucket) = await fixture.NewProjectAsync(tenant, endpoint: proxy.Endpoint);
        var sessionId = await NewSessionAsync(tenant.User, projectId, cycleId);
        var registered = await RegisterAsync(tenant.User, sessionId, files.ToDictionary(f => f.Key, f => (long)f.Value.Length));
        proxy.Reset();
        return new Scene(tenant, proxy, projectId, cycleId, bucket, sessionId, registered.ToDictionary(r => r["path"]!.GetValue<string>(), r => r["key"]!.GetValue<string>()));
    }

    private static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));
}

public sealed class RelayTestsOnSqlite(SqliteServerFixture fixture) : RelayTests<SqliteServerFixture>(fixture);

public sealed class RelayTestsOnPostgres(PostgresServerFixture fixture) : RelayTests<PostgresServerFixture>(fixture);
