using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Testing;

namespace Ferry.Server.Tests.Replicas;

/// <summary>
/// Several <c>ferry serve</c> replicas on one PostgreSQL database behave as one service: started together on a fresh
/// database they both come up with one administrator; a sign-in cookie, an anti-forgery token and a bearer token from
/// one work on the other; behind a round-robin load balancer (no sticky sessions) the CLI uploads, and finishes after one
/// replica is killed mid-upload; failed sign-ins are counted across both.
/// </summary>
public sealed class ReplicaTests(ReplicaFixture replicas) : IClassFixture<ReplicaFixture>
{
    [Fact]
    public async Task StartedTogether_FreshDatabase_BothHealthyWithExactlyOneAdminAndOneOfEachKey()
    {
        Assert.All(replicas.Migrations, m => Assert.True(m.ExitCode == 0, m.ToString()));
        Assert.Equal(1, await replicas.CountAsync("SELECT COUNT(*) FROM users WHERE is_system_admin")); // other tests add users of their own, never administrators
        Assert.Equal(1, await replicas.CountAsync("SELECT COUNT(*) FROM users WHERE username = 'admin'"));
        Assert.Equal(1, await replicas.CountAsync("SELECT COUNT(*) FROM companies"));
        Assert.Equal(1, await replicas.CountAsync("SELECT COUNT(*) FROM server_keys"));
        Assert.Equal(1, await replicas.CountAsync("SELECT COUNT(*) FROM data_protection_keys"));
        Assert.Single(replicas.StartOutput, o => o.Contains("created the first administrator", StringComparison.Ordinal));
        foreach (var url in replicas.Urls)
        {
            using var http = new HttpClient();
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url + "/healthz")).StatusCode);
        }
    }

    [Fact]
    public async Task WebSignIn_CookieAndAntiforgeryTokensFromOneReplica_AcceptedByTheOther()
    {
        await replicas.StartAsync(0);
        await replicas.StartAsync(1);
        var (bucket, locationId) = await GrantAsync();
        var cookies = new CookieContainer(); // one browser: 127.0.0.1's cookies go to both ports
        using var a = Browser(replicas.Urls[0], cookies);
        using var b = Browser(replicas.Urls[1], cookies);

        // The sign-in form comes from A, is posted to B (its anti-forgery token checked there); B's cookie then works on A.
        var signIn = await PostFormAsync(a, b, "/signin", new() { ["Username"] = "admin", ["Password"] = ReplicaFixture.AdminPassword });
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var onA = await a.GetAsync("/projects");
        Assert.Equal(HttpStatusCode.OK, onA.StatusCode);

        // A page of B, its form posted to A: creates a project with the cookie and the anti-forgery token B issued.
        var name = "web-" + Guid.NewGuid().ToString("N")[..8];
        var created = await PostFormAsync(b, a, "/projects", new() { ["Name"] = name, ["BucketName"] = bucket, ["Region"] = "us-east-1", ["StorageLocationId"] = locationId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.True(created.StatusCode == HttpStatusCode.Redirect, $"{(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
        Assert.Equal(1, await replicas.CountAsync($"SELECT COUNT(*) FROM projects WHERE name = '{name}'"));
        var project = await b.GetAsync(created.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, project.StatusCode);
    }

    [Fact]
    public async Task CliUploadThroughTheLoadBalancer_ReplicaKilledMidUpload_FinishedThroughTheOther()
    {
        await replicas.StartAsync(0);
        await replicas.StartAsync(1);
        var (bucket, _) = await GrantAsync();
        var project = await ProjectAsync(bucket);
        var source = Path.Combine(replicas.Home, "card-" + Guid.NewGuid().ToString("N")[..6]);
        var files = Enumerable.Range(0, 60).ToDictionary(i => $"SN{i % 3:D4}/2026010{i % 9 + 1}_{i:D4}.WAV", i => TestData.Bytes(1000 + i * 37, i));
        foreach (var (path, bytes) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(source, path))!);
            await File.WriteAllBytesAsync(Path.Combine(source, path), bytes);
        }

        var laptop = replicas.Laptop("laptop-" + Guid.NewGuid().ToString("N")[..6]);
        laptop["FERRY_PASSWORD"] = ReplicaFixture.AdminPassword;
        var login = await ReplicaFixture.RunAsync(laptop, "login", replicas.Proxy.Url, "--username", "admin");
        Assert.True(login.ExitCode == 0, login.ToString());
        string[] upload = ["upload", source, "--server", replicas.Proxy.Url, "--project", project, "--cycle", "C1", "-j", "4"];
        int killed;
        try
        {
            replicas.S3Proxy.HoldAfter("PutObject", 20);
            var first = ReplicaFixture.RunAsync(laptop, upload);
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (replicas.S3Proxy.Count("PutObject") <= 20 && DateTime.UtcNow < deadline && !first.IsCompleted)
            {
                await Task.Delay(20);
            }

            Assert.True(replicas.Proxy.Served(0) > 0 && replicas.Proxy.Served(1) > 0, "the load balancer sent the upload's calls to both replicas");
            killed = replicas.Proxy.Served(0) >= replicas.Proxy.Served(1) ? 0 : 1;
            await replicas.KillAsync(killed); // mid-upload: 20 objects stored, the rest held
            replicas.S3Proxy.Reset();
            replicas.S3Proxy.Release();
            await first; // completes or stops (calls to the dead replica may fail before the load balancer drops it)
            var resumed = await ReplicaFixture.RunAsync(laptop, upload);

            Assert.True(resumed.ExitCode == 0, resumed.ToString());
            Assert.Contains("completed (", resumed.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            replicas.S3Proxy.Release();
        }

        Assert.Equal(files.Keys.Select(k => "C1/" + k).Order(StringComparer.Ordinal), (await replicas.S3.ListKeysAsync(bucket)).Order(StringComparer.Ordinal));
        foreach (var (path, bytes) in files)
        {
            Assert.Equal(bytes, await replicas.S3.GetObjectAsync(bucket, "C1/" + path));
        }

        Assert.True(await replicas.CountAsync($"SELECT COUNT(*) FROM upload_sessions s JOIN projects p ON p.id = s.project_id WHERE p.name = '{project}' AND s.status = 'completed'") >= 1);
        await replicas.StartAsync(killed);
    }

    [Fact]
    public async Task FailedSignIns_AlternatingReplicas_RefusedAtTheConfiguredCount()
    {
        await replicas.StartAsync(0);
        await replicas.StartAsync(1);
        using var admin = await FerryServerClient.SignInAsync(replicas.Urls[0], "admin", ReplicaFixture.AdminPassword);
        var username = "throttled" + Guid.NewGuid().ToString("N")[..6];
        (await admin.PostAsJsonAsync("/api/users", new { username, password = "right-password-1", role = "user" })).EnsureSuccessStatusCode();
        var answers = new List<HttpStatusCode>();
        for (var attempt = 0; attempt <= ReplicaFixture.LoginAttempts; attempt++)
        {
            using var http = new HttpClient { BaseAddress = new Uri(replicas.Urls[attempt % 2]) };
            answers.Add((await http.PostAsJsonAsync("/api/auth/login", new { username, password = "wrong-password" })).StatusCode);
        }

        using var right = new HttpClient { BaseAddress = new Uri(replicas.Urls[0]) };
        var withTheRightPassword = await right.PostAsJsonAsync("/api/auth/login", new { username, password = "right-password-1" });

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, ReplicaFixture.LoginAttempts).Append(HttpStatusCode.TooManyRequests), answers);
        Assert.Equal(HttpStatusCode.TooManyRequests, withTheRightPassword.StatusCode);
    }

    /// <summary>A new bucket granted to the administrator's company at the S3 proxy's endpoint; (bucket, location id).</summary>
    private async Task<(string Bucket, long LocationId)> GrantAsync()
    {
        var bucket = await replicas.S3.CreateBucketAsync("replicas");
        using var admin = await FerryServerClient.SignInAsync(replicas.Urls[1], "admin", ReplicaFixture.AdminPassword);
        return (bucket, await FerryServerClient.GrantBucketAsync(admin, replicas.S3Proxy.Endpoint, bucket));
    }

    /// <summary>A project on <paramref name="bucket"/> with a cycle C1, made through the load balancer; its name.</summary>
    private async Task<string> ProjectAsync(string bucket)
    {
        using var admin = await FerryServerClient.SignInAsync(replicas.Proxy.Url, "admin", ReplicaFixture.AdminPassword);
        var name = "cli-" + Guid.NewGuid().ToString("N")[..8];
        var created = await admin.PostAsJsonAsync("/api/projects", new { name, bucket_name = bucket, region = "us-east-1", endpoint_url = replicas.S3Proxy.Endpoint });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        (await admin.PostAsJsonAsync($"/api/projects/{id}/cycles", new { name = "C1" })).EnsureSuccessStatusCode();
        return name;
    }

    private static HttpClient Browser(string url, CookieContainer cookies) =>
        new(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(url) };

    /// <summary>GETs <paramref name="page"/>'s form from <paramref name="formFrom"/> and POSTs it to <paramref name="postTo"/>.</summary>
    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient formFrom, HttpClient postTo, string page, Dictionary<string, string> fields)
    {
        var html = await formFrom.GetStringAsync(page);
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"");
        Assert.True(token.Success, $"{page} has no form token");
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        return await postTo.PostAsync(page, new FormUrlEncodedContent(fields));
    }
}
