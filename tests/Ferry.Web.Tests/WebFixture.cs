using System.Diagnostics;
using Ferry.Testing;
using Microsoft.Playwright;

namespace Ferry.Web.Tests;

/// <summary>
/// The real thing for browser tests: s3rver, 'ferry serve' (a process, migrated SQLite) on free loopback ports, and
/// Debian's Chromium driven by Playwright (never a downloaded browser). Screenshots go to artifacts/screenshots.
/// </summary>
public class WebFixture : IAsyncLifetime
{
    public const string AdminPassword = "web-admin-password";

    private readonly TempDirectory _home = new("web");
    private Process? _server;
    private IPlaywright? _playwright;

    public S3rverServer S3 { get; private set; } = null!;

    public string Url { get; private set; } = "";

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>What the server printed last (for failure messages).</summary>
    public ProcessOutput? ServerOutput { get; private set; }

    /// <summary>The donation study's bucket.</summary>
    public string DonationBucket { get; private set; } = "";

    /// <summary>The server folder upload jobs may read from (the in-process worker's allowed root).</summary>
    public string JobsRoot => Path.Combine(_home.Path, "field-drives");

    public string Screenshots { get; } = Path.Combine(RepositoryPaths.Root, "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        S3 = await S3rverServer.StartAsync();
        var ferry = Ferry();
        var migrated = await ferry.RunAsync("db", "migrate");
        Assert.True(migrated.ExitCode == 0, migrated.Stderr);
        Url = $"http://127.0.0.1:{FreePort.Next()}";
        Directory.CreateDirectory(JobsRoot);
        DonationBucket = await S3.CreateBucketAsync("donations");
        ferry["Ferry__DonationDestination"] = $"s3://{DonationBucket}/study";
        ferry["Ferry__DonationEndpoint"] = S3.Endpoint;
        ferry["Ferry__Storage__AllowPrivateEndpoints"] = "true"; // s3rver is on 127.0.0.1
        AddSettings(ferry);
        _server = ferry.Start("serve", "--urls", Url, "--worker", "--allowed-root", JobsRoot);
        ServerOutput = ProcessOutput.Drain(_server); // an unread log would eventually stop the server
        await FerryServerClient.WaitUntilHealthyAsync(Url, _server);
        Directory.CreateDirectory(Screenshots);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium" : throw new InvalidOperationException("Debian's chromium is not installed; scripts/test.sh installs it (apt-get install chromium)"),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    /// <summary>Settings a fixture adds to the server's environment before it starts.</summary>
    protected virtual void AddSettings(FerryProcess ferry)
    {
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_server is not null)
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
            _server.Dispose();
        }

        await S3.DisposeAsync();
        _home.Dispose();
    }

    /// <summary>The ferry CLI with this fixture's home, as the first administrator's password is set there.</summary>
    public FerryProcess Ferry() => new(_home.Path) { ["FERRY_ADMIN_PASSWORD"] = AdminPassword };

    /// <summary>A bucket whose CORS rule lets the app's origin PUT and read ETag, set with 'ferry s3 cors' as an operator would.</summary>
    public async Task<string> BucketAsync(string? endpoint = null)
    {
        var bucket = await S3.CreateBucketAsync("web");
        var cors = await Ferry().RunAsync("s3", "cors", bucket, "--origin", Url, "--endpoint", S3.Endpoint);
        Assert.True(cors.ExitCode == 0, cors.Stderr);
        return bucket;
    }

    /// <summary>An API client signed in as the first administrator.</summary>
    public Task<HttpClient> AdminApiAsync() => FerryServerClient.SignInAsync(Url, "admin", AdminPassword);

    public async Task<IPage> SignedInPageAsync(string username, string password)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(Url + "/");
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // Signed in when the upload page (where sign-in leads) shows its heading; robust to how fast "load" fires.
        await page.GetByRole(AriaRole.Heading, new() { Name = "Upload a folder" }).WaitForAsync();
        Assert.EndsWith("/upload", page.Url, StringComparison.Ordinal);
        return page;
    }

    public Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });
}
