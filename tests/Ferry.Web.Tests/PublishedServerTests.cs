using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Testing;
using Microsoft.Playwright;

namespace Ferry.Web.Tests;

/// <summary>Publishes src/Ferry.Cli once to a temporary folder and runs that ferry serve (SQLite in a temporary data directory) and headless Chromium.</summary>
public sealed class PublishedServerFixture : IAsyncLifetime
{
    public const string AdminPassword = "published-admin-password";
    private readonly TempDirectory _home = new("web-published");
    private Process? _server;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private string _url = "";

    public string Url => _url;

    public IBrowser Browser => _browser!;

    public ProcessOutput? ServerOutput { get; private set; }

    public TempDirectory Home => _home;

    public string Published => _home.Combine("published");

    public async Task InitializeAsync()
    {
        var publish = await RunAsync("dotnet", ["publish", Path.Combine(RepositoryPaths.Root, "src", "Ferry.Cli"), "-c", "Release", "--use-current-runtime", "--self-contained", "false", "-o", Published, "-nologo", "-v", "quiet"]);
        Assert.True(publish.Exit == 0, "dotnet publish failed:\n" + publish.Output);
        var migrate = await RunAsync("dotnet", [Path.Combine(Published, "ferry.dll"), "db", "migrate"]);
        Assert.True(migrate.Exit == 0, migrate.Output);
        _url = $"http://127.0.0.1:{FreePort.Next()}";
        _server = Process.Start(Ferry(Path.Combine(Published, "ferry.dll"), "serve", "--urls", _url))!;
        ServerOutput = ProcessOutput.Drain(_server);
        await FerryServerClient.WaitUntilHealthyAsync(_url, _server);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium" : throw new InvalidOperationException("Debian's chromium is not installed; scripts/test.sh installs it (apt-get install chromium)"),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    /// <summary>
    /// Copies the published output without <c>wwwroot/app</c> (what <c>-p:FerrySkipClientApp=true</c> leaves out) and
    /// starts that <c>ferry serve</c> on its own data directory; returns its URL and process.
    /// </summary>
    public async Task<(string Url, Process Server)> StartWithoutWebClientAsync()
    {
        var copy = _home.Combine("published-without-client");
        foreach (var file in Directory.GetFiles(Published, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Published, file);
            if (!relative.StartsWith(Path.Combine("wwwroot", "app"), StringComparison.Ordinal))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(copy, relative))!);
                File.Copy(file, Path.Combine(copy, relative));
            }
        }

        var dll = Path.Combine(copy, "ferry.dll");
        var migrate = Ferry(dll, "db", "migrate");
        migrate.Environment["FERRY_HOME"] = _home.Combine("data-without-client");
        using (var migrating = Process.Start(migrate)!)
        {
            var output = migrating.StandardOutput.ReadToEndAsync();
            var error = migrating.StandardError.ReadToEndAsync();
            await migrating.WaitForExitAsync();
            Assert.True(migrating.ExitCode == 0, await output + await error);
        }

        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var serve = Ferry(dll, "serve", "--urls", url);
        serve.Environment["FERRY_HOME"] = _home.Combine("data-without-client");
        var server = Process.Start(serve)!;
        ProcessOutput.Drain(server);
        await FerryServerClient.WaitUntilHealthyAsync(url, server);
        return (url, server);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_server is not null)
        {
            if (!_server.HasExited)
            {
                _server.Kill(entireProcessTree: true);
                await _server.WaitForExitAsync();
            }

            _server.Dispose();
        }

        _home.Dispose();
    }

    private ProcessStartInfo Ferry(string dll, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["HOME"] = _home.Path;
        info.Environment["FERRY_HOME"] = _home.Combine("data");
        info.Environment["FERRY_ADMIN_PASSWORD"] = AdminPassword;
        info.Environment["Ferry__Storage__AllowPrivateEndpoints"] = "true"; // the test's project points at 127.0.0.1
        foreach (var name in new[] { "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_SESSION_TOKEN" })
        {
            info.Environment.Remove(name);
        }

        return info;
    }

    private async Task<(int Exit, string Output)> RunAsync(string program, string[] args)
    {
        var info = program == "dotnet" && args[0].EndsWith(".dll", StringComparison.Ordinal)
            ? Ferry(args[0], args[1..])
            : new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (info.ArgumentList.Count == 0)
        {
            foreach (var arg in args)
            {
                info.ArgumentList.Add(arg);
            }
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}

/// <summary>
/// The build the README gives (<c>dotnet publish src/Ferry.Cli -c Release --use-current-runtime --self-contained false
/// -o DIR</c>) ships what its pages load: that
/// published <c>ferry serve</c> (not the test build) answers every page, script, style sheet and icon a signed-in
/// browser asks for, and the upload page's script runs. Regression: the published server had no /app/upload.js,
/// the request answered 401, and the Upload page sat with a disabled "Start upload" and no explanation.
/// </summary>
public sealed class PublishedServerTests(PublishedServerFixture web) : IClassFixture<PublishedServerFixture>
{
    [Fact]
    public void Publish_Output_HoldsTheWebAppAndTheFavicon()
    {
        foreach (var file in new[] { "upload.js", "sessions.js", "exports.js", "contribute.js" })
        {
            Assert.True(File.Exists(Path.Combine(web.Published, "wwwroot", "app", file)), $"wwwroot/app/{file} is missing from the published output");
        }

        Assert.True(File.Exists(Path.Combine(web.Published, "wwwroot", "favicon.svg")));
    }

    [Fact]
    public void Publish_ForThisRuntime_IsPrecompiledWithReadyToRun()
    {
        // A ReadyToRun image carries a managed native header in its CLR header; a JIT-only assembly has none.
        foreach (var assembly in new[] { "ferry.dll", "Ferry.Core.dll", "Ferry.Storage.S3.dll", "Ferry.Server.dll" })
        {
            using var stream = File.OpenRead(Path.Combine(web.Published, assembly));
            using var reader = new System.Reflection.PortableExecutable.PEReader(stream);
            Assert.True(reader.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, $"{assembly} is not ReadyToRun");
        }
    }

    [Fact]
    public async Task PublishedServe_EveryPageSignedIn_NoFailedRequestAndUploadScriptsRun()
    {
        using var api = await FerryServerClient.SignInAsync(web.Url, "admin", PublishedServerFixture.AdminPassword);
        var (project, session) = await ProjectWithFinishedSessionAsync(api);
        var context = await web.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        var problems = PageProblems.Watch(page);

        await page.GotoAsync(web.Url + "/");
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(PublishedServerFixture.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Upload a folder" }).WaitForAsync();
        foreach (var path in new[] { "/sessions", $"/sessions/{session}", "/jobs", "/projects", $"/projects/{project}", "/contribute", "/users", "/exports", "/account/password", "/companies", "/schedules", "/storage", "/server-folders", "/donation-links", "/donate", "/upload" })
        {
            await page.GotoAsync(web.Url + path, new() { WaitUntil = WaitUntilState.NetworkIdle });
        }

        Assert.Equal(0, await page.Locator("#client-missing").CountAsync());
        var folder = web.Home.Combine("card", "SN000001");
        Directory.CreateDirectory(folder);
        await File.WriteAllBytesAsync(Path.Combine(folder, "20260101_000000.WAV"), TestData.Bytes(1000, 1));
        await page.GetByLabel("Folder").SetInputFilesAsync(web.Home.Combine("card"));
        await page.Locator("#plan").GetByText("1 files").WaitForAsync();
        await page.Locator("#checks").GetByText("SN000001").First.WaitForAsync(); // the checks worker loaded from the published build and answered
        Assert.True(await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).IsEnabledAsync(), "the upload page's script did not enable Start upload");
        Assert.True(problems.All.Count == 0, "failed requests:\n" + string.Join('\n', problems.All) + "\n--- server\n" + web.ServerOutput?.Tail);

        await page.GetByRole(AriaRole.Button, new() { Name = "Start upload" }).ClickAsync();

        // Registered and relayed by the page's batch-calls worker, loaded from the published build: the project's
        // endpoint takes no connection, so the server answers the relay 502 (tried five times) and the page says the
        // file failed, with the reason.
        await page.Locator("#status").GetByText("1 file(s) failed").WaitForAsync(new() { Timeout = 60_000 });
        await page.Locator("#failures").GetByText("SN000001/20260101_000000.WAV:").WaitForAsync();
    }

    [Fact]
    public async Task PublishedServe_WithoutTheWebClient_PagesSayItWasNotBuilt()
    {
        var (url, server) = await web.StartWithoutWebClientAsync();
        try
        {
            var page = await (await web.Browser.NewContextAsync()).NewPageAsync();
            page.SetDefaultTimeout(30_000);
            await page.GotoAsync(url + "/");
            await page.GetByLabel("Username").FillAsync("admin");
            await page.GetByLabel("Password").FillAsync(PublishedServerFixture.AdminPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await page.GetByRole(AriaRole.Heading, new() { Name = "Upload a folder" }).WaitForAsync();

            var notice = await page.Locator("#client-missing").TextContentAsync();

            Assert.Contains("The web client was not built", notice, StringComparison.Ordinal);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            server.Dispose();
        }
    }

    [Theory]
    [InlineData("/app/missing.js")]
    [InlineData("/css/nope.css")]
    [InlineData("/favicon.ico")]
    public async Task MissingStaticFile_Anonymous_404NotTheApis401(string path)
    {
        using var http = new HttpClient();

        using var response = await http.GetAsync(web.Url + path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.NotEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task<(long Project, long Session)> ProjectWithFinishedSessionAsync(HttpClient api)
    {
        await FerryServerClient.GrantBucketAsync(api, "http://127.0.0.1:9", "published-bucket"); // api is the system administrator
        var created = await api.PostAsJsonAsync("/api/projects", new { name = "Published", bucket_name = "published-bucket", region = "us-east-1", endpoint_url = "http://127.0.0.1:9" });
        created.EnsureSuccessStatusCode();
        var project = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        var cycle = await api.PostAsJsonAsync($"/api/projects/{project}/cycles", new { name = "C1" });
        cycle.EnsureSuccessStatusCode();
        var cycleId = (await cycle.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        var session = await api.PostAsJsonAsync("/api/sessions", new { project_id = project, cycle_id = cycleId });
        session.EnsureSuccessStatusCode();
        var sessionId = (await session.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        (await api.PostAsync($"/api/sessions/{sessionId}/finish", null)).EnsureSuccessStatusCode();
        return (project, sessionId);
    }
}
