using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

using static Ferry.Server.Tests.SessionCalls;

namespace Ferry.Server.Tests.Api;

/// <summary>Sessions end to end against s3rver: register, presign, PUT with a plain HTTP client, complete, verify.</summary>
public abstract class UploadSessionTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task PresignPutComplete_OddNames_AreVerifiedAndStoredByteForByte()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, bucket) = await fixture.NewProjectAsync(tenant, prefix: "C2");
        var sessionId = await NewSessionAsync(tenant.User, projectId, cycleId);
        var files = new Dictionary<string, byte[]>
        {
            ["950349/20250909_092000.WAV"] = Bytes(3000, 1),
            ["950350/a b%c+d#e ünï 🦉.jpg"] = Bytes(10, 2),
            ["950350\\sub\\empty.txt"] = [],
        };

        var registered = await RegisterAsync(tenant.User, sessionId, files.ToDictionary(f => f.Key, f => (long)f.Value.Length));
        Assert.All(registered, r => Assert.Equal("pending", r["status"]!.GetValue<string>()));
        Assert.Contains(registered, r => r["key"]!.GetValue<string>() == "C2/950350\\sub\\empty.txt"); // a backslash is part of the name, byte for byte

        var etags = await UploadAsync(tenant.User, sessionId, files);
        var completed = await CompleteAsync(tenant.User, sessionId, files.Keys.Select(p => new { path = p, etag = etags[p], md5 = Md5(files[p]) }));

        Assert.All(completed, c => Assert.Equal("uploaded", c["status"]!.GetValue<string>()));
        Assert.Equal(files["950350/a b%c+d#e ünï 🦉.jpg"], await fixture.S3.GetObjectAsync(bucket, "C2/950350/a b%c+d#e ünï 🦉.jpg"));
        Assert.Equal(files["950349/20250909_092000.WAV"], await fixture.S3.GetObjectAsync(bucket, "C2/950349/20250909_092000.WAV"));
        var session = await ApiCalls.GetAsync(tenant.Viewer, $"/api/sessions/{sessionId}");
        Assert.Equal(3, session["total_files"]!.GetValue<long>());
        Assert.Equal(3, session["uploaded_files"]!.GetValue<long>());
        Assert.Equal(3010, session["uploaded_bytes"]!.GetValue<long>());
        Assert.Equal(0, session["pending_files"]!.GetValue<long>());
    }

    [Fact]
    public async Task PresignPost_FormUpload_IsVerifiedAndStoredByteForByte()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, bucket) = await fixture.NewProjectAsync(tenant);
        var sessionId = await NewSessionAsync(tenant.User, projectId, cycleId);
        var content = Bytes(5000, 7);
        await RegisterAsync(tenant.User, sessionId, new Dictionary<string, long> { ["form/a b+c.wav"] = content.Length });

        var presigned = await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{sessionId}/presign", new { paths = new[] { "form/a b+c.wav" }, method = "POST" });
        var upload = presigned["uploads"]![0]!;
        using var form = new MultipartFormDataContent();
        foreach (var (name, value) in upload["fields"]!.AsObject())
        {
            form.Add(new StringContent(value!.GetValue<string>()), name);
        }

        form.Add(new ByteArrayContent(content), "file", "a b+c.wav");
        using var response = await Plain.PostAsync(upload["url"]!.GetValue<string>(), form);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var completed = await CompleteAsync(tenant.User, sessionId, [new { path = "form/a b+c.wav", etag = response.Headers.ETag!.Tag }]);

        Assert.Equal("POST", upload["method"]!.GetValue<string>());
        Assert.Equal("uploaded", completed[0]["status"]!.GetValue<string>());
        Assert.Equal(content, await fixture.S3.GetObjectAsync(bucket, "C1/form/a b+c.wav"));
        Assert.Equal(HttpStatusCode.BadRequest, await ApiCalls.StatusAsync(tenant.User, HttpMethod.Post, $"/api/sessions/{sessionId}/presign", new { paths = new[] { "form/a b+c.wav" }, method = "DELETE" }));
    }

    [Fact]
    public async Task Complete_MissingOrWrongObject_IsFailedWithReason()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, bucket) = await fixture.NewProjectAsync(tenant);
        var sessionId = await NewSessionAsync(tenant.User, projectId, cycleId);
        await RegisterAsync(tenant.User, sessionId, new Dictionary<string, long> { ["s/short.wav"] = 100, ["s/never.wav"] = 5, ["s/corrupt.wav"] = 4 });
        // A PUT of the wrong length, and an object whose bytes are not the file's (same size, other MD5).
        var etags = await UploadAsync(tenant.User, sessionId, new Dictionary<string, byte[]> { ["s/short.wav"] = Bytes(60, 3), ["s/corrupt.wav"] = Encoding.ASCII.GetBytes("XXXX") });

        var completed = await CompleteAsync(tenant.User, sessionId, [
            new { path = "s/short.wav", etag = etags["s/short.wav"], md5 = (string?)null },
            new { path = "s/never.wav", etag = "d41d8cd98f00b204e9800998ecf8427e", md5 = (string?)null },
            new { path = "s/corrupt.wav", etag = etags["s/corrupt.wav"], md5 = (string?)Md5(Encoding.ASCII.GetBytes("good")) },
        ]);

        var byPath = completed.ToDictionary(c => c["path"]!.GetValue<string>());
        Assert.Equal("failed", byPath["s/short.wav"]["status"]!.GetValue<string>());
        Assert.Contains("60 bytes", byPath["s/short.wav"]["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("not in the bucket", byPath["s/never.wav"]["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("MD5", byPath["s/corrupt.wav"]["error"]!.GetValue<string>(), StringComparison.Ordinal);
        var failed = await ApiCalls.GetAsync(tenant.User, $"/api/sessions/{sessionId}/files?status=failed");
        Assert.Equal(3, failed["files"]!.AsArray().Count);
        Assert.All(failed["files"]!.AsArray(), f => Assert.False(string.IsNullOrEmpty(f!["last_error"]!.GetValue<string>())));
        var session = await ApiCalls.GetAsync(tenant.User, $"/api/sessions/{sessionId}");
        Assert.Equal(3, session["failed_files"]!.GetValue<long>());
        Assert.Equal(0, session["uploaded_files"]!.GetValue<long>());
        Assert.DoesNotContain(await fixture.S3.ListKeysAsync(bucket), k => k.EndsWith("never.wav", StringComparison.Ordinal));
    }


    [Fact]
    public async Task Complete_PathTwiceInABatchAndAgainLater_FirstVerdictStandsAndCountsOnce()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var sessionId = await NewSessionAsync(tenant.User, projectId, cycleId);
        var files = new Dictionary<string, byte[]> { ["t/a.wav"] = Bytes(300, 4), ["t/b.wav"] = Bytes(200, 5) };
        await RegisterAsync(tenant.User, sessionId, files.ToDictionary(f => f.Key, f => (long)f.Value.Length));
        var etags = await UploadAsync(tenant.User, sessionId, files);

        // a.wav reported twice in one batch: uploaded once, and the second entry answers the row's verdict.
        var completed = await CompleteAsync(tenant.User, sessionId, [
            new { path = "t/a.wav", etag = etags["t/a.wav"], md5 = Md5(files["t/a.wav"]) },
            new { path = "t/b.wav", etag = etags["t/b.wav"], md5 = Md5(files["t/b.wav"]) },
            new { path = "t/a.wav", etag = etags["t/a.wav"], md5 = Md5(files["t/a.wav"]) },
        ]);
        // Reported again after it was verified (a client retrying a call whose answer it lost): still uploaded, not counted again.
        var again = await CompleteAsync(tenant.User, sessionId, [new { path = "t/b.wav", etag = etags["t/b.wav"], md5 = Md5(files["t/b.wav"]) }]);

        Assert.Equal(["uploaded", "uploaded", "uploaded"], completed.Select(c => c["status"]!.GetValue<string>()));
        Assert.Equal(etags["t/a.wav"].Trim('"'), completed[2]["etag"]!.GetValue<string>());
        Assert.Equal("uploaded", again[0]["status"]!.GetValue<string>());
        var session = await ApiCalls.GetAsync(tenant.User, $"/api/sessions/{sessionId}");
        Assert.Equal(2, session["uploaded_files"]!.GetValue<long>());
        Assert.Equal(500, session["uploaded_bytes"]!.GetValue<long>());
        Assert.Equal(0, session["failed_files"]!.GetValue<long>());
        var uploaded = await ApiCalls.GetAsync(tenant.User, $"/api/sessions/{sessionId}/files?status=uploaded");
        Assert.All(uploaded["files"]!.AsArray(), f => Assert.StartsWith("md5:", f!["checksum"]!.GetValue<string>(), StringComparison.Ordinal));
    }
    [Fact]
    public async Task Register_SameFolderInNewSession_ReportsVerifiedFilesUploadedAndOthersPending()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var first = await NewSessionAsync(tenant.User, projectId, cycleId);
        var content = new Dictionary<string, byte[]> { ["S1/done.wav"] = Bytes(500, 4) };
        await RegisterAsync(tenant.User, first, new Dictionary<string, long> { ["S1/done.wav"] = 500, ["S1/pending.wav"] = 7 });
        var etags = await UploadAsync(tenant.User, first, content);
        await CompleteAsync(tenant.User, first, [new { path = "S1/done.wav", etag = etags["S1/done.wav"] }]);

        // The same session again is idempotent; a new session (another device) skips what is verified.
        var again = await RegisterAsync(tenant.User, first, new Dictionary<string, long> { ["S1/done.wav"] = 500, ["S1/pending.wav"] = 7 });
        var second = await NewSessionAsync(tenant.Admin, projectId, cycleId);
        var resumed = await RegisterAsync(tenant.Admin, second, new Dictionary<string, long> { ["S1/done.wav"] = 500, ["S1/pending.wav"] = 7, ["S1/changed.wav"] = 1 });

        Assert.Equal(["uploaded", "pending"], again.Select(r => r["status"]!.GetValue<string>()));
        Assert.Equal(["uploaded", "pending", "pending"], resumed.Select(r => r["status"]!.GetValue<string>()));
        var session = await ApiCalls.GetAsync(tenant.Admin, $"/api/sessions/{second}");
        Assert.Equal(3, session["total_files"]!.GetValue<long>());
        Assert.Equal(1, session["skipped_files"]!.GetValue<long>());
        Assert.Equal(2, session["pending_files"]!.GetValue<long>());
        var firstSession = await ApiCalls.GetAsync(tenant.Admin, $"/api/sessions/{first}");
        Assert.Equal(2, firstSession["total_files"]!.GetValue<long>());
    }

    [Fact]
    public async Task Register_FilesNewAndKnownMixed_AnswersEachInTheOrderSentWithThePathAsSent()
    {
        // The upload page reads the i-th answer as the i-th file it sent (docs/api.md): rows the session already has
        // and new ones, in an order that is neither sorted nor the order they were first registered.
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var session = await NewSessionAsync(tenant.User, projectId, cycleId);
        await RegisterAsync(tenant.User, session, new Dictionary<string, long> { ["S2/b.wav"] = 2, ["S1/d.wav"] = 4 });
        var etags = await UploadAsync(tenant.User, session, new Dictionary<string, byte[]> { ["S2/b.wav"] = [1, 2] });
        await CompleteAsync(tenant.User, session, [new { path = "S2/b.wav", etag = etags["S2/b.wav"] }]);
        string[] sent = ["S9/e.wav", "S1/d.wav", "S1/a.wav", "S2/b.wav", "S0/c.wav"];

        var response = await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{session}/files", new { files = sent.Select(path => new { path, size = path == "S2/b.wav" ? 2 : 4 }) });

        var answered = response["files"]!.AsArray();
        Assert.Equal(sent, answered.Select(f => f!["path"]!.GetValue<string>()));
        Assert.Equal(["pending", "pending", "pending", "uploaded", "pending"], answered.Select(f => f!["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Register_SameKeyWithOtherSize_IsPending()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var first = await NewSessionAsync(tenant.User, projectId, cycleId);
        await RegisterAsync(tenant.User, first, new Dictionary<string, long> { ["x.wav"] = 3 });
        var etags = await UploadAsync(tenant.User, first, new Dictionary<string, byte[]> { ["x.wav"] = [1, 2, 3] });
        await CompleteAsync(tenant.User, first, [new { path = "x.wav", etag = etags["x.wav"] }]);
        var second = await NewSessionAsync(tenant.User, projectId, cycleId);

        var resumed = await RegisterAsync(tenant.User, second, new Dictionary<string, long> { ["x.wav"] = 4 });

        Assert.Equal("pending", resumed[0]["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Multipart_CreateSignPartsCompleteThenVerify_StoresTheJoinedBytes()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, bucket) = await fixture.NewProjectAsync(tenant);
        var sessionId = await NewSessionAsync(tenant.User, projectId, cycleId);
        var content = Bytes((5 * 1024 * 1024) + 1234, 5);
        await RegisterAsync(tenant.User, sessionId, new Dictionary<string, long> { ["big/shard-0001.jsonl.gz"] = content.Length });
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));

        var created = await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{sessionId}/multipart", new { path = "big/shard-0001.jsonl.gz", sha256 });
        var uploadId = created["upload_id"]!.GetValue<string>();
        Assert.Equal("C1/big/shard-0001.jsonl.gz", created["key"]!.GetValue<string>());
        var signed = await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{sessionId}/multipart/{Uri.EscapeDataString(uploadId)}/parts", new { part_numbers = new[] { 1, 2 } });
        var parts = new List<object>();
        foreach (var part in signed["parts"]!.AsArray())
        {
            var number = part!["part_number"]!.GetValue<int>();
            var body = number == 1 ? content[..(5 * 1024 * 1024)] : content[(5 * 1024 * 1024)..];
            using var response = await Plain.PutAsync(part["url"]!.GetValue<string>(), new ByteArrayContent(body));
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            parts.Add(new { part_number = number, etag = response.Headers.ETag!.Tag });
        }

        var joined = await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{sessionId}/multipart/{Uri.EscapeDataString(uploadId)}/complete", new { parts });
        var completed = await CompleteAsync(tenant.User, sessionId, [new { path = "big/shard-0001.jsonl.gz", etag = joined["etag"]!.GetValue<string>(), sha256 }]);

        Assert.Equal("uploaded", completed[0]["status"]!.GetValue<string>());
        Assert.Equal(content, await fixture.S3.GetObjectAsync(bucket, "C1/big/shard-0001.jsonl.gz"));
        Assert.Equal(HttpStatusCode.NotFound, await ApiCalls.StatusAsync(tenant.User, HttpMethod.Post, $"/api/sessions/{sessionId}/multipart/{Uri.EscapeDataString(uploadId)}/parts", new { part_numbers = new[] { 1 } }));
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("/absolute/path")]
    [InlineData("C:\\Windows\\x")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    [InlineData("bell\u0007.wav")]
    [InlineData("")]
    public async Task Register_UnsafePath_Is400AndRegistersNothing(string path)
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var sessionId = await NewSessionAsync(tenant.User, projectId, cycleId);

        var response = await tenant.User.PostAsJsonAsync($"/api/sessions/{sessionId}/files", new { files = new object[] { new { path = "fine.wav", size = 1 }, new { path, size = 1 } } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var files = await ApiCalls.GetAsync(tenant.User, $"/api/sessions/{sessionId}/files");
        Assert.Empty(files["files"]!.AsArray());
    }

    [Fact]
    public async Task Create_LocalDirectoryAndLabelOptionalAndBounded_LongerAre400()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);

        var bare = await ApiCalls.PostAsync(tenant.User, "/api/sessions", new { project_id = projectId, cycle_id = cycleId });
        var longest = await ApiCalls.PostAsync(tenant.User, "/api/sessions", new { project_id = projectId, cycle_id = cycleId, local_directory = new string('d', 4096), label = new string('l', 500) });

        Assert.NotNull(bare["id"]);
        Assert.NotNull(longest["id"]);
        Assert.Equal(HttpStatusCode.BadRequest, await ApiCalls.StatusAsync(tenant.User, HttpMethod.Post, "/api/sessions", new { project_id = projectId, cycle_id = cycleId, local_directory = new string('d', 4097) }));
        Assert.Equal(HttpStatusCode.BadRequest, await ApiCalls.StatusAsync(tenant.User, HttpMethod.Post, "/api/sessions", new { project_id = projectId, cycle_id = cycleId, label = new string('l', 501) }));
    }

    [Fact]
    public async Task Register_OverlongKeyAndNegativeSize_Are400()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var sessionId = await NewSessionAsync(tenant.User, projectId, cycleId);

        Assert.Equal(HttpStatusCode.BadRequest, await ApiCalls.StatusAsync(tenant.User, HttpMethod.Post, $"/api/sessions/{sessionId}/files", new { files = new[] { new { path = string.Join('/', Enumerable.Repeat(new string('x', 200), 6)), size = 1 } } }));
        Assert.Equal(HttpStatusCode.BadRequest, await ApiCalls.StatusAsync(tenant.User, HttpMethod.Post, $"/api/sessions/{sessionId}/files", new { files = new[] { new { path = "a.wav", size = -1 } } }));
        Assert.Equal(HttpStatusCode.BadRequest, await ApiCalls.StatusAsync(tenant.User, HttpMethod.Post, $"/api/sessions/{sessionId}/presign", new { paths = new[] { "not-registered.wav" } }));
    }

    [Fact]
    public async Task Post_MalformedJson_Is400ProblemNamingTheBody()
    {
        var tenant = await fixture.NewTenantAsync();

        var response = await tenant.Admin.PostAsync("/api/projects", new StringContent("{\"name\": ", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Contains("not valid JSON", problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Finish_WithPendingFiles_IsIncompleteAndClosesTheSession()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var sessionId = await NewSessionAsync(tenant.User, projectId, cycleId);
        await RegisterAsync(tenant.User, sessionId, new Dictionary<string, long> { ["left.wav"] = 1 });

        var finished = await ApiCalls.PostAsync(tenant.User, $"/api/sessions/{sessionId}/finish", new { });

        Assert.Equal("incomplete", finished["status"]!.GetValue<string>());
        Assert.NotNull(finished["finished_at"]);
        Assert.Equal(HttpStatusCode.Conflict, await ApiCalls.StatusAsync(tenant.User, HttpMethod.Post, $"/api/sessions/{sessionId}/files", new { files = new[] { new { path = "more.wav", size = 1 } } }));
        var listed = await ApiCalls.GetAsync(tenant.Viewer, $"/api/sessions?project_id={projectId}&status=incomplete");
        Assert.Single(listed["items"]!.AsArray());
    }

    [Fact]
    public async Task List_FilteredByProjectAndCycleId_OnlyThoseSessions()
    {
        var tenant = await fixture.NewTenantAsync();
        var (firstProject, firstCycle, _) = await fixture.NewProjectAsync(tenant);
        var (secondProject, secondCycle, _) = await fixture.NewProjectAsync(tenant);
        var first = await NewSessionAsync(tenant.User, firstProject, firstCycle);
        await NewSessionAsync(tenant.User, secondProject, secondCycle);

        var byProject = await ApiCalls.GetAsync(tenant.Viewer, $"/api/sessions?project_id={firstProject}");
        var byCycle = await ApiCalls.GetAsync(tenant.Viewer, $"/api/sessions?cycle_id={firstCycle}");

        Assert.Equal(first, Assert.Single(byProject["items"]!.AsArray())!["id"]!.GetValue<long>());
        Assert.Equal(first, Assert.Single(byCycle["items"]!.AsArray())!["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task Files_PagedByStatus_ReturnsEveryRowOnce()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var sessionId = await NewSessionAsync(tenant.User, projectId, cycleId);
        await RegisterAsync(tenant.User, sessionId, Enumerable.Range(0, 25).ToDictionary(i => $"f/{i:D3}.wav", _ => 1L));

        var seen = new List<string>();
        long? after = 0;
        while (after is not null)
        {
            var page = await ApiCalls.GetAsync(tenant.User, $"/api/sessions/{sessionId}/files?status=pending&limit=10&after={after}");
            seen.AddRange(page["files"]!.AsArray().Select(f => f!["path"]!.GetValue<string>()));
            after = page["next_after"]?.GetValue<long>();
        }

        Assert.Equal(25, seen.Count);
        Assert.Equal(25, seen.Distinct().Count());
    }

    [Fact]
    public async Task Events_AuthorizationHeader_StreamsProgressAndATokenInTheQueryIsRefused()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var sessionId = await NewSessionAsync(tenant.User, projectId, cycleId);
        await RegisterAsync(tenant.User, sessionId, new Dictionary<string, long> { ["e.wav"] = 9 });
        var token = tenant.Viewer.DefaultRequestHeaders.Authorization!.Parameter;

        using var response = await tenant.Viewer.GetAsync($"/api/sessions/{sessionId}/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync();
        var data = await reader.ReadLineAsync();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("event: progress", first);
        Assert.Equal(1, JsonNode.Parse(data!["data: ".Length..])!["total_files"]!.GetValue<long>());
        // No token travels in a URL (it would end up in proxy and browser logs).
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Anonymous().GetAsync($"/api/sessions/{sessionId}/events?access_token={token}")).StatusCode);
    }
}

public sealed class UploadSessionTestsOnSqlite(SqliteServerFixture fixture) : UploadSessionTests<SqliteServerFixture>(fixture);

public sealed class UploadSessionTestsOnPostgres(PostgresServerFixture fixture) : UploadSessionTests<PostgresServerFixture>(fixture);
