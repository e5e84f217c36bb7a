using Ferry.Core.Privacy;
using Ferry.Server.Data;
using Ferry.Server.Donations;
using Ferry.Server.Storage;
using Ferry.Testing;
using Microsoft.EntityFrameworkCore;

namespace Ferry.Server.Tests.Donations;

/// <summary>
/// A company's donation pseudonym key lives in the database, sealed with storage.key, so replicas with their own data
/// directories (and the same storage.key) pseudonymize a donor alike.
/// </summary>
public sealed class PseudonymKeyStoreTests
{
    [Fact]
    public async Task LoadOrCreate_TwoReplicasWithTheirOwnDataDirectories_SameKeySealedInTheDatabase()
    {
        using var first = new TempDirectory("ferry-pseudonym-a");
        using var second = new TempDirectory("ferry-pseudonym-b");
        await using var db = await MigratedSqliteAsync(first.Path);
        var firstSecrets = new StorageSecrets(new FerryServerOptions { DataDirectory = first.Path });
        var key = PseudonymKeyStore.LoadOrCreate(7, db, firstSecrets, first.Path, TimeProvider.System);
        File.Copy(firstSecrets.KeyPath, Path.Combine(second.Path, Path.GetFileName(firstSecrets.KeyPath)));
        var secondSecrets = new StorageSecrets(new FerryServerOptions { DataDirectory = second.Path });

        var onSecond = PseudonymKeyStore.LoadOrCreate(7, db, secondSecrets, second.Path, TimeProvider.System);

        Assert.Equal(key.ToBase64(), onSecond.ToBase64());
        var rules = PseudonymizationRules.TrainingLogs("study");
        Assert.Equal(new Pseudonymizer(rules, key).Pseudonym("user:1"), new Pseudonymizer(rules, onSecond).Pseudonym("user:1"));
        var stored = Assert.Single(await db.ServerKeys.AsNoTracking().Where(k => k.Name == PseudonymKeyStore.KeyName(7)).ToListAsync());
        Assert.DoesNotContain(key.ToBase64(), stored.Value, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(first.Path, "pseudonym-keys")));
    }

    [Fact]
    public async Task LoadOrCreate_OtherCompany_OtherKey()
    {
        using var home = new TempDirectory("ferry-pseudonym-companies");
        await using var db = await MigratedSqliteAsync(home.Path);
        var secrets = new StorageSecrets(new FerryServerOptions { DataDirectory = home.Path });

        var a = PseudonymKeyStore.LoadOrCreate(1, db, secrets, home.Path, TimeProvider.System);
        var b = PseudonymKeyStore.LoadOrCreate(2, db, secrets, home.Path, TimeProvider.System);

        Assert.NotEqual(a.ToBase64(), b.ToBase64());
    }

    [Fact]
    public async Task LoadOrCreate_KeyFileOfAnOlderFerry_TakenOverSoPseudonymsStayTheSame()
    {
        using var home = new TempDirectory("ferry-pseudonym-upgrade");
        await using var db = await MigratedSqliteAsync(home.Path);
        var secrets = new StorageSecrets(new FerryServerOptions { DataDirectory = home.Path });
        var old = PseudonymKey.Generate();
        Directory.CreateDirectory(Path.GetDirectoryName(PseudonymKeyStore.LegacyFile(home.Path, 3))!);
        PseudonymKey.Write(old, PseudonymKeyStore.LegacyFile(home.Path, 3));

        var key = PseudonymKeyStore.LoadOrCreate(3, db, secrets, home.Path, TimeProvider.System);

        Assert.Equal(old.ToBase64(), key.ToBase64());
        Assert.False(File.Exists(PseudonymKeyStore.LegacyFile(home.Path, 3)), "the plain-text key file is left behind");
    }

    private static async Task<FerryDbContext> MigratedSqliteAsync(string directory)
    {
        await FerryServer.MigrateAsync(new Dictionary<string, string?> { ["Ferry:DataDirectory"] = directory }, CancellationToken.None);
        var settings = DatabaseSettings.Resolve(null, directory);
        var builder = new DbContextOptionsBuilder<FerryDbContext>();
        builder.UseSqlite(settings.ConnectionString);
        return new FerryDbContext(builder.Options, settings, Ferry.Server.Tenancy.TenantScope.System);
    }
}
