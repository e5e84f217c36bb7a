using Ferry.Server.Data;
using Ferry.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

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

        Assert.Equal(first.Applied.Order(), first.Applied); // ascending; numbers may have gaps (they are reserved per branch)
        Assert.Equal([1, 2, 3, 4], first.Applied.Take(4));
        Assert.Contains(7, first.Applied);
        Assert.Equal(first.Version, first.Applied[^1]);
        Assert.True(first.Version >= 3);
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

        Assert.Equal(first.Applied.Order(), first.Applied); // ascending; numbers may have gaps (they are reserved per branch)
        Assert.Equal([1, 2, 3, 4], first.Applied.Take(4));
        Assert.Contains(7, first.Applied);
        Assert.Equal(first.Version, first.Applied[^1]);
        Assert.Empty(second.Applied);
        Assert.StartsWith("PostgreSQL 127.0.0.1", first.Database, StringComparison.Ordinal);
    }

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
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void LoadOrCreate_NoKey_WritesOwnerOnlyFile()
    {
        using var home = new TempDirectory("ferry-key");

        var key = Ferry.Server.Auth.SigningKeyStore.LoadOrCreate(null, home.Path);
        var again = Ferry.Server.Auth.SigningKeyStore.LoadOrCreate(null, home.Path);

        Assert.Equal(64, key.Length);
        Assert.Equal(key, again);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(home.Path, "signing.key")));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task SignInPage_FirstRequest_KeepsCookieKeysInAnOwnerOnlyDirectory()
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
        var keys = Path.Combine(home.Path, "keys");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(keys));
        Assert.NotEmpty(Directory.GetFiles(keys, "key-*.xml"));
    }
}
