using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ferry.Testing;

namespace Ferry.Cli.Tests.Commands;

/// <summary>
/// ferry s3 policy, tested by what Ferry really sends: each role's commands run through a recording proxy in front of
/// s3rver, every recorded S3 request is mapped to the IAM action AWS checks for it (this file's own table, written
/// from the S3 API reference, not from the policy code) and must be allowed by the printed policy; and the policy
/// grants nothing more: no wildcard action, no other bucket, no key outside the prefix, no action that was not
/// recorded except s3:AbortMultipartUpload (the clean-up of a failed multipart upload, which a good run never sends).
/// </summary>
public sealed class S3PolicyCommandTests(FerryServeFixture server) : IClassFixture<FerryServeFixture>, IDisposable
{
    private static readonly string[] NeverRecordedButJustified = ["s3:AbortMultipartUpload"];

    private readonly TempDirectory _device = new("cli-policy");

    public void Dispose() => _device.Dispose();

    [Fact]
    public async Task Policy_UploaderAndReader_AllowEveryRecordedRequestOfUploadResumeVerifyAndDownload_AndNothingMore()
    {
        var bucket = await server.S3.CreateBucketAsync("policy");
        var source = Source("card");
        var ferry = new FerryProcess(_device.Combine("uploader"));
        await using var uploads = await FaultProxy.StartAsync(server.S3.Endpoint);
        string[] upload = ["upload", source, $"s3://{bucket}/field/C1", "--endpoint", uploads.Endpoint, "--part-size", "5MiB", "--multipart-threshold", "5MiB", "-j", "2"];

        // Interrupted in the middle of the multipart upload, then resumed: the rerun lists the parts already sent.
        uploads.HoldAfter("UploadPart", 1);
        using (var first = ferry.Start(upload))
        {
            ProcessOutput.Drain(first);
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (uploads.Count("UploadPart") < 2 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            await Task.Delay(500);
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }

        uploads.Release();
        var resumed = await ferry.RunAsync(upload);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());

        await using var reads = await FaultProxy.StartAsync(server.S3.Endpoint);
        var reader = new FerryProcess(_device.Combine("reader"));
        var verify = await reader.RunAsync("verify", source, $"s3://{bucket}/field/C1", "--endpoint", reads.Endpoint);
        var verifyBytes = await reader.RunAsync("verify", source, $"s3://{bucket}/field/C1", "--download", "--endpoint", reads.Endpoint);
        var download = await reader.RunAsync("download", $"s3://{bucket}/field/C1", _device.Combine("copy"), "--endpoint", reads.Endpoint);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.True(verifyBytes.ExitCode == 0, verifyBytes.ToString());
        Assert.True(download.ExitCode == 0, download.ToString());

        var uploaded = Operations(uploads);
        Assert.Contains(uploaded, o => o.Name == "ListParts"); // the resume really listed the parts
        Assert.Contains(uploaded, o => o.Name == "UploadPart");
        await AssertPolicyFitsAsync(bucket, "field/C1", "uploader", uploaded, ["field/C1/"]);
        await AssertPolicyFitsAsync(bucket, "field/C1", "reader", Operations(reads), ["field/C1/"]);
    }

    [Fact]
    public async Task Policy_Server_AllowsEveryRecordedRequestOfSessionsResumeAndExports_AndNothingMore()
    {
        await using var proxy = await FaultProxy.StartAsync(server.S3.Endpoint);
        var bucket = await server.S3.CreateBucketAsync("policysrv");
        using var admin = await server.AdminAsync();
        await FerryServerClient.GrantBucketAsync(admin, proxy.Endpoint, bucket);
        var name = "policy-" + Guid.NewGuid().ToString("N")[..8];
        var created = await admin.PostAsJsonAsync("/api/projects", new { name, bucket_name = bucket, region = "us-east-1", endpoint_url = proxy.Endpoint });
        created.EnsureSuccessStatusCode();
        var projectId = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        var cycleCreated = await admin.PostAsJsonAsync($"/api/projects/{projectId}/cycles", new { name = "C2" });
        cycleCreated.EnsureSuccessStatusCode();
        var cycleId = (await cycleCreated.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        var source = Source("server-card");
        var device = new FerryProcess(_device.Combine("laptop"));
        device["AWS_ACCESS_KEY_ID"] = null;
        device["AWS_SECRET_ACCESS_KEY"] = null;
        device["FERRY_PASSWORD"] = FerryServeFixture.AdminPassword;
        Assert.Equal(0, (await device.RunAsync("login", server.Url, "--username", "admin")).ExitCode);
        string[] upload = ["upload", source, "--server", server.Url, "--project", name, "--cycle", "C2", "--part-size", "5MiB", "--multipart-threshold", "5MiB", "-j", "2"];

        proxy.HoldAfter("UploadPart", 1);
        using (var first = device.Start(upload))
        {
            ProcessOutput.Drain(first);
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (proxy.Count("UploadPart") < 2 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            await Task.Delay(500);
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }

        proxy.Release();
        var resumed = await device.RunAsync(upload);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var sessions = await admin.GetFromJsonAsync<JsonArray>("/api/sessions?status=completed");
        var session = sessions!.First(s => s!["local_directory"]!.GetValue<string>() == source)!["id"]!.GetValue<long>();
        var export = await admin.PostAsJsonAsync($"/api/sessions/{session}/exports", new { target = "s3" });
        Assert.True(export.IsSuccessStatusCode, await export.Content.ReadAsStringAsync());
        var exportId = (await export.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        JsonObject state;
        var until = DateTime.UtcNow.AddMinutes(2);
        do
        {
            await Task.Delay(200);
            state = (await admin.GetFromJsonAsync<JsonObject>($"/api/exports/{exportId}"))!;
        }
        while (state["status"]!.GetValue<string>() is "running" or "queued" && DateTime.UtcNow < until);
        Assert.True(state["status"]!.GetValue<string>() == "delivered", state.ToJsonString());
        (await admin.GetAsync($"/api/exports/{exportId}/download")).EnsureSuccessStatusCode();

        // A multipart upload resumed inside its session (a job taken over by another worker, a browser retrying): the
        // server lists the parts S3 holds, and aborts an upload given up. A CLI rerun opens a new session instead.
        var resumable = await admin.PostAsJsonAsync("/api/sessions", new { project_id = projectId, cycle_id = cycleId, local_directory = source, client = "cli" });
        resumable.EnsureSuccessStatusCode();
        var resumableId = (await resumable.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        (await admin.PostAsJsonAsync($"/api/sessions/{resumableId}/files", new { files = new[] { new { path = "resume.bin", size = 6 * 1024 * 1024 } } })).EnsureSuccessStatusCode();
        var started = await admin.PostAsJsonAsync($"/api/sessions/{resumableId}/multipart", new { path = "resume.bin" });
        Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync());
        var uploadId = Uri.EscapeDataString((await started.Content.ReadFromJsonAsync<JsonObject>())!["upload_id"]!.GetValue<string>());
        var parts = await admin.GetAsync($"/api/sessions/{resumableId}/multipart/{uploadId}");
        // s3rver has no ListParts: the server's request reaches it (and is recorded), the answer is 501 Not Implemented.
        Assert.True(parts.IsSuccessStatusCode || parts.StatusCode == System.Net.HttpStatusCode.NotImplemented, await parts.Content.ReadAsStringAsync());
        var aborted = await admin.DeleteAsync($"/api/sessions/{resumableId}/multipart/{uploadId}");
        Assert.True(aborted.IsSuccessStatusCode, await aborted.Content.ReadAsStringAsync());

        var recorded = Operations(proxy);
        Assert.Contains(recorded, o => o.Name == "ListParts");
        Assert.Contains(recorded, o => o.Name == "AbortMultipartUpload");
        Assert.Contains(recorded, o => o.Key.StartsWith("ferry-exports/", StringComparison.Ordinal));
        await AssertPolicyFitsAsync(bucket, "C2", "server", recorded, ["C2/", "ferry-exports/"]);
    }

    [Fact]
    public async Task Policy_Donation_AllowsEveryRecordedRequestOfDonateAndEraseAndWhatErasureNeedsOnAVersionedBucket()
    {
        var bucket = await server.S3.CreateBucketAsync("policy-donation");
        var ferry = new FerryProcess(_device.Combine("donor"));
        var key = _device.Combine("study.key");
        Assert.Equal(0, (await ferry.RunAsync("donors", "new-key", key)).ExitCode);
        var logs = Directory.CreateDirectory(_device.Combine("trajectories")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(logs, "run.jsonl.gz"), TrainingLogs.Of("dora", 3));
        await using var proxy = await FaultProxy.StartAsync(server.S3.Endpoint);

        var donated = await ferry.RunAsync("donate", logs, "--to", $"s3://{bucket}/study", "--endpoint", proxy.Endpoint, "--key-file", key, "--consent", "2026-11", "--donor", "dora");
        Assert.True(donated.ExitCode == 0, donated.ToString());
        var pseudonym = (await ferry.RunAsync("donors", "pseudonym", "dora", "--key-file", key)).Stdout.Trim();
        var erased = await ferry.RunAsync("donors", "erase", pseudonym, "--to", $"s3://{bucket}/study", "--endpoint", proxy.Endpoint);
        Assert.True(erased.ExitCode == 0, erased.ToString());

        var recorded = Operations(proxy);
        Assert.Contains(recorded, o => o.Name == "ListObjectVersions"); // erasure asks for every version (s3rver answers 501)
        Assert.Contains(recorded, o => o.Name == "ListMultipartUploads"); // and for the donor's unfinished uploads
        Assert.Contains(recorded, o => o.Name == "DeleteObject");
        // s3rver keeps no versions, this bundle is small and the study has no exports yet: DeleteObjectVersion, the multipart
        // part listing and GetObject (an erasure reads each export to rewrite it) are never sent here; the printed document
        // must still grant them (below), for a versioned bucket, a large bundle's resume and a study with exports.
        await AssertPolicyFitsAsync(bucket, "study", "donation", recorded, ["study/"], ["s3:DeleteObjectVersion", "s3:ListMultipartUploadParts", "s3:GetObject"]);

        var policy = JsonNode.Parse((await new FerryProcess(_device.Path).RunAsync("s3", "policy", bucket, "--prefix", "study", "--role", "donation")).Stdout)!;
        var statements = policy["Statement"]!.AsArray().Select(s => s!.AsObject()).ToDictionary(s => s["Sid"]!.GetValue<string>());
        Assert.Equal(["s3:ListBucket", "s3:ListBucketVersions"], statements["FerryList"]["Action"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal("study/*", statements["FerryList"]["Condition"]!["StringLike"]!["s3:prefix"]![0]!.GetValue<string>());
        Assert.Equal(["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"],
            statements["FerryDonation"]["Action"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal($"arn:aws:s3:::{bucket}/study/*", statements["FerryDonation"]["Resource"]![0]!.GetValue<string>());
        Assert.Equal(["s3:ListBucketMultipartUploads"], statements["FerryDonationUploads"]["Action"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal($"arn:aws:s3:::{bucket}", statements["FerryDonationUploads"]["Resource"]![0]!.GetValue<string>());
        Assert.Null(statements["FerryDonationUploads"]["Condition"]); // IAM has no s3:prefix for this action: a condition on it would deny every call
    }

    [Fact]
    public async Task Policy_BadBucketRoleOrPrefix_Exit2WithOneLine()
    {
        var ferry = new FerryProcess(_device.Path);

        var results = new[]
        {
            await ferry.RunAsync("s3", "policy", "Not_A_Bucket"),
            await ferry.RunAsync("s3", "policy", "bucket", "--role", "admin"),
            await ferry.RunAsync("s3", "policy", "bucket", "--prefix", "a/../b"),
        };

        Assert.All(results, r =>
        {
            Assert.Equal(2, r.ExitCode);
            Assert.Single(r.Stderr.Trim().Split('\n'));
        });
    }

    /// <summary>Prints the policy and checks it against what was recorded: all allowed, nothing more granted.</summary>
    private async Task AssertPolicyFitsAsync(string bucket, string prefix, string role, List<S3Operation> recorded, string[] keyPrefixes, string[]? alsoJustified = null)
    {
        var printed = await new FerryProcess(_device.Path).RunAsync("s3", "policy", bucket, "--prefix", prefix, "--role", role);
        Assert.True(printed.ExitCode == 0, printed.ToString());
        var policy = JsonNode.Parse(printed.Stdout)!;
        var statements = policy["Statement"]!.AsArray().Select(s => s!.AsObject()).ToList();
        var listing = string.Join("\n", recorded.Select(o => $"{o.Name} {o.Action} {o.Bucket}/{o.Key}").Distinct());

        Assert.NotEmpty(recorded);
        foreach (var operation in recorded)
        {
            Assert.True(operation.Action != "?", $"unmapped S3 request {operation.Name}; recorded:\n{listing}");
            Assert.True(Allows(statements, operation), $"{role}: the policy does not allow {operation.Name} ({operation.Action}) on {operation.Bucket}/{operation.Key}\n{printed.Stdout}\nrecorded:\n{listing}");
        }

        var granted = statements.SelectMany(s => s["Action"]!.AsArray().Select(a => a!.GetValue<string>())).ToHashSet();
        Assert.All(granted, a => Assert.DoesNotContain("*", a, StringComparison.Ordinal));
        var unused = granted.Except(recorded.Select(o => o.Action)).Except(NeverRecordedButJustified).Except(alsoJustified ?? []).ToList();
        Assert.True(unused.Count == 0, $"{role}: the policy grants actions never used: {string.Join(", ", unused)}\nrecorded:\n{listing}");
        Assert.All(statements, s => Assert.Equal("Allow", s["Effect"]!.GetValue<string>()));
        foreach (var resource in statements.SelectMany(s => s["Resource"]!.AsArray().Select(r => r!.GetValue<string>())))
        {
            Assert.True(resource == $"arn:aws:s3:::{bucket}" || keyPrefixes.Any(p => resource == $"arn:aws:s3:::{bucket}/{p}*"), $"{role}: resource {resource} is broader than the bucket and prefix");
        }

        foreach (var list in statements.Where(s => s["Action"]!.AsArray().Any(a => a!.GetValue<string>() is "s3:ListBucket" or "s3:ListBucketVersions")))
        {
            var allowed = list["Condition"]!["StringLike"]!["s3:prefix"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();
            Assert.All(allowed, p => Assert.Contains(p, keyPrefixes.Select(k => k + "*")));
        }
    }

    /// <summary>What IAM checks for one S3 request; Key is the object key, or the list prefix for s3:ListBucket.</summary>
    private sealed record S3Operation(string Name, string Action, string Bucket, string Key);

    private static List<S3Operation> Operations(FaultProxy proxy) => proxy.Operations.Select(Classify).ToList();

    /// <summary>The S3 API operation of a path-style request and the IAM action AWS authorizes it with.</summary>
    private static S3Operation Classify(RecordedRequest request)
    {
        var path = request.Path.TrimStart('/');
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? path : path[..slash];
        var key = slash < 0 ? "" : path[(slash + 1)..];
        var query = request.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "");
        var onBucket = key.Length == 0;
        (string Name, string Action) operation = (request.Method, onBucket) switch
        {
            ("GET", true) when query.ContainsKey("uploads") => ("ListMultipartUploads", "s3:ListBucketMultipartUploads"),
            ("GET", true) when query.ContainsKey("versions") => ("ListObjectVersions", "s3:ListBucketVersions"),
            ("GET", true) when query.ContainsKey("location") => ("GetBucketLocation", "s3:GetBucketLocation"),
            ("GET", true) when query.Keys.Any(k => k is "cors" or "lifecycle" or "policy" or "acl" or "versioning") => ("BucketSetting", "?"),
            ("GET", true) => ("ListObjects", "s3:ListBucket"),
            ("HEAD", true) => ("HeadBucket", "s3:ListBucket"),
            ("POST", true) when query.ContainsKey("delete") => ("DeleteObjects", "s3:DeleteObject"),
            ("PUT", false) when query.ContainsKey("partNumber") => ("UploadPart", "s3:PutObject"),
            ("PUT", false) when request.Copies => ("CopyObject", "?"),
            ("PUT", false) => ("PutObject", "s3:PutObject"),
            ("POST", false) when query.ContainsKey("uploads") => ("CreateMultipartUpload", "s3:PutObject"),
            ("POST", false) when query.ContainsKey("uploadId") => ("CompleteMultipartUpload", "s3:PutObject"),
            ("GET", false) when query.ContainsKey("uploadId") => ("ListParts", "s3:ListMultipartUploadParts"),
            ("DELETE", false) when query.ContainsKey("uploadId") => ("AbortMultipartUpload", "s3:AbortMultipartUpload"),
            ("DELETE", false) when query.ContainsKey("versionId") => ("DeleteObjectVersion", "s3:DeleteObjectVersion"),
            ("GET", false) when query.ContainsKey("tagging") || query.ContainsKey("acl") || query.ContainsKey("attributes") => ("ObjectSubresource", "?"),
            ("GET", false) => ("GetObject", "s3:GetObject"),
            ("HEAD", false) => ("HeadObject", "s3:GetObject"),
            ("DELETE", false) => ("DeleteObject", "s3:DeleteObject"),
            _ => ($"{request.Method} {request.Path}{request.Query}", "?"),
        };
        return new S3Operation(operation.Name, operation.Action, bucket, OnBucket(operation.Action) ? query.GetValueOrDefault("prefix", "") : key);
    }

    private static bool Allows(List<JsonObject> statements, S3Operation operation) => statements.Any(s =>
        s["Effect"]!.GetValue<string>() == "Allow"
        && s["Action"]!.AsArray().Any(a => Glob(a!.GetValue<string>(), operation.Action))
        && s["Resource"]!.AsArray().Any(r => Glob(r!.GetValue<string>(), OnBucket(operation.Action) ? $"arn:aws:s3:::{operation.Bucket}" : $"arn:aws:s3:::{operation.Bucket}/{operation.Key}"))
        && (s["Condition"] is not { } condition
            || operation.Action is "s3:ListBucket" or "s3:ListBucketVersions" && condition["StringLike"]?["s3:prefix"] is JsonArray prefixes && prefixes.Any(p => Glob(p!.GetValue<string>(), operation.Key))));

    /// <summary>Actions IAM checks on the bucket's ARN (with the list prefix as <c>s3:prefix</c> where IAM has that key).</summary>
    private static bool OnBucket(string action) => action is "s3:ListBucket" or "s3:ListBucketVersions" or "s3:ListBucketMultipartUploads";

    /// <summary>IAM's wildcard match: * any run of characters, ? one character, the rest literal.</summary>
    private static bool Glob(string pattern, string value) =>
        Regex.IsMatch(value, "^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$", RegexOptions.Singleline);

    private string Source(string name)
    {
        var source = Directory.CreateDirectory(_device.Combine(name)).FullName;
        for (var i = 0; i < 12; i++)
        {
            Directory.CreateDirectory(Path.Combine(source, $"SN{i % 3}"));
            File.WriteAllBytes(Path.Combine(source, $"SN{i % 3}", $"2026010{i % 9 + 1}_{i:D3}.WAV"), TestData.Bytes(1000 + i * 37, i));
        }

        File.WriteAllBytes(Path.Combine(source, "big.bin"), TestData.Bytes(16 * 1024 * 1024 + 123, 99));
        return source;
    }
}
