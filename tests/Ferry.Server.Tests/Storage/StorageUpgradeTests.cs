using Ferry.Server.Data;
using Ferry.Testing;
using Microsoft.EntityFrameworkCore;

namespace Ferry.Server.Tests.Storage;

/// <summary>
/// A server at schema 0004 with projects on three endpoints (two companies; one bucket both use) is migrated by
/// 'ferry db migrate': locations and grants appear, and every old project still uploads.
/// </summary>
public abstract class StorageUpgradeTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : UpgradeFixture
{
    [Fact]
    public async Task Migrate_ProjectsOnThreeEndpoints_MakesOneLocationPerEndpointGrantedForTheUsedBuckets()
    {
        var system = await fixture.SystemAdminAsync();
        var locations = (await ApiCalls.GetAsync(system, "/api/storage-locations"))["items"]!.AsArray().Select(l => l!).ToList();
        var companies = (await ApiCalls.GetAsync(system, "/api/companies"))["items"]!.AsArray().ToDictionary(c => c!["name"]!.GetValue<string>(), c => c!["id"]!.GetValue<long>());

        Assert.Equal(3, locations.Count);
        Assert.Equal(fixture.Endpoints.Order(), locations.Select(l => l["endpoint_url"]!.GetValue<string>()).Order());
        Assert.All(locations, l => Assert.Equal("default", l["credential_source"]!.GetValue<string>()));
        Assert.All(locations, l => Assert.Equal("path", l["addressing_style"]!.GetValue<string>()));
        var grants = locations.SelectMany(l => l["grants"]!.AsArray().Select(g => (
            Endpoint: l["endpoint_url"]!.GetValue<string>(), Company: g!["company_id"]!.GetValue<long>(), Pattern: g["bucket_pattern"]!.GetValue<string>(), Shared: g["shared"]!.GetValue<bool>()))).ToList();
        var (a, b) = (companies["Upgrade A"], companies["Upgrade B"]);
        var expected = new[]
        {
            (fixture.Endpoints[0], a, fixture.Buckets["a1"], false),
            (fixture.Endpoints[1], a, fixture.Buckets["a2"], false),
            (fixture.Endpoints[2], b, fixture.Buckets["b3"], false),
            (fixture.Endpoints[0], b, fixture.Buckets["b4"], false),
            (fixture.Endpoints[0], a, fixture.Buckets["both"], true),
            (fixture.Endpoints[0], b, fixture.Buckets["both"], true),
        };
        Assert.Equal(expected.Order(), grants.Order());
    }

    [Fact]
    public async Task Migrate_EveryOldProject_StillUploads()
    {
        var system = await fixture.SystemAdminAsync();
        var companies = (await ApiCalls.GetAsync(system, "/api/companies"))["items"]!.AsArray().Where(c => c!["name"]!.GetValue<string>().StartsWith("Upgrade", StringComparison.Ordinal));
        var uploaded = 0;
        foreach (var company in companies)
        {
            var username = fixture.UniqueName("upgraded");
            await ApiCalls.PostAsync(system, "/api/users", new { username, password = "password-" + username, role = "user", company_id = company!["id"]!.GetValue<long>() });
            var user = await fixture.SignInAsync(username, "password-" + username);
            foreach (var project in (await ApiCalls.GetAsync(user, "/api/projects"))["items"]!.AsArray())
            {
                var projectId = project!["id"]!.GetValue<long>();
                Assert.NotNull(project["storage_location_id"]);
                var cycleId = (await ApiCalls.GetAsync(user, $"/api/projects/{projectId}/cycles"))["items"]!.AsArray()[0]!["id"]!.GetValue<long>();
                var content = SessionCalls.Bytes(100, (int)projectId);
                var path = $"upgrade-{projectId}.bin";
                var session = await SessionCalls.NewSessionAsync(user, projectId, cycleId);
                await SessionCalls.RegisterAsync(user, session, new() { [path] = content.Length });
                var etags = await SessionCalls.UploadAsync(user, session, new() { [path] = content });
                var verdict = await SessionCalls.CompleteAsync(user, session, [new { path, etag = etags[path] }]);

                Assert.Equal("uploaded", verdict[0]["status"]!.GetValue<string>());
                var endpoint = project["endpoint_url"]!.GetValue<string>();
                Assert.Equal(content, await fixture.Server(endpoint).GetObjectAsync(project["bucket_name"]!.GetValue<string>(), "C1/" + path));
                uploaded++;
            }
        }

        Assert.Equal(6, uploaded);
    }
}

/// <summary>A server whose database was at schema 0004, with projects in place, when 'ferry db migrate' ran.</summary>
public abstract class UpgradeFixture : ServerFixture
{
    private readonly List<S3rverServer> _more = [];

    /// <summary>The three endpoints the old projects used, in order.</summary>
    public List<string> Endpoints { get; } = [];

    public Dictionary<string, string> Buckets { get; } = [];

    public S3rverServer Server(string endpoint) => endpoint == S3.Endpoint ? S3 : _more.First(s => s.Endpoint == endpoint);

    protected abstract Task<string> CreateEmptyDatabaseAsync(string directory);

    private protected abstract DbContextOptions<FerryDbContext> Options(string connection);

    protected override async Task<string> CreateDatabaseAsync(string directory)
    {
        _more.Add(await S3rverServer.StartAsync());
        _more.Add(await S3rverServer.StartAsync());
        Endpoints.AddRange([S3.Endpoint, _more[0].Endpoint, _more[1].Endpoint]);
        Buckets["a1"] = await S3.CreateBucketAsync("a1");
        Buckets["a2"] = await _more[0].CreateBucketAsync("a2");
        Buckets["b3"] = await _more[1].CreateBucketAsync("b3");
        Buckets["b4"] = await S3.CreateBucketAsync("b4");
        Buckets["both"] = await S3.CreateBucketAsync("both");

        var connection = await CreateEmptyDatabaseAsync(directory);
        var settings = DatabaseSettings.Resolve(connection, directory);
        await using var db = new FerryDbContext(Options(connection), settings, Ferry.Server.Tenancy.TenantScope.System);
        await new DatabaseMigrator(db, TimeProvider.System).MigrateAsync(4, CancellationToken.None);
        var now = db.Timestamp(DateTimeOffset.UtcNow);
        await db.Database.ExecuteSqlRawAsync("INSERT INTO companies (name, created_at) VALUES ('Upgrade A', {0}), ('Upgrade B', {0})", now);
        foreach (var (company, name, endpoint) in new[] { ("A", "a1", 0), ("A", "a2", 1), ("B", "b3", 2), ("B", "b4", 0), ("A", "both", 0), ("B", "both", 0) })
        {
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO projects (company_id, name, bucket_name, region, endpoint_url, aws_profile, created_at) SELECT id, {0}, {1}, 'us-east-1', {2}, NULL, {3} FROM companies WHERE name = {4}",
                $"{company} {name}", Buckets[name], Endpoints[endpoint], now, "Upgrade " + company);
        }

        await db.Database.ExecuteSqlRawAsync("INSERT INTO cycles (project_id, name, s3_prefix, created_at) SELECT id, 'C1', 'C1/', {0} FROM projects", now);
        return connection;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var server in _more)
        {
            await server.DisposeAsync();
        }
    }
}

public sealed class SqliteUpgradeFixture : UpgradeFixture
{
    protected override Task<string> CreateEmptyDatabaseAsync(string directory) => Task.FromResult($"Data Source={Path.Combine(directory, "server.db")}");

    private protected override DbContextOptions<FerryDbContext> Options(string connection) => new DbContextOptionsBuilder<FerryDbContext>().UseSqlite(connection).Options;
}

public sealed class PostgresUpgradeFixture : UpgradeFixture
{
    protected override Task<string> CreateEmptyDatabaseAsync(string directory) => PostgresServer.Shared.CreateDatabaseAsync();

    private protected override DbContextOptions<FerryDbContext> Options(string connection) => new DbContextOptionsBuilder<FerryDbContext>().UseNpgsql(connection).Options;
}

public sealed class StorageUpgradeTestsOnSqlite(SqliteUpgradeFixture fixture) : StorageUpgradeTests<SqliteUpgradeFixture>(fixture);

public sealed class StorageUpgradeTestsOnPostgres(PostgresUpgradeFixture fixture) : StorageUpgradeTests<PostgresUpgradeFixture>(fixture);
