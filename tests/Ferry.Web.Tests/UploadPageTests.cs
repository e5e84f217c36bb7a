using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ferry.Testing;
using Microsoft.Playwright;

namespace Ferry.Web.Tests;

/// <summary>The web app end to end in headless Chromium against 'ferry serve' and s3rver.</summary>
public sealed partial class UploadPageTests(WebFixture web, WebFixtureWithoutRelay direct) : IClassFixture<WebFixture>, IClassFixture<WebFixtureWithoutRelay>, IDisposable
{
    private readonly TempDirectory _local = new("web-local");

    public void Dispose() => _local.Dispose();

    [Fact]
    public async Task Admin_CreatesProjectAndCycle_UploadsFolder_EveryObjectIdenticalInS3()
    {
        var bucket = await web.BucketAsync();
        using (var api = await web.AdminApiAsync())
        {
            await FerryServerClient.GrantBucketAsync(api, web.S3.Endpoint, bucket);
        }

        var (folder, files) = FieldFolder("SD_CARD_A", smallFiles: 499, bigFileBytes: 20 * 1024 * 1024);
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);

        await page.GetByRole(AriaRole.Link, new() { Name = "Projects" }).ClickAsync();
        await web.ScreenshotAsync(page, "projects");
        var project = "Owls " + Guid.NewGuid().ToString("N")[..6];
        await page.GetByLabel("Name").FillAsync(project);
        await page.GetByLabel("Bucket").FillAsync(bucket);
        await page.GetByLabel("Region").FillAsync("us-east-1");
        await page.GetByLabel("Storage location").SelectOptionAsync(new SelectOptionValue { Label = $"test {web.S3.Endpoint} ({web.S3.Endpoint})" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
        await page.GetByLabel("Cycle name").FillAsync("C2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add cycle" }).ClickAsync();
        await page.GetByText("Cycle C2 added").WaitForAsync();
        await web.ScreenshotAsync(page, "project");

        await page.GetByRole(AriaRole.Link, new() { Name = "Upload" }).ClickAsync();
        await page.GetByLabel("Project").SelectOptionAsync(new SelectOptionValue { Label = $"{project} (s3://{bucket})" });
        await page.GetByLabel("Cycle").SelectOptionAsync(new SelectOptionValue { Label = "C2" });
        await page.GetByLabel("Folder").SetInputFilesAsync(folder);
        await page.Locator("#plan").GetByText("500 files").WaitForAsync();
        await web.ScreenshotAsync(page, "upload-plan");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).ClickAsync();
        await page.GetByText("Upload complete").WaitForAsync(new() { Timeout = 180_000 });
        await web.ScreenshotAsync(page, "upload-complete");
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

        Assert.Equal(files.Keys.Select(k => "C2/" + k).Order(StringComparer.Ordinal), (await web.S3.ListKeysAsync(bucket)).Order(StringComparer.Ordinal));
        foreach (var (path, bytes) in files)
        {
            Assert.Equal(bytes, await web.S3.GetObjectAsync(bucket, "C2/" + path));
        }

        await page.GetByRole(AriaRole.Link, new() { Name = "Sessions" }).ClickAsync();
        await page.GetByRole(AriaRole.Cell, new() { Name = "completed" }).First.WaitForAsync();
        await web.ScreenshotAsync(page, "sessions");
        await page.GetByRole(AriaRole.Row).Nth(1).GetByRole(AriaRole.Link).ClickAsync();
        await page.GetByText("File types").WaitForAsync();
        await web.ScreenshotAsync(page, "session-detail");
    }

    [Fact]
    public async Task ServerThatDoesNotRelay_SmallAndEmptyFilesGoStraightToS3_NoRelayCall_EveryObjectIdentical()
    {
        var bucket = await direct.BucketAsync();
        var (project, _) = await ProjectAsync(bucket, direct.S3.Endpoint, direct);
        var (folder, files) = FieldFolder("SD_CARD_F", smallFiles: 30, bigFileBytes: 0);
        File.WriteAllBytes(Path.Combine(folder, "950349", "empty.WAV"), []);
        files["950349/empty.WAV"] = [];
        var page = await direct.SignedInPageAsync("admin", WebFixture.AdminPassword);
        var relayCalls = 0;
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/relay", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref relayCalls);
            }
        };

        await ChooseAsync(page, project, bucket, folder);
        await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).ClickAsync();
        await page.GetByText("Upload complete").WaitForAsync(new() { Timeout = 120_000 });

        Assert.Equal(0, relayCalls);
        Assert.Equal(files.Keys.Select(k => "C2/" + k).Order(StringComparer.Ordinal), (await direct.S3.ListKeysAsync(bucket)).Order(StringComparer.Ordinal));
        foreach (var (path, bytes) in files)
        {
            Assert.Equal(bytes, await direct.S3.GetObjectAsync(bucket, "C2/" + path));
        }
    }

    [Fact]
    public async Task Reload_InTheMiddleOfAnUpload_PickingTheFolderAgainFinishesWithNothingMissingOrDuplicated()
    {
        await using var proxy = await FaultProxy.StartAsync(web.S3.Endpoint);
        var bucket = await web.BucketAsync();
        var (project, _) = await ProjectAsync(bucket, proxy.Endpoint);
        // The page relays these small files through the server in batches of 100, three at a time; holding S3's writes
        // after 450 lets the first three batches be verified (300 files) and leaves the next three hanging.
        var (folder, files) = FieldFolder("SD_CARD_B", smallFiles: 600, bigFileBytes: 0);
        proxy.HoldAfter("PutObject", 450);
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);
        await ChooseAsync(page, project, bucket, folder);
        await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).ClickAsync();
        await page.WaitForFunctionAsync("() => /^(\\d+) of 600 files verified/.test(document.querySelector('#status').textContent) && parseInt(document.querySelector('#status').textContent) >= 60");

        await page.ReloadAsync();
        proxy.Reset();
        proxy.Release();
        await ChooseAsync(page, project, bucket, folder);
        await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).ClickAsync();
        await page.GetByText("Upload complete").WaitForAsync(new() { Timeout = 120_000 });

        Assert.Equal(files.Keys.Select(k => "C2/" + k).Order(StringComparer.Ordinal), (await web.S3.ListKeysAsync(bucket)).Order(StringComparer.Ordinal));
        foreach (var (path, bytes) in files)
        {
            Assert.Equal(bytes, await web.S3.GetObjectAsync(bucket, "C2/" + path));
        }

        using var api = await web.AdminApiAsync();
        var sessions = (await api.GetFromJsonAsync<JsonArray>($"/api/sessions?project_id={_projectId}"))!;
        var (second, first) = (sessions[0]!, sessions[1]!);
        Assert.Equal("completed", second["status"]!.GetValue<string>());
        Assert.Equal("active", first["status"]!.GetValue<string>());
        Assert.True(first["uploaded_files"]!.GetValue<long>() >= 60);
        // Everything the first session verified was skipped by the second; the second uploaded the rest.
        Assert.Equal(first["uploaded_files"]!.GetValue<long>(), second["skipped_files"]!.GetValue<long>());
        Assert.Equal(600, second["skipped_files"]!.GetValue<long>() + second["uploaded_files"]!.GetValue<long>());
    }

    [Fact]
    public async Task FolderOfMoreThanOneRegistrationBatch_RegisteredInCallsOfAtMost2000Files_EveryFileUploaded()
    {
        // The page registers a folder 2,000 files per call (building and sending one call's body stays a short task
        // for the page, docs/web.md): 2,001 files take two calls, and every file still arrives.
        var bucket = await web.BucketAsync();
        var (project, _) = await ProjectAsync(bucket, web.S3.Endpoint);
        var (folder, files) = FieldFolder("SD_CARD_E", smallFiles: 2001, bigFileBytes: 0);
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);
        var registrations = new ConcurrentQueue<int>();
        page.Request += (_, request) =>
        {
            if (request.Method == "POST" && RegistrationPath().IsMatch(new Uri(request.Url).AbsolutePath))
            {
                registrations.Enqueue(JsonNode.Parse(request.PostData!)!["files"]!.AsArray().Count);
            }
        };

        await ChooseAsync(page, project, bucket, folder);
        await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).ClickAsync();
        await page.GetByText("Upload complete").WaitForAsync(new() { Timeout = 300_000 });

        Assert.Equal([2000, 1], registrations.ToArray());
        Assert.Equal(files.Keys.Select(k => "C2/" + k).Order(StringComparer.Ordinal), (await web.S3.ListKeysAsync(bucket)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Pause_StopsSendingUntilResumed_ThenEverythingArrives()
    {
        await using var proxy = await FaultProxy.StartAsync(web.S3.Endpoint);
        var bucket = await web.BucketAsync();
        var (project, _) = await ProjectAsync(bucket, proxy.Endpoint);
        // Relayed in batches of 100, three in flight: pausing lets the batches in flight finish, and no other starts.
        var (folder, files) = FieldFolder("SD_CARD_C", smallFiles: 1000, bigFileBytes: 0);
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);
        await ChooseAsync(page, project, bucket, folder);
        await page.GetByText("Checked:").WaitForAsync(); // as a user does: read the checks, then start (their late answer would overwrite the progress line)
        await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).ClickAsync();
        await page.WaitForFunctionAsync("() => parseInt(document.querySelector('#status').textContent) >= 20");

        await page.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        var settled = proxy.TotalRequests;
        for (var stable = 0; stable < 10; stable++)
        {
            // Requests already in flight finish; then nothing more goes to S3 until Resume.
            await Task.Delay(200);
            if (proxy.TotalRequests != settled)
            {
                (settled, stable) = (proxy.TotalRequests, -1);
            }
        }

        await Task.Delay(1500);
        Assert.Equal(settled, proxy.TotalRequests);
        // Paused once 20 were verified: the first three batches (started together) had answered or were about to, the
        // next three were in flight, and the last four of the ten never started.
        Assert.True(settled <= 600, $"{settled} requests before pausing took effect");
        await page.GetByText("Paused.").WaitForAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await page.GetByText("Upload complete").WaitForAsync(new() { Timeout = 120_000 });

        Assert.Equal(files.Count, (await web.S3.ListKeysAsync(bucket)).Count);
    }

    [Fact]
    public async Task S3Failing_FilesFailWithReason_RetryFailedThenCompletes()
    {
        await using var proxy = await FaultProxy.StartAsync(web.S3.Endpoint);
        var bucket = await web.BucketAsync();
        var (project, _) = await ProjectAsync(bucket, proxy.Endpoint);
        // Twelve small files the server relays (its writes, PUTs, fail) and one of 2 MiB the page sends straight to S3
        // with a presigned form (a POST, "Other" to the proxy, fails).
        var (folder, files) = FieldFolder("SD_CARD_D", smallFiles: 12, bigFileBytes: 2 * 1024 * 1024);
        proxy.FailNext("Other", int.MaxValue);
        proxy.FailNext("PutObject", int.MaxValue);
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);
        await ChooseAsync(page, project, bucket, folder);
        await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).ClickAsync();

        await page.GetByText("13 file(s) failed").WaitForAsync(new() { Timeout = 60_000 });
        // The server's reason for a relayed file; for the file sent to S3, the fault proxy's 500 carries no CORS
        // headers, so the page sees a network failure: that is the reason shown.
        var reasons = await page.Locator("#failures li").AllTextContentsAsync();
        Assert.Equal(13, reasons.Count);
        Assert.Equal(12, reasons.Count(r => r.EndsWith(".WAV: the write to storage failed for now; upload the file again", StringComparison.Ordinal)));
        Assert.Single(reasons, r => r == "950349/long recording #1.WAV: the network failed while sending the file");
        // The totals per sensor folder (files, done, failed) follow the files as they fail, and as they pass on retry.
        Assert.Equal(Totals(files, failed: true), await TotalsShownAsync(page));
        await web.ScreenshotAsync(page, "upload-failures");
        proxy.Reset();
        await page.GetByRole(AriaRole.Button, new() { Name = "Retry failed" }).ClickAsync();
        await page.GetByText("Upload complete").WaitForAsync(new() { Timeout = 60_000 });
        Assert.Equal(Totals(files, failed: false), await TotalsShownAsync(page));
        Assert.True(await page.Locator("#failures").IsHiddenAsync());

        foreach (var (path, bytes) in files)
        {
            Assert.Equal(bytes, await web.S3.GetObjectAsync(bucket, "C2/" + path));
        }
    }

    [Fact]
    public async Task Viewer_SeesWhyAndCannotStartAnUpload()
    {
        var admin = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);
        await admin.GetByRole(AriaRole.Link, new() { Name = "Users" }).ClickAsync();
        var viewer = "viewer" + Guid.NewGuid().ToString("N")[..6];
        await admin.GetByLabel("New user name").FillAsync(viewer);
        await admin.GetByLabel("Initial password (at least 10 characters)").FillAsync("viewer-password-1");
        await admin.GetByLabel("Role").SelectOptionAsync("viewer");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        await admin.GetByText($"User {viewer} created").WaitForAsync();
        await web.ScreenshotAsync(admin, "users");

        var page = await web.SignedInPageAsync(viewer, "viewer-password-1");

        await page.GetByText("Viewers cannot upload").WaitForAsync();
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).CountAsync());
        await web.ScreenshotAsync(page, "upload-viewer");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        // Signed out when the sign-in form shows; robust to how fast "load" fires on a loaded machine.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).WaitForAsync();
        Assert.EndsWith("/signin", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        await page.GotoAsync(web.Url + "/upload", new() { WaitUntil = WaitUntilState.Commit });
        Assert.EndsWith("/signin", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WrongPassword_SaysSoInWords()
    {
        var context = await web.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(web.Url + "/signin");
        await web.ScreenshotAsync(page, "signin");

        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync("not-the-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await page.GetByText("Wrong user name or password.").WaitForAsync();
        Assert.EndsWith("/signin", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_OnAPhoneScreen_FitWithoutSidewaysScrolling()
    {
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);
        await page.SetViewportSizeAsync(390, 844);

        foreach (var (path, name) in new[] { ("/upload", "phone-upload"), ("/sessions", "phone-sessions"), ("/projects", "phone-projects") })
        {
            await page.GotoAsync(web.Url + path);
            await web.ScreenshotAsync(page, name);
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            Assert.True(overflow <= 0, $"{path} is {overflow} px wider than a phone screen");
        }
    }

    [Fact]
    public async Task UploadComplete_ExportDialog_CancelDownloadOnlyAndExportToS3EachDoWhatTheySay()
    {
        var bucket = await web.BucketAsync();
        var (project, projectId) = await ProjectAsync(bucket, web.S3.Endpoint);
        var (folder, files) = FieldFolder("SD_CARD_E", smallFiles: 20, bigFileBytes: 0);
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);
        await ChooseAsync(page, project, bucket, folder);
        await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).ClickAsync();
        await page.GetByText("Upload complete").WaitForAsync(new() { Timeout = 60_000 });
        var dialog = page.GetByRole(AriaRole.Dialog);
        using var api = await web.AdminApiAsync();
        var sessionId = (await api.GetFromJsonAsync<JsonArray>($"/api/sessions?project_id={projectId}"))![0]!["id"]!.GetValue<long>();

        // The three choices, offered as soon as the session completes.
        await dialog.GetByText($"Export the audit bundle of session {sessionId}?").WaitForAsync();
        await web.ScreenshotAsync(page, "export-choices");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await dialog.WaitForAsync(new() { State = WaitForSelectorState.Hidden });
        Assert.Empty((await api.GetFromJsonAsync<JsonArray>($"/api/exports?session_id={sessionId}"))!);

        // Download only: confirmation in words, a zip, nothing in S3.
        await page.GetByRole(AriaRole.Button, new() { Name = "Export audit bundle…" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Download as zip only" }).ClickAsync();
        await dialog.GetByText("Nothing is written to S3.").WaitForAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Build the zip" }).ClickAsync();
        await dialog.GetByText("Zip ready").WaitForAsync(new() { Timeout = 60_000 });
        var download = await page.RunAndWaitForDownloadAsync(() => dialog.GetByRole(AriaRole.Link, new() { Name = "Download the zip" }).ClickAsync());
        var zipPath = _local.Combine("download.zip");
        await download.SaveAsAsync(zipPath);
        using (var zip = System.IO.Compression.ZipFile.OpenRead(zipPath))
        {
            var names = zip.Entries.Select(e => e.FullName.Split('/', 2)[1]).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(["comprehensive_report.json", "failures/failures.csv", "logs/activity.jsonl", "manifest/manifest.csv", "manifest/manifest.jsonl", "readable_report.txt"], names);
            using var manifest = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith("manifest.jsonl", StringComparison.Ordinal)).Open());
            Assert.Equal(files.Count, manifest.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }

        Assert.DoesNotContain(await web.S3.ListKeysAsync(bucket), k => k.StartsWith("ferry-exports/", StringComparison.Ordinal));
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        // Export to S3: the confirmation names the place, the result names the location, the bucket has the bundle.
        await page.GetByRole(AriaRole.Button, new() { Name = "Export audit bundle…" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Export to S3 (recommended)" }).ClickAsync();
        await dialog.GetByText($"s3://{bucket}/ferry-exports/").WaitForAsync();
        await web.ScreenshotAsync(page, "export-confirm");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Export to S3 now" }).ClickAsync();
        await dialog.GetByText("Exported to S3").WaitForAsync(new() { Timeout = 60_000 });
        await web.ScreenshotAsync(page, "export-result");
        var keys = (await web.S3.ListKeysAsync(bucket)).Where(k => k.StartsWith("ferry-exports/", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, keys.Count);
        var folderName = keys[0].Split('/')[1];
        Assert.Contains($"s3://{bucket}/ferry-exports/{folderName}/", await dialog.InnerTextAsync());
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        // Admins see every outcome.
        await page.GetByRole(AriaRole.Link, new() { Name = "Exports" }).ClickAsync();
        await page.Locator($"#exports tr:has-text('{folderName}')").GetByText("delivered").WaitForAsync();
        Assert.Equal(2, await page.Locator("#exports tbody tr").Filter(new() { HasText = project }).CountAsync());
        await web.ScreenshotAsync(page, "exports");
    }

    [Fact]
    public async Task ExportDialog_S3Unreachable_SaysTheBundleWaitsOnTheServer()
    {
        await using var proxy = await FaultProxy.StartAsync(web.S3.Endpoint);
        var bucket = await web.BucketAsync();
        var (project, projectId) = await ProjectAsync(bucket, proxy.Endpoint);
        var (folder, _) = FieldFolder("SD_CARD_F", smallFiles: 5, bigFileBytes: 0);
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);
        await ChooseAsync(page, project, bucket, folder);
        await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).ClickAsync();
        await page.GetByText("Upload complete").WaitForAsync(new() { Timeout = 60_000 });
        foreach (var kind in new[] { "PutObject", "HeadObject", "ListObjects", "GetObject", "CreateMultipart", "Other" })
        {
            proxy.FailNext(kind, int.MaxValue);
        }

        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Export to S3 (recommended)" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Export to S3 now" }).ClickAsync();
        await dialog.GetByText("Saved on the server; S3 is not reachable now").WaitForAsync(new() { Timeout = 120_000 });
        await web.ScreenshotAsync(page, "export-queued");

        Assert.True(await dialog.GetByRole(AriaRole.Link, new() { Name = "Download the zip" }).IsVisibleAsync());
        using var api = await web.AdminApiAsync();
        var sessionId = (await api.GetFromJsonAsync<JsonArray>($"/api/sessions?project_id={projectId}"))![0]!["id"]!.GetValue<long>();
        Assert.Equal("queued", (await api.GetFromJsonAsync<JsonArray>($"/api/exports?session_id={sessionId}"))![0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task JobsPage_QueueServerFolderSkippingDuplicates_WorkerUploadsItAndTheSessionShowsIt()
    {
        var bucket = await web.BucketAsync();
        var (project, _) = await ProjectAsync(bucket, web.S3.Endpoint);
        var folder = Path.Combine(web.JobsRoot, "drive-" + Guid.NewGuid().ToString("N")[..6]);
        var files = new Dictionary<string, byte[]>();
        for (var i = 0; i < 12; i++)
        {
            files[$"SN{i % 2}/2026010{i % 9 + 1}_{i:D4}.WAV"] = TestData.Bytes(500 + i, i);
        }

        foreach (var (path, bytes) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, path))!);
            File.WriteAllBytes(Path.Combine(folder, path), bytes);
        }

        // Regression: after the refused folder the form fell back to the first cycle in the list, another project's.
        using (var api = await web.AdminApiAsync())
        {
            var otherBucket = await web.BucketAsync();
            await FerryServerClient.GrantBucketAsync(api, "http://127.0.0.1:9", otherBucket);
            var other = await api.PostAsJsonAsync("/api/projects", new { name = "Aardvark " + Guid.NewGuid().ToString("N")[..6], bucket_name = otherBucket, region = "us-east-1", endpoint_url = "http://127.0.0.1:9" });
            var otherId = (await other.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
            (await api.PostAsJsonAsync($"/api/projects/{otherId}/cycles", new { name = "C2" })).EnsureSuccessStatusCode();
        }

        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);
        await page.GetByRole(AriaRole.Link, new() { Name = "Jobs" }).ClickAsync();
        await page.GetByLabel("Project and cycle").SelectOptionAsync(new SelectOptionValue { Label = $"{project} / C2 (s3://{bucket}/C2/)" });
        await page.GetByLabel("Server folder").FillAsync("/etc");
        await page.GetByRole(AriaRole.Button, new() { Name = "Queue job" }).ClickAsync();
        await page.GetByText("is not inside your company's server folders").WaitForAsync();

        await page.GetByLabel("Server folder").FillAsync(folder);
        await page.GetByLabel("Skip duplicates").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Queue job" }).ClickAsync();
        var row = page.Locator("#jobs tbody tr").Filter(new() { HasText = folder });
        try
        {
            await row.GetByText("completed").WaitForAsync(new() { Timeout = 60_000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the job did not complete; the row says '{await row.InnerTextAsync()}'; the server said:\n{web.ServerOutput?.Tail}");
        }
        await web.ScreenshotAsync(page, "jobs");

        Assert.Contains("12 / 12", await row.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(files.Keys.Select(k => "C2/" + k).Order(StringComparer.Ordinal), (await web.S3.ListKeysAsync(bucket)).Order(StringComparer.Ordinal));
        foreach (var (path, bytes) in files)
        {
            Assert.Equal(bytes, await web.S3.GetObjectAsync(bucket, "C2/" + path));
        }

        using (var api = await web.AdminApiAsync())
        {
            var jobs = (await api.GetFromJsonAsync<JsonArray>("/api/jobs"))!;
            Assert.True(jobs.Single(j => j!["local_directory"]!.GetValue<string>() == folder)!["skip_duplicates"]!.GetValue<bool>()); // the box reached the job
        }

        await row.GetByRole(AriaRole.Link).ClickAsync();
        await page.GetByText("File types").WaitForAsync();
        Assert.Contains("(job)", await page.InnerTextAsync("main"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerFoldersPage_SystemAdminAddsAndRemovesACompanysFolder_OthersSeeNoLinkAndAreDenied()
    {
        var company = "Field team " + Guid.NewGuid().ToString("N")[..6];
        var companyAdmin = "lead" + Guid.NewGuid().ToString("N")[..6];
        long companyId;
        using (var api = await web.AdminApiAsync())
        {
            var created = await api.PostAsJsonAsync("/api/companies", new { name = company });
            companyId = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
            (await api.PostAsJsonAsync("/api/users", new { username = companyAdmin, password = "password-" + companyAdmin, role = "admin", company_id = companyId })).EnsureSuccessStatusCode();
        }

        var folder = Path.Combine(web.JobsRoot, "team-" + Guid.NewGuid().ToString("N")[..6]);
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);

        await page.GetByRole(AriaRole.Link, new() { Name = "Server folders" }).ClickAsync();
        await page.GetByLabel("Company").SelectOptionAsync(new SelectOptionValue { Label = $"{company} ({companyId})" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await page.GetByText($"{company} has no server folders").WaitForAsync();
        await page.GetByLabel("Absolute path on the server").FillAsync(folder + "/");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add folder" }).ClickAsync();
        await page.GetByText($"Added {folder}.").WaitForAsync();
        await web.ScreenshotAsync(page, "server-folders");
        var row = page.Locator("#roots tbody tr").Filter(new() { HasText = folder });
        Assert.Equal(1, await row.CountAsync());
        await row.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await page.GetByText($"Removed {folder}").WaitForAsync();
        Assert.Equal(0, await page.Locator("#roots tbody tr").Filter(new() { HasText = folder }).CountAsync());

        var other = await web.SignedInPageAsync(companyAdmin, "password-" + companyAdmin);
        Assert.Equal(0, await other.GetByRole(AriaRole.Link, new() { Name = "Server folders" }).CountAsync());
        await other.GotoAsync(web.Url + "/server-folders");
        await other.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" }).WaitForAsync();
        Assert.DoesNotContain(web.JobsRoot, await other.ContentAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContributePage_ExplainsPolicyTakesConsentDonatesInTheBackgroundAndSaysTheOutcome()
    {
        var logs = _local.Combine("my-logs");
        Directory.CreateDirectory(logs);
        await File.WriteAllBytesAsync(Path.Combine(logs, "run 1.jsonl.gz"), TrainingLogs.Gzip("{\"user_id\":\"zoe\",\"email\":\"zoe@example.org\",\"region\":\"eu-west-3\",\"step\":1}\n{\"user_id\":\"zoe\",\"step\":2}\nnot json\n"));
        await File.WriteAllBytesAsync(Path.Combine(logs, "run2.jsonl.gz"), TrainingLogs.Gzip("{\"user_id\":\"zoe\",\"step\":3}\n"));
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);

        await page.GetByRole(AriaRole.Link, new() { Name = "Contribute to science" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Policy version 2026-11" }).WaitForAsync();
        Assert.Contains("user_id", await page.Locator("#what").InnerTextAsync(), StringComparison.Ordinal);
        var donate = page.GetByRole(AriaRole.Button, new() { Name = "Donate", Exact = true });
        await page.GetByLabel("Files (*.jsonl.gz)").SetInputFilesAsync([Path.Combine(logs, "run 1.jsonl.gz"), Path.Combine(logs, "run2.jsonl.gz")]);
        Assert.True(await donate.IsDisabledAsync()); // no consent yet
        await page.GetByLabel("I have read the policy version 2026-11 above and agree to donate under it").CheckAsync();
        await donate.ClickAsync();
        await page.GetByText("Thank you: 2 file(s) with 3 record(s) were donated").WaitForAsync(new() { Timeout = 60_000 });
        await web.ScreenshotAsync(page, "contribute");

        var status = await page.Locator("#donation-status").InnerTextAsync();
        Assert.Contains("1 line(s) could not be read and were left out", status, StringComparison.Ordinal);
        var donor = await page.Locator("#donor").InnerTextAsync();
        Assert.Contains(donor, status, StringComparison.Ordinal);
        Assert.Equal("granted", await page.Locator("#consent").InnerTextAsync());
        var key = Assert.Single(await web.S3.ListKeysAsync(web.DonationBucket), k => k.Contains($"/donations/{donor}/", StringComparison.Ordinal));
        var zip = (await web.S3.GetObjectAsync(web.DonationBucket, key))!;
        Assert.DoesNotContain("zoe", System.Text.Encoding.UTF8.GetString(zip), StringComparison.Ordinal);

        await page.GetByRole(AriaRole.Button, new() { Name = "Withdraw my consent" }).ClickAsync();
        await page.GetByText("Your consent is withdrawn").WaitForAsync();
        await page.ReloadAsync();
        Assert.Equal("withdrawn", await page.Locator("#consent").InnerTextAsync());
        Assert.Contains("3 record(s)", await page.Locator("#mine").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("3", await page.Locator("#donation-stats").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FolderPickedBeforeThePageScriptRan_IsTakenWhenItRuns()
    {
        var bucket = await web.BucketAsync();
        var (project, _) = await ProjectAsync(bucket, web.S3.Endpoint);
        var (folder, files) = FieldFolder("SD_CARD_E", smallFiles: 3, bigFileBytes: 0);
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);
        var scriptHeld = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        await page.RouteAsync("**/app/upload.js", async route =>
        {
            scriptHeld.TrySetResult();
            await release.Task;
            await route.ContinueAsync();
        });
        await page.ReloadAsync(new() { WaitUntil = WaitUntilState.Commit });
        await scriptHeld.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The page's script has not run yet (its request is held): the choices and the folder are made before it.
        await page.GetByLabel("Project").SelectOptionAsync(new SelectOptionValue { Label = $"{project} (s3://{bucket})" });
        await page.GetByLabel("Folder").SetInputFilesAsync(folder);
        release.SetResult();

        try
        {
            await page.Locator("#plan").GetByText("3 files").WaitForAsync(new() { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"no plan for the folder; plan: '{await page.InnerTextAsync("#plan")}', files in the input: {await page.EvalOnSelectorAsync<int>("#folder", "e => e.files.length")}");
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).ClickAsync();
        await page.GetByText("Upload complete").WaitForAsync(new() { Timeout = 60_000 });
        foreach (var (path, bytes) in files)
        {
            Assert.Equal(bytes, await web.S3.GetObjectAsync(bucket, "C2/" + path));
        }
    }

    [Fact]
    public async Task StartRefusedBeforeAnyFileWasSent_CanBeChosenAgainAndCompletes()
    {
        var bucket = await web.BucketAsync();
        var (project, _) = await ProjectAsync(bucket, web.S3.Endpoint);
        var (folder, files) = FieldFolder("SD_CARD_AGAIN", smallFiles: 4, bigFileBytes: 0);
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);
        await ChooseAsync(page, project, bucket, folder);
        // The registration of the files is refused (as a server that is overloaded or restarting would) on every one
        // of the page's five tries.
        var refused = 0;
        await page.RouteAsync("**/api/sessions/*/files", async route =>
        {
            if (Interlocked.Increment(ref refused) <= 5)
            {
                await route.FulfillAsync(new() { Status = 503, ContentType = "application/problem+json", Body = """{"title":"Service Unavailable","status":503,"detail":"try again later"}""" });
                return;
            }

            await route.ContinueAsync();
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).ClickAsync();
        await page.GetByText("The upload could not start").WaitForAsync(new() { Timeout = 30_000 });

        await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).ClickAsync(new() { Timeout = 10_000 });
        await page.GetByText("Upload complete").WaitForAsync(new() { Timeout = 60_000 });

        Assert.Equal(6, refused);
        foreach (var (path, bytes) in files)
        {
            Assert.Equal(bytes, await web.S3.GetObjectAsync(bucket, "C2/" + path));
        }
    }

    [Fact]
    public async Task StartWhoseRegistrationIsRefusedOnce_IsTriedAgainAndCompletes()
    {
        var bucket = await web.BucketAsync();
        var (project, _) = await ProjectAsync(bucket, web.S3.Endpoint);
        var (folder, files) = FieldFolder("SD_CARD_RETRIED", smallFiles: 4, bigFileBytes: 0);
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);
        await ChooseAsync(page, project, bucket, folder);
        var calls = 0;
        await page.RouteAsync("**/api/sessions/*/files", async route =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                await route.FulfillAsync(new() { Status = 503, ContentType = "application/problem+json", Body = """{"title":"Service Unavailable","status":503,"detail":"try again later"}""" });
                return;
            }

            await route.ContinueAsync();
        });

        await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).ClickAsync();

        await page.GetByText("Upload complete").WaitForAsync(new() { Timeout = 60_000 });
        Assert.Equal(2, calls);
        foreach (var (path, bytes) in files)
        {
            Assert.Equal(bytes, await web.S3.GetObjectAsync(bucket, "C2/" + path));
        }
    }

    [Fact]
    public async Task StartWhoseRegistrationIsAnsweredWithAPageNotTheApi_SaysTheAnswerCouldNotBeRead_WithoutTryingAgain()
    {
        // A proxy in front of the server that answers 200 with its own sign-in page, say: the server answered, so the
        // page says that, not that the server cannot be reached, and does not send the batch again.
        var bucket = await web.BucketAsync();
        var (project, _) = await ProjectAsync(bucket, web.S3.Endpoint);
        var (folder, _) = FieldFolder("SD_CARD_PROXY", smallFiles: 2, bigFileBytes: 0);
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);
        await ChooseAsync(page, project, bucket, folder);
        var calls = 0;
        await page.RouteAsync("**/api/sessions/*/files", async route =>
        {
            Interlocked.Increment(ref calls);
            await route.FulfillAsync(new() { Status = 200, ContentType = "text/html", Body = "<html><body>Sign in to the proxy</body></html>" });
        });

        await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).ClickAsync();

        await page.GetByText("The upload could not start: the server's answer could not be read (HTTP 200)").WaitForAsync(new() { Timeout = 30_000 });
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task ChecksAnsweringAfterTheUploadCompleted_LeaveUploadCompleteShownAndStartDisabled()
    {
        var bucket = await web.BucketAsync();
        var (project, _) = await ProjectAsync(bucket, web.S3.Endpoint);
        var (folder, files) = FieldFolder("SD_CARD_LATE", smallFiles: 6, bigFileBytes: 0);
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);
        // The checks' worker script is held until the upload has completed: its checks answer after the upload, as a
        // 100,000-file folder's did (the upload outran them and their answer replaced "Upload complete").
        var release = new TaskCompletionSource();
        await page.RouteAsync("**/app/checks.worker.js", async route =>
        {
            await release.Task;
            await route.ContinueAsync();
        });
        await ChooseAsync(page, project, bucket, folder);
        await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).ClickAsync();
        await page.GetByText("Upload complete").WaitForAsync(new() { Timeout = 60_000 });

        release.SetResult();
        await page.Locator("#checks").WaitForAsync(new() { Timeout = 30_000 }); // drawn when the checks answer

        Assert.StartsWith("Upload complete: 6 file(s) uploaded and verified", await page.Locator("#status").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await page.Locator("#start").IsDisabledAsync());
        Assert.Equal(files.Count, (await web.S3.ListKeysAsync(bucket)).Count);
    }

    private long _projectId;

    private async Task<(string Name, long Id)> ProjectAsync(string bucket, string endpoint, WebFixture? on = null)
    {
        using var api = await (on ?? web).AdminApiAsync();
        var name = "Bats " + Guid.NewGuid().ToString("N")[..6];
        await FerryServerClient.GrantBucketAsync(api, endpoint, bucket);
        var created = await api.PostAsJsonAsync("/api/projects", new { name, bucket_name = bucket, region = "us-east-1", endpoint_url = endpoint });
        created.EnsureSuccessStatusCode();
        _projectId = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        (await api.PostAsJsonAsync($"/api/projects/{_projectId}/cycles", new { name = "C2" })).EnsureSuccessStatusCode();
        return (name, _projectId);
    }

    private static async Task ChooseAsync(IPage page, string project, string bucket, string folder)
    {
        await page.GetByLabel("Project").SelectOptionAsync(new SelectOptionValue { Label = $"{project} (s3://{bucket})" });
        await page.GetByLabel("Cycle").SelectOptionAsync(new SelectOptionValue { Label = "C2" });
        await page.GetByLabel("Folder").SetInputFilesAsync(folder);
        await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).Filter(new() { Visible = true }).WaitForAsync();
        try
        {
            await page.WaitForFunctionAsync("() => !document.querySelector('#start').disabled", null, new() { Timeout = 60_000 });
        }
        catch (TimeoutException)
        {
            // Start stayed disabled: say what the page showed (the plan line names the files and the cycle it saw).
            Assert.Fail($"Start stayed disabled for 60 s; plan: '{await page.InnerTextAsync("#plan")}', status: '{await page.InnerTextAsync("#status")}', cycle: '{await page.EvalOnSelectorAsync<string>("#cycle", "e => e.value")}'");
        }
    }

    /// <summary>The totals table's rows as "folder files done failed", sorted.</summary>
    private static async Task<string[]> TotalsShownAsync(IPage page)
    {
        var rows = await page.Locator("#totals tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => Array.from(r.cells).slice(0, 4).map(c => c.textContent).join(' '))");
        return [.. rows.Order(StringComparer.Ordinal)];
    }

    /// <summary>What the totals table shows for these files (by their first folder) when all failed or all are done.</summary>
    private static string[] Totals(Dictionary<string, byte[]> files, bool failed) =>
        [.. files.Keys.GroupBy(path => path.Split('/')[0]).Select(g => failed ? $"{g.Key} {g.Count()} 0 {g.Count()}" : $"{g.Key} {g.Count()} {g.Count()} 0").Order(StringComparer.Ordinal)];

    /// <summary>A card's folder: sensor folders (one nested a level deeper) of small recordings, and optionally one big file.</summary>
    private (string Folder, Dictionary<string, byte[]> Files) FieldFolder(string name, int smallFiles, int bigFileBytes)
    {
        var root = Path.Combine(_local.Path, name);
        var files = new Dictionary<string, byte[]>();
        string[] sensors = ["950349", "950350/day2", "950351", "950402", "950403"];
        for (var i = 0; i < smallFiles; i++)
        {
            files[$"{sensors[i % sensors.Length]}/2025090{i % 9 + 1}_{i:D5}.WAV"] = TestData.Bytes(1000 + (i * 37 % 6000), i);
        }

        if (bigFileBytes > 0)
        {
            files["950349/long recording #1.WAV"] = TestData.Bytes(bigFileBytes, 99);
        }

        foreach (var (path, bytes) in files)
        {
            var full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, bytes);
        }

        return (root, files);
    }

    [GeneratedRegex(@"^/api/sessions/\d+/files$")]
    private static partial Regex RegistrationPath();
}
