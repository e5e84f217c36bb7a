using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Ferry.Testing;
using Ferry.Web.Tests;
using Microsoft.Playwright;

// Times one folder upload from headless Chromium (the upload page) and one with `ferry upload` (direct to the
// same s3rver), and reports files/s for both and the page's longest main-thread tasks.
// With --browser-only the CLI run is left out (for folders too large to upload twice in one measuring slot).
// Usage: dotnet Ferry.Web.Bench.dll [--browser-only] FOLDER
var browserOnly = args.Length == 2 && args[0] == "--browser-only";
if (args.Length != (browserOnly ? 2 : 1) || !Directory.Exists(args[^1]))
{
    Console.Error.WriteLine("usage: Ferry.Web.Bench [--browser-only] FOLDER (e.g. the benchmark's 'small' dataset)");
    return 2;
}

var folder = Path.GetFullPath(args[^1]);

// FERRY_BENCH_TRACE=FILE: a detailed Chromium trace (DetailedTrace) of FERRY_BENCH_TRACE_SECONDS (20) of the run, from
// FERRY_BENCH_TRACE_AFTER seconds (60) after Start, or after choosing the folder begins with FERRY_BENCH_TRACE_FROM=choose
// (Chromium then fills the input, 30-58 s for 100,000 files here, before it hands the files to the page). Read here,
// so that a wrong value stops the bench before it runs.
var tracePath = Environment.GetEnvironmentVariable("FERRY_BENCH_TRACE");
var traceFromChoosing = Environment.GetEnvironmentVariable("FERRY_BENCH_TRACE_FROM") == "choose";
var traceAfter = TimeSpan.FromSeconds(int.Parse(Environment.GetEnvironmentVariable("FERRY_BENCH_TRACE_AFTER") ?? "60", CultureInfo.InvariantCulture));
var traceLength = TimeSpan.FromSeconds(int.Parse(Environment.GetEnvironmentVariable("FERRY_BENCH_TRACE_SECONDS") ?? "20", CultureInfo.InvariantCulture));
// FERRY_BENCH_START=after-checks: Start is chosen once the page's checks have answered (their table is shown, as the
// page asks: "Read the table, then start the upload"), not as soon as Start is enabled (the default, when the checks
// worker reads every file's head while the upload runs).
var startAfterChecks = Environment.GetEnvironmentVariable("FERRY_BENCH_START") switch
{
    null or "" => false,
    "after-checks" => true,
    var other => throw new ArgumentException($"FERRY_BENCH_START is '{other}'; leave it unset or set it to after-checks"),
};
// FERRY_BENCH_NICE_PEERS=N (1-19): s3rver and the Ferry server run at that niceness, every thread of theirs, so the
// browser gets a core first, as on a laptop where neither runs: the page's responsiveness without their competition.
var nicePeers = Environment.GetEnvironmentVariable("FERRY_BENCH_NICE_PEERS") is { Length: > 0 } niceText
    ? int.TryParse(niceText, CultureInfo.InvariantCulture, out var niceness) && niceness is >= 1 and <= 19 ? niceness : throw new ArgumentException($"FERRY_BENCH_NICE_PEERS is '{niceText}'; give 1 to 19")
    : 0;
var count = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Count();
var web = new WebFixture();
await web.InitializeAsync();
if (nicePeers > 0)
{
    Console.WriteLine($"peers: s3rver and the Ferry server at niceness {nicePeers} ({ReniceServers(nicePeers)} threads)");
}
try
{
    var bucket = await web.BucketAsync();

    var cli = Stopwatch.StartNew();
    if (!browserOnly)
    {
        var direct = await web.Ferry().RunAsync("upload", folder, $"s3://{bucket}/cli", "--endpoint", web.S3.Endpoint, "-q");
        if (direct.ExitCode != 0)
        {
            throw new InvalidOperationException("ferry upload failed: " + direct.Stderr);
        }
    }

    cli.Stop();

    using var api = await web.AdminApiAsync();
    var project = "bench-" + Guid.NewGuid().ToString("N")[..6];
    await FerryServerClient.GrantBucketAsync(api, web.S3.Endpoint, bucket);
    var created = await (await api.PostAsJsonAsync("/api/projects", new { name = project, bucket_name = bucket, region = "us-east-1", endpoint_url = web.S3.Endpoint })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>();
    (await api.PostAsJsonAsync($"/api/projects/{created!["id"]}/cycles", new { name = "browser" })).EnsureSuccessStatusCode();

    var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);
    // Long tasks: the longest overall, and the longest main-thread time blocked after the browser handed over the file
    // list (the folder input's change event, seen first by a capture listener): for a task that began before the
    // hand-over (Chromium filling the input), only its part after the hand-over counts. The long-task API reports only
    // the tasks it attributes to the page; MainThreadTasks (a light trace of the whole run, unless FERRY_BENCH_TRACE
    // takes a detailed one) measures whatever the main thread ran after the hand-over (marked 'ferry-handover').
    await page.AddInitScriptAsync("""
        window.__longest = 0; window.__afterHandover = 0; window.__handover = Infinity; window.__tasks = [];
        new PerformanceObserver((list) => { for (const e of list.getEntries()) {
            window.__longest = Math.max(window.__longest, e.duration);
            window.__tasks.push([e.startTime, e.duration]);
            const end = e.startTime + e.duration;
            if (end > window.__handover) window.__afterHandover = Math.max(window.__afterHandover, end - Math.max(e.startTime, window.__handover));
          } }).observe({ type: 'longtask', buffered: true });
        document.addEventListener('change', (e) => { if (e.target && e.target.id === 'folder') { window.__handover = performance.now(); performance.mark('ferry-handover'); } }, true);
        """);
    var cdp = await page.Context.NewCDPSessionAsync(page);
    await cdp.SendAsync("Performance.enable");
    double peakHeap = 0;
    var samples = 0;
    using var sampling = new CancellationTokenSource();
    var sampler = Task.Run(async () =>
    {
        while (!sampling.IsCancellationRequested)
        {
            try
            {
                var metrics = await cdp.SendAsync("Performance.getMetrics");
                foreach (var m in metrics!.Value.GetProperty("metrics").EnumerateArray())
                {
                    if (m.GetProperty("name").GetString() == "JSHeapUsedSize")
                    {
                        peakHeap = Math.Max(peakHeap, m.GetProperty("value").GetDouble());
                    }
                }

                // What the page says, every 30 s (a run that does not finish shows where it stands).
                if (++samples % 60 == 0)
                {
                    Console.Error.WriteLine(DateTime.UtcNow.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + " page: " + await page.EvaluateAsync<string>("() => document.querySelector('#status').textContent"));
                }

                await Task.Delay(500, sampling.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (PlaywrightException)
            {
                await Task.Delay(500);
            }
        }
    });
    await page.ReloadAsync();
    await page.GetByLabel("Project").SelectOptionAsync(new SelectOptionValue { Label = $"{project} (s3://{bucket})" });
    var tracing = Task.CompletedTask;
    if (!string.IsNullOrEmpty(tracePath) && traceFromChoosing)
    {
        tracing = DetailedTrace.WriteAsync(cdp, tracePath, traceAfter, traceLength);
    }

    var mainThread = string.IsNullOrEmpty(tracePath) ? await MainThreadTasks.StartAsync(cdp, "ferry-handover") : null;

    var choosing = Stopwatch.StartNew();
    await page.GetByLabel("Folder").SetInputFilesAsync(folder, new() { Timeout = 600_000 });
    await page.WaitForFunctionAsync("() => !document.querySelector('#start').disabled", null, new() { Timeout = 600_000 });
    choosing.Stop();
    var checking = Stopwatch.StartNew();
    if (startAfterChecks)
    {
        // The checks answered (their table), or could not run (the status line says so): then stop here, not in 30 minutes.
        await page.WaitForFunctionAsync("() => !document.querySelector('#checks').hidden || document.querySelector('#status').textContent.includes('could not run')", null, new() { Timeout = 1_800_000, PollingInterval = 200 });
        if (await page.Locator("#checks").IsHiddenAsync())
        {
            throw new InvalidOperationException("the checks did not answer; the page says: " + await page.Locator("#status").InnerTextAsync());
        }
    }

    checking.Stop();
    var longestWhileChoosing = await page.EvaluateAsync<double>("() => { const v = window.__longest; window.__longest = 0; return v; }");
    // FERRY_BENCH_PROFILE=FILE: the page's main-thread JavaScript profile during the upload (CDP Profiler), as a
    // .cpuprofile that Chromium's DevTools open.
    var profilePath = Environment.GetEnvironmentVariable("FERRY_BENCH_PROFILE");
    if (!string.IsNullOrEmpty(profilePath))
    {
        await cdp.SendAsync("Profiler.enable");
        await cdp.SendAsync("Profiler.start");
    }

    // FERRY_BENCH_HEAP_PROFILE=FILE: where the page's JavaScript allocated what a major collection had to deal with during
    // the upload (CDP HeapProfiler sampling, the objects still alive and those a major GC collected), as a .heapprofile.
    var heapProfilePath = Environment.GetEnvironmentVariable("FERRY_BENCH_HEAP_PROFILE");
    if (!string.IsNullOrEmpty(heapProfilePath))
    {
        await cdp.SendAsync("HeapProfiler.enable");
        await cdp.SendAsync("HeapProfiler.startSampling", new Dictionary<string, object> { ["samplingInterval"] = 8192, ["includeObjectsCollectedByMajorGC"] = true });
    }

    var cpuBefore = CpuSecondsByRole();
    var upload = Stopwatch.StartNew();
    await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).ClickAsync();
    if (!string.IsNullOrEmpty(tracePath) && !traceFromChoosing)
    {
        tracing = DetailedTrace.WriteAsync(cdp, tracePath, traceAfter, traceLength);
    }

    // On failure, says what the page shows (three 100,000-file runs "never finished": the checks, answering after the
    // upload, had replaced "Upload complete" in the status line; fixed in the page).
    try
    {
        await page.WaitForFunctionAsync("() => document.querySelector('#status').textContent.includes('Upload complete')", null, new() { Timeout = 1_800_000, PollingInterval = 500 });
    }
    catch (TimeoutException)
    {
        throw new InvalidOperationException("the upload did not complete; the page says: " + await page.EvaluateAsync<string>("() => document.querySelector('#status').textContent"));
    }

    upload.Stop();
    var cpuAfter = CpuSecondsByRole();
    await tracing;
    if (!string.IsNullOrEmpty(profilePath))
    {
        var stopped = await cdp.SendAsync("Profiler.stop");
        await File.WriteAllTextAsync(profilePath, stopped!.Value.GetProperty("profile").GetRawText());
    }
    if (!string.IsNullOrEmpty(heapProfilePath))
    {
        var sampled = await cdp.SendAsync("HeapProfiler.stopSampling");
        await File.WriteAllTextAsync(heapProfilePath, sampled!.Value.GetProperty("profile").GetRawText());
    }

    var longestWhileUploading = await page.EvaluateAsync<double>("() => window.__longest");
    var afterHandover = await page.EvaluateAsync<double>("() => window.__afterHandover");
    var traced = mainThread is null ? null : await mainThread.StopAsync();
    var longTasks = await page.EvaluateAsync<double[][]>("() => window.__tasks.filter(t => t[1] >= 100)");
    var heapNow = await page.EvaluateAsync<double>("() => performance.memory ? performance.memory.usedJSHeapSize : 0");
    var rss = ChromiumRssBytes();
    await sampling.CancelAsync();
    await sampler;
    var invariant = CultureInfo.InvariantCulture;
    Console.WriteLine(string.Create(invariant, $"files: {count}"));
    if (!browserOnly)
    {
        Console.WriteLine(string.Create(invariant, $"cli: {cli.Elapsed.TotalSeconds:F1} s, {count / cli.Elapsed.TotalSeconds:F0} files/s (ferry upload, process start included)"));
    }

    Console.WriteLine(string.Create(invariant, $"browser: {upload.Elapsed.TotalSeconds:F1} s, {count / upload.Elapsed.TotalSeconds:F0} files/s (Start upload to Upload complete, registration and verification included)"));
    if (!browserOnly)
    {
        Console.WriteLine(string.Create(invariant, $"browser/cli rate: {cli.Elapsed.TotalSeconds / upload.Elapsed.TotalSeconds:F2}"));
    }

    Console.WriteLine(string.Create(invariant, $"page: folder read in {choosing.Elapsed.TotalSeconds:F1} s (longest task {longestWhileChoosing:F0} ms); longest task while uploading {longestWhileUploading:F0} ms"));
    Console.WriteLine(startAfterChecks
        ? string.Create(invariant, $"start: after the checks answered, {checking.Elapsed.TotalSeconds:F1} s after Start was enabled (FERRY_BENCH_START=after-checks)")
        : "start: as soon as Start was enabled, the checks running beside the upload");
    Console.WriteLine("page (trace): " + (traced ?? "not measured (a detailed trace was taken instead)"));
    Console.WriteLine(string.Create(invariant, $"page: longest main-thread time blocked after the hand-over of the file list {afterHandover:F0} ms; tasks of 100 ms or more (start ms, duration ms): {string.Join(", ", longTasks.Select(t => $"{t[0]:F0}+{t[1]:F0}"))}"));
    Console.WriteLine(string.Create(invariant, $"page memory: JS heap used {heapNow / 1048576:F1} MiB at the end, peak {peakHeap / 1048576:F1} MiB (CDP Performance.getMetrics every 0.5 s); Chromium processes' RSS at the end {rss / 1048576.0:F0} MiB"));
    Console.WriteLine("cpu seconds during the browser upload, by process: " + string.Join(", ", cpuAfter.OrderByDescending(p => p.Value).Select(p =>
        string.Create(invariant, $"{p.Key} {p.Value - cpuBefore.GetValueOrDefault(p.Key):F1}"))) + string.Create(invariant, $" (wall {upload.Elapsed.TotalSeconds:F1} s, 2 cores)"));

    // Every file is in the bucket (listed after the figures are printed: s3rver lists 100,000 keys in minutes).
    var keys = await web.S3.ListKeysAsync(bucket);
    var browserKeys = keys.Count(k => k.StartsWith("browser/", StringComparison.Ordinal));
    if (browserKeys != count)
    {
        throw new InvalidOperationException($"the browser upload left {browserKeys} of {count} objects");
    }

    Console.WriteLine(string.Create(invariant, $"bucket: all {count} files listed"));
    return 0;
}
finally
{
    await web.DisposeAsync();
}

// The summed RSS of the Chromium processes this benchmark started (descendants of this process), from /proc; 0 where
// /proc is not there.
static long ChromiumRssBytes()
{
    long total = 0;
    foreach (var (pid, _) in Descendants())
    {
        try
        {
            if (!File.ReadAllText($"/proc/{pid}/cmdline").Contains("chromium", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    total += long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
    }

    return total;
}

// CPU seconds (user + system, from /proc/PID/stat) of this benchmark's child processes, summed by role: Chromium's
// renderer (the page), network service, browser and GPU processes, the Ferry server and s3rver.
static Dictionary<string, double> CpuSecondsByRole()
{
    var byRole = new Dictionary<string, double>();
    foreach (var (pid, stat) in Descendants())
    {
        try
        {
            var role = RoleOf(pid);
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var seconds = (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
            byRole[role] = byRole.GetValueOrDefault(role) + seconds;
        }
        catch (IOException)
        {
        }
    }

    byRole["bench"] = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
    return byRole;
}

// The role of one of this benchmark's child processes, from its command line.
static string RoleOf(int pid)
{
    var cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
    return cmdline.Contains("chromium", StringComparison.Ordinal)
        ? cmdline.Contains("--type=renderer", StringComparison.Ordinal) ? "chromium-renderer"
        : cmdline.Contains("network.mojom", StringComparison.Ordinal) ? "chromium-network"
        : cmdline.Contains("--type=", StringComparison.Ordinal) ? "chromium-other" : "chromium-browser"
        : cmdline.Contains("ferry.dll serve", StringComparison.Ordinal) ? "ferry-server"
        : cmdline.Contains("s3rver", StringComparison.Ordinal) ? "s3rver"
        : cmdline.Contains("playwright", StringComparison.Ordinal) ? "playwright" : "other";
}

// Sets the niceness of every thread of s3rver and the Ferry server (Linux's setpriority applies to one thread; threads
// started later inherit their creator's); returns how many threads were changed. A thread that ends meanwhile is skipped.
static int ReniceServers(int niceness)
{
    var changed = 0;
    foreach (var (pid, _) in Descendants())
    {
        try
        {
            if (RoleOf(pid) is not ("s3rver" or "ferry-server"))
            {
                continue;
            }

            foreach (var thread in Directory.EnumerateDirectories($"/proc/{pid}/task").Select(Path.GetFileName))
            {
                using var renice = Process.Start(new ProcessStartInfo("renice", ["-n", niceness.ToString(CultureInfo.InvariantCulture), "-p", thread!]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
                renice.StandardOutput.ReadToEnd();
                renice.StandardError.ReadToEnd();
                renice.WaitForExit();
                changed += renice.ExitCode == 0 ? 1 : 0;
            }
        }
        catch (IOException)
        {
            // The process ended meanwhile.
        }
    }

    return changed > 0 ? changed : throw new InvalidOperationException("no thread of s3rver or the Ferry server could be reniced");
}

// This process's descendants (pid and /proc/PID/stat), from /proc; none where /proc is not there.
static List<(int Pid, string Stat)> Descendants()
{
    var parents = new Dictionary<int, int>();
    var stats = new Dictionary<int, string>();
    foreach (var dir in Directory.Exists("/proc") ? Directory.EnumerateDirectories("/proc") : [])
    {
        try
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid))
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                stats[pid] = stat;
                parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
        }
    }

    bool Mine(int pid)
    {
        for (var depth = 0; depth < 20 && pid > 1; depth++)
        {
            if (pid == Environment.ProcessId)
            {
                return true;
            }

            if (!parents.TryGetValue(pid, out pid))
            {
                return false;
            }
        }

        return false;
    }

    return parents.Keys.Where(pid => pid != Environment.ProcessId && Mine(pid)).Select(pid => (pid, stats[pid])).ToList();
}
