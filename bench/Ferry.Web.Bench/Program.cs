using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Ferry.Testing;
using Ferry.Web.Tests;
using Microsoft.Playwright;

// Times one folder upload from headless Chromium (the upload page) and one with `ferry upload` (direct to the
// same s3rver), and reports files/s for both and the page's longest main-thread tasks.
// Usage: dotnet Ferry.Web.Bench.dll FOLDER
if (args.Length != 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: Ferry.Web.Bench FOLDER (e.g. the benchmark's 'small' dataset)");
    return 2;
}

var folder = Path.GetFullPath(args[0]);
var count = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Count();
var web = new WebFixture();
await web.InitializeAsync();
try
{
    var bucket = await web.BucketAsync();

    var cli = Stopwatch.StartNew();
    var direct = await web.Ferry().RunAsync("upload", folder, $"s3://{bucket}/cli", "--endpoint", web.S3.Endpoint, "-q");
    cli.Stop();
    if (direct.ExitCode != 0)
    {
        throw new InvalidOperationException("ferry upload failed: " + direct.Stderr);
    }

    using var api = await web.AdminApiAsync();
    var project = "bench-" + Guid.NewGuid().ToString("N")[..6];
    await FerryServerClient.GrantBucketAsync(api, web.S3.Endpoint, bucket);
    var created = await (await api.PostAsJsonAsync("/api/projects", new { name = project, bucket_name = bucket, region = "us-east-1", endpoint_url = web.S3.Endpoint })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>();
    (await api.PostAsJsonAsync($"/api/projects/{created!["id"]}/cycles", new { name = "browser" })).EnsureSuccessStatusCode();

    var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);
    await page.AddInitScriptAsync("""
        window.__longest = 0;
        new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration); })
          .observe({ type: 'longtask', buffered: true });
        """);
    await page.ReloadAsync();
    await page.GetByLabel("Project").SelectOptionAsync(new SelectOptionValue { Label = $"{project} (s3://{bucket})" });
    var choosing = Stopwatch.StartNew();
    await page.GetByLabel("Folder").SetInputFilesAsync(folder);
    await page.WaitForFunctionAsync("() => !document.querySelector('#start').disabled", null, new() { Timeout = 600_000 });
    choosing.Stop();
    var longestWhileChoosing = await page.EvaluateAsync<double>("() => { const v = window.__longest; window.__longest = 0; return v; }");
    var upload = Stopwatch.StartNew();
    await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).ClickAsync();
    await page.GetByText("Upload complete").WaitForAsync(new() { Timeout = 1_800_000 });
    upload.Stop();
    var longestWhileUploading = await page.EvaluateAsync<double>("() => window.__longest");
    var keys = await web.S3.ListKeysAsync(bucket);
    var browserKeys = keys.Count(k => k.StartsWith("browser/", StringComparison.Ordinal));
    if (browserKeys != count)
    {
        throw new InvalidOperationException($"the browser upload left {browserKeys} of {count} objects");
    }

    var invariant = CultureInfo.InvariantCulture;
    Console.WriteLine(string.Create(invariant, $"files: {count}"));
    Console.WriteLine(string.Create(invariant, $"cli: {cli.Elapsed.TotalSeconds:F1} s, {count / cli.Elapsed.TotalSeconds:F0} files/s (ferry upload, process start included)"));
    Console.WriteLine(string.Create(invariant, $"browser: {upload.Elapsed.TotalSeconds:F1} s, {count / upload.Elapsed.TotalSeconds:F0} files/s (Start upload to Upload complete, registration and verification included)"));
    Console.WriteLine(string.Create(invariant, $"browser/cli rate: {cli.Elapsed.TotalSeconds / upload.Elapsed.TotalSeconds:F2}"));
    Console.WriteLine(string.Create(invariant, $"page: folder read in {choosing.Elapsed.TotalSeconds:F1} s (longest task {longestWhileChoosing:F0} ms); longest task while uploading {longestWhileUploading:F0} ms"));
    return 0;
}
finally
{
    await web.DisposeAsync();
}
