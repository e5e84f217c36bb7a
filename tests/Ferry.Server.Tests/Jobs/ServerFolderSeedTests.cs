using Ferry.Server.Data;
using Ferry.Server.Jobs;
using Ferry.Testing;
using Microsoft.EntityFrameworkCore;

namespace Ferry.Server.Tests.Jobs;

/// <summary>
/// Upgrade: the configured roots (Ferry:AllowedRoots, FERRY_ALLOWED_ROOTS, --allowed-root) become the first company's
/// server folders at 'ferry db migrate' (and at server or worker start), once each: a root the system administrator
/// removed is not brought back, and running it again adds nothing.
/// </summary>
public abstract class ServerFolderSeedTests : IDisposable
{
    private readonly TempDirectory _home = new("ferry-seed");

    protected abstract Task<string> CreateDatabaseAsync(string directory);

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Migrate_ConfiguredRoots_SeededIntoTheFirstCompanyOnceEach()
    {
        var connection = await CreateDatabaseAsync(_home.Path);
        var first = _home.Combine("drives", "first");
        var second = _home.Combine("drives", "second") + "/";
        Dictionary<string, string?> Settings(params string[] roots)
        {
            var settings = new Dictionary<string, string?> { ["Ferry:Database"] = connection, ["Ferry:DataDirectory"] = _home.Path };
            for (var i = 0; i < roots.Length; i++)
            {
                settings[$"Ferry:AllowedRoots:{i}"] = roots[i];
            }

            return settings;
        }

        await FerryServer.MigrateAsync(Settings(first), CancellationToken.None); // no company yet: nothing to seed
        await using var db = Open(connection);
        Assert.Empty(await db.CompanyRoots.ToListAsync());
        var company = new Company { Name = "Default", CreatedAt = DateTimeOffset.UtcNow };
        db.Companies.Add(company);
        db.Companies.Add(new Company { Name = "Later", CreatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();

        await FerryServer.MigrateAsync(Settings(first, second), CancellationToken.None);
        var seeded = await RootsAsync(db);
        await new ServerFolders(db, new FerryServerOptions(), TimeProvider.System).RemoveAsync(company.Id, first, CancellationToken.None);
        await FerryServer.MigrateAsync(Settings(first, second), CancellationToken.None);
        var afterRemoval = await RootsAsync(db);

        Assert.Equal([(company.Id, first), (company.Id, second.TrimEnd('/'))], seeded);
        Assert.Equal([(company.Id, second.TrimEnd('/'))], afterRemoval);
    }

    private static async Task<List<(long, string)>> RootsAsync(FerryDbContext db) =>
        (await db.CompanyRoots.AsNoTracking().OrderBy(r => r.Path).ToListAsync()).Select(r => (r.CompanyId, r.Path)).ToList();

    private FerryDbContext Open(string connection)
    {
        var settings = DatabaseSettings.Resolve(connection, _home.Path);
        var builder = new DbContextOptionsBuilder<FerryDbContext>();
        if (settings.Provider == DatabaseProvider.PostgreSql)
        {
            builder.UseNpgsql(settings.ConnectionString);
        }
        else
        {
            builder.UseSqlite(settings.ConnectionString);
        }

        return new FerryDbContext(builder.Options, settings, Ferry.Server.Tenancy.TenantScope.System);
    }
}

public sealed class ServerFolderSeedTestsOnSqlite : ServerFolderSeedTests
{
    protected override Task<string> CreateDatabaseAsync(string directory) => Task.FromResult($"Data Source={Path.Combine(directory, "server.db")}");
}

public sealed class ServerFolderSeedTestsOnPostgres : ServerFolderSeedTests
{
    protected override Task<string> CreateDatabaseAsync(string directory) => PostgresServer.Shared.CreateDatabaseAsync();
}
