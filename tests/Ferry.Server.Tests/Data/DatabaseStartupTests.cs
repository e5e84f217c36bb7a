using Ferry.Server.Data;
using Ferry.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace Ferry.Server.Tests.Data;

public sealed class DatabaseStartupTests
{
    [Fact]
    public void Start_UnmigratedDatabase_RefusesNamingTheMigrateCommand()
    {
        using var home = new TempDirectory("ferry-unmigrated");
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("Ferry:DataDirectory", home.Path);
            host.UseSetting("Ferry:AdminPassword", "an-admin-password");
        });

        var error = Assert.Throws<ServerStartupException>(() => factory.Server);

        Assert.Contains("ferry db migrate", error.Message, StringComparison.Ordinal);
        Assert.Contains("schema version 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_Twice_AppliesOnceThenNothing()
    {
        using var home = new TempDirectory("ferry-migrate");
        var settings = new Dictionary<string, string?> { ["Ferry:DataDirectory"] = home.Path };

        var first = await FerryServer.MigrateAsync(settings, CancellationToken.None);
        var second = await FerryServer.MigrateAsync(settings, CancellationToken.None);

        AssertAppliedInOrderUpTo(first.Version, first.Applied);
        Assert.True(first.Version >= 6);
        Assert.Empty(second.Applied);
        Assert.Equal(first.Version, second.Version);
        Assert.True(File.Exists(Path.Combine(home.Path, "server.db")));
    }

    [Fact]
    public async Task Migrate_Postgres_AppliesTheSameVersions()
    {
        var connection = await PostgresServer.Shared.CreateDatabaseAsync();
        var settings = new Dictionary<string, string?> { ["Ferry:Database"] = connection };

        var first = await FerryServer.MigrateAsync(settings, CancellationToken.None);
        var second = await FerryServer.MigrateAsync(settings, CancellationToken.None);

        AssertAppliedInOrderUpTo(first.Version, first.Applied);
        Assert.Empty(second.Applied);
        Assert.StartsWith("PostgreSQL 127.0.0.1", first.Database, StringComparison.Ordinal);
    }

    /// <summary>Every script from 1 to <paramref name="version"/>, in order, none missing.</summary>
    private static void AssertAppliedInOrderUpTo(int version, IReadOnlyList<int> applied) =>
        Assert.Equal(Enumerable.Range(1, version), applied);

    [Theory]
    [InlineData("Host=db;Database=ferry", "PostgreSql")]
    [InlineData("Data Source=/var/lib/ferry/server.db", "Sqlite")]
    [InlineData(null, "Sqlite")]
    public void Resolve_ConnectionString_PicksProvider(string? connection, string expected)
    {
        Assert.Equal(expected, DatabaseSettings.Resolve(connection, "/tmp").Provider.ToString());
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("Database=ferry")]
    public void Resolve_Unrecognized_ThrowsNamingBothForms(string connection)
    {
        var error = Assert.Throws<FormatException>(() => DatabaseSettings.Resolve(connection, "/tmp"));

        Assert.Contains("Data Source=", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SigningKey_NoKey_CreatedOnceInTheDatabaseSealedWithTheStorageKey()
    {
        using var home = new TempDirectory("ferry-key");
        await using var db = await MigratedSqliteAsync(home.Path);
        var secrets = new Ferry.Server.Storage.StorageSecrets(new FerryServerOptions { DataDirectory = home.Path });

        var key = Ferry.Server.Auth.SigningKeyStore.LoadOrCreate(null, db, secrets, home.Path, TimeProvider.System);
        var again = Ferry.Server.Auth.SigningKeyStore.LoadOrCreate(null, db, secrets, home.Path, TimeProvider.System);

        Assert.Equal(64, key.Length);
        Assert.Equal(key, again);
        var stored = Assert.Single(await db.ServerKeys.AsNoTracking().ToListAsync());
        Assert.StartsWith("v1:", stored.Value, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(key), stored.Value, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(home.Path, "signing.key")));
    }

    [Fact]
    public async Task SigningKey_FileOfAnOlderFerry_TakenOverSoItsTokensStayValid()
    {
        using var home = new TempDirectory("ferry-key-upgrade");
        await using var db = await MigratedSqliteAsync(home.Path);
        var secrets = new Ferry.Server.Storage.StorageSecrets(new FerryServerOptions { DataDirectory = home.Path });
        var old = System.Security.Cryptography.RandomNumberGenerator.GetBytes(64);
        await File.WriteAllTextAsync(Path.Combine(home.Path, "signing.key"), Convert.ToBase64String(old));

        var key = Ferry.Server.Auth.SigningKeyStore.LoadOrCreate(null, db, secrets, home.Path, TimeProvider.System);

        Assert.Equal(old, key);
        Assert.False(File.Exists(Path.Combine(home.Path, "signing.key")), "the plain-text key file is left behind");
    }

    [Fact]
    public async Task SignInPage_FirstRequest_KeepsCookieKeysInTheDatabaseSealed()
    {
        using var home = new TempDirectory("ferry-keys");
        await FerryServer.MigrateAsync(new Dictionary<string, string?> { ["Ferry:DataDirectory"] = home.Path }, CancellationToken.None);
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("Ferry:DataDirectory", home.Path);
            host.UseSetting("Ferry:AdminPassword", "an-admin-password");
        });

        var page = await factory.CreateClient().GetAsync("/signin");

        Assert.True(page.IsSuccessStatusCode);
        Assert.False(Directory.Exists(Path.Combine(home.Path, "keys")));
        await using var db = await MigratedSqliteAsync(home.Path);
        var keys = await db.DataProtectionKeys.AsNoTracking().ToListAsync();
        Assert.NotEmpty(keys);
        Assert.All(keys, k => Assert.StartsWith("v1:", k.Xml, StringComparison.Ordinal));
        Assert.All(keys, k => Assert.DoesNotContain("masterKey", k.Xml, StringComparison.Ordinal));
    }

    /// <summary>The SQLite database of <paramref name="directory"/>, migrated.</summary>
    private static async Task<FerryDbContext> MigratedSqliteAsync(string directory)
    {
        await FerryServer.MigrateAsync(new Dictionary<string, string?> { ["Ferry:DataDirectory"] = directory }, CancellationToken.None);
        var settings = DatabaseSettings.Resolve(null, directory);
        var builder = new DbContextOptionsBuilder<FerryDbContext>();
        builder.UseSqlite(settings.ConnectionString);
        return new FerryDbContext(builder.Options, settings, Ferry.Server.Tenancy.TenantScope.System);
    }
}
