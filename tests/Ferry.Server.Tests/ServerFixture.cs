using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Ferry.Server.Tests;

/// <summary>
/// One Ferry server per test class on a real database (a SQLite file, or a database of its own in the PostgreSQL
/// cluster of the test run), migrated the way 'ferry db migrate' does, with s3rver as its S3. Tests create their own
/// companies, users, buckets and projects, and never count rows other tests made.
/// </summary>
public abstract class ServerFixture : IAsyncLifetime
{
    public const string AdminPassword = "first-admin-password-for-tests";

    private readonly TempDirectory _home = new("ferry-server");
    private WebApplicationFactory<Program>? _factory;
    private S3rverServer? _s3;
    private int _names;

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("not started");

    public S3rverServer S3 => _s3 ?? throw new InvalidOperationException("not started");

    public string DataDirectory => _home.Path;

    /// <summary>The bucket of the donation study (<c>Ferry:DonationDestination</c> = s3://BUCKET/study).</summary>
    public string DonationBucket { get; private set; } = "";

    public string DatabaseConnection { get; private set; } = "";

    /// <summary>What the server logged (Debug and above).</summary>
    public CapturedLogs Logs { get; } = new();

    protected abstract Task<string> CreateDatabaseAsync(string directory);

    public virtual async Task InitializeAsync()
    {
        _s3 = await S3rverServer.StartAsync();
        DonationBucket = await _s3.CreateBucketAsync("donations");
        DatabaseConnection = await CreateDatabaseAsync(_home.Path);
        await FerryServer.MigrateAsync(Settings(), CancellationToken.None);
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            foreach (var (key, value) in Settings())
            {
                host.UseSetting(key, value);
            }

            host.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        });
        _ = _factory.Server;
    }

    /// <summary>The server folder upload jobs may read from.</summary>
    public string JobsRoot => Path.Combine(_home.Path, "jobs-root");

    public Dictionary<string, string?> Settings()
    {
        Directory.CreateDirectory(JobsRoot);
        var settings = BaseSettings();
        settings["Ferry:AllowedRoots:0"] = JobsRoot;
        AddSettings(settings);
        return settings;
    }

    /// <summary>Settings a fixture adds to the common ones.</summary>
    protected virtual void AddSettings(Dictionary<string, string?> settings)
    {
    }

    private Dictionary<string, string?> BaseSettings() => new()
    {
        ["Ferry:Database"] = DatabaseConnection,
        ["Ferry:DataDirectory"] = _home.Path,
        ["Ferry:AdminPassword"] = AdminPassword,
        ["Ferry:S3AccessKeyId"] = S3rverServer.AccessKey,
        ["Ferry:S3SecretAccessKey"] = S3rverServer.SecretKey,
        ["Ferry:FailedLoginDelay"] = "00:00:00.200",
        ["Ferry:LoginAttempts"] = "5",
        ["Ferry:ExportRetryDelay"] = "00:00:01",
        ["Ferry:DonationDestination"] = $"s3://{DonationBucket}/study",
        ["Ferry:DonationEndpoint"] = S3.Endpoint,
        ["Ferry:ExportRetryInterval"] = "00:00:01", // the export-retry schedule: each run is a Quartz firing and a schedule_runs row
        ["Ferry:Storage:AllowPrivateEndpoints"] = "true",
    };

    public virtual async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        if (_s3 is not null)
        {
            await _s3.DisposeAsync();
        }

        _home.Dispose();
    }

    /// <summary>A name no other test uses.</summary>
    public string UniqueName(string label) => $"{label}{Interlocked.Increment(ref _names)}x{Guid.NewGuid().ToString("N")[..6]}";

    public HttpClient Anonymous() => Factory.CreateClient();

    public async Task<HttpClient> SignInAsync(string username, string password)
    {
        var client = Factory.CreateClient();
        var response = await client.PostAsJsonAsync("/api/auth/login", new { username, password });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public Task<HttpClient> SystemAdminAsync() => SignInAsync("admin", AdminPassword);

    /// <summary>A new company with one user of each role, signed in.</summary>
    public async Task<Tenant> NewTenantAsync()
    {
        var system = await SystemAdminAsync();
        var company = await ApiCalls.PostAsync(system, "/api/companies", new { name = UniqueName("company") });
        var companyId = company["id"]!.GetValue<long>();
        var clients = new Dictionary<string, HttpClient>();
        foreach (var role in new[] { "admin", "user", "viewer" })
        {
            var username = UniqueName(role);
            await ApiCalls.PostAsync(system, "/api/users", new { username, password = "password-" + username, role, company_id = companyId });
            clients[role] = await SignInAsync(username, "password-" + username);
        }

        return new Tenant(companyId, clients["admin"], clients["user"], clients["viewer"]);
    }

    /// <summary>
    /// A new server folder (inside <see cref="JobsRoot"/>, the operator's allowed root) given to <paramref name="tenant"/>'s
    /// company by the system administrator; returns its path.
    /// </summary>
    public async Task<string> NewRootAsync(Tenant tenant)
    {
        var root = Directory.CreateDirectory(Path.Combine(JobsRoot, UniqueName("company-root"))).FullName;
        await ApiCalls.PostAsync(await SystemAdminAsync(), $"/api/companies/{tenant.CompanyId}/roots", new { path = root }, System.Net.HttpStatusCode.Created);
        return root;
    }

    /// <summary>A bucket on s3rver, a project for it in <paramref name="tenant"/>'s company and a cycle C1.</summary>
    public async Task<(long ProjectId, long CycleId, string Bucket)> NewProjectAsync(Tenant tenant, string prefix = "C1", string? endpoint = null)
    {
        var bucket = await S3.CreateBucketAsync("srv");
        await FerryServerClient.GrantBucketAsync(await SystemAdminAsync(), endpoint ?? S3.Endpoint, bucket, tenant.CompanyId);
        var project = await ApiCalls.PostAsync(tenant.Admin, "/api/projects", new { name = UniqueName("project"), bucket_name = bucket, region = "us-east-1", endpoint_url = endpoint ?? S3.Endpoint });
        var projectId = project["id"]!.GetValue<long>();
        var cycle = await ApiCalls.PostAsync(tenant.Admin, $"/api/projects/{projectId}/cycles", new { name = "C1", s3_prefix = prefix });
        return (projectId, cycle["id"]!.GetValue<long>(), bucket);
    }
}

/// <summary>A company's signed-in users, one per role.</summary>
public sealed record Tenant(long CompanyId, HttpClient Admin, HttpClient User, HttpClient Viewer);

public class SqliteServerFixture : ServerFixture
{
    protected override Task<string> CreateDatabaseAsync(string directory) => Task.FromResult($"Data Source={Path.Combine(directory, "server.db")}");
}

public sealed class PostgresServerFixture : ServerFixture
{
    protected override Task<string> CreateDatabaseAsync(string directory) => PostgresServer.Shared.CreateDatabaseAsync();
}

/// <summary>A SQLite server that also runs an upload-job worker in-process (ferry serve --worker) and the donation schedules every second.</summary>
public sealed class SqliteServerWithWorkerFixture : SqliteServerFixture
{
    protected override void AddSettings(Dictionary<string, string?> settings)
    {
        settings["Ferry:RunWorker"] = "true";
        settings["Ferry:WorkerHeartbeat"] = "00:00:00.300";
        settings["Ferry:WorkerTimeout"] = "00:00:02";
        settings["Ferry:WorkerPollInterval"] = "00:00:00.100";
        settings["Ferry:Schedules:DonationExport"] = "* * * * * ?"; // every second
        settings["Ferry:Schedules:DonationRetention"] = "* * * * * ?";
    }
}
