using Ferry.Server.Data;
using Ferry.Testing;
using Microsoft.EntityFrameworkCore;

namespace Ferry.Server.Tests.Data;

/// <summary>Migration 0015 moves each session's check results out of upload_sessions into session_check_results, unchanged.</summary>
public sealed class CheckResultsUpgradeTests
{
    [Fact]
    public async Task Migrate_SqliteSessionWithCheckResults_MovedToTheirOwnTable()
    {
        using var home = new TempDirectory("ferry-checks-upgrade");
        var connection = $"Data Source={Path.Combine(home.Path, "server.db")}";
        await AssertMovedAsync(connection, new DbContextOptionsBuilder<FerryDbContext>().UseSqlite(connection).Options, home.Path);
    }

    [Fact]
    public async Task Migrate_PostgresSessionWithCheckResults_MovedToTheirOwnTable()
    {
        using var home = new TempDirectory("ferry-checks-upgrade");
        var connection = await PostgresServer.Shared.CreateDatabaseAsync();
        await AssertMovedAsync(connection, new DbContextOptionsBuilder<FerryDbContext>().UseNpgsql(connection).Options, home.Path);
    }

    private static async Task AssertMovedAsync(string connection, DbContextOptions<FerryDbContext> options, string directory)
    {
        const string Stored = "[{\"folder\":\"SN1 <old>\",\"files\":2,\"bytes\":20,\"warnings\":1,\"examples\":[\"\\u003Cclock\\u003E\"]}]";
        await using var db = new FerryDbContext(options, DatabaseSettings.Resolve(connection, directory), Ferry.Server.Tenancy.TenantScope.System);
        var migrator = new DatabaseMigrator(db, TimeProvider.System);
        await migrator.MigrateAsync(13, CancellationToken.None);
        var now = db.Timestamp(DateTimeOffset.UtcNow);
        await db.Database.ExecuteSqlRawAsync("INSERT INTO companies (name, created_at) VALUES ('Upgrade', {0})", now);
        await db.Database.ExecuteSqlRawAsync("INSERT INTO users (company_id, username, password_hash, role, created_at, password_changed_at) SELECT id, 'u', 'x', 'user', {0}, {0} FROM companies", now);
        await db.Database.ExecuteSqlRawAsync("INSERT INTO projects (company_id, name, bucket_name, region, created_at) SELECT id, 'P', 'b', 'us-east-1', {0} FROM companies", now);
        await db.Database.ExecuteSqlRawAsync("INSERT INTO cycles (project_id, name, s3_prefix, created_at) SELECT id, 'C1', 'C1/', {0} FROM projects", now);
        const string Session = "INSERT INTO upload_sessions (company_id, project_id, cycle_id, user_id, client, status, started_at, last_activity_at{0}) " +
            "SELECT c.id, p.id, y.id, u.id, 'cli', 'completed', {{0}}, {{0}}{1} FROM companies c, projects p, cycles y, users u";
        await db.Database.ExecuteSqlRawAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, Session, ", check_results", ", {1}"), now, Stored);
        await db.Database.ExecuteSqlRawAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, Session, "", ""), now); // a session without checks

        await migrator.MigrateAsync(CancellationToken.None);

        var sessions = await db.Sessions.AsNoTracking().OrderBy(s => s.Id).Select(s => s.Id).ToListAsync();
        var moved = await db.SessionCheckResults.AsNoTracking().ToListAsync();
        var row = Assert.Single(moved);
        Assert.Equal(sessions[0], row.SessionId);
        Assert.Equal(Stored, row.Results);
        Assert.Equal((0, 0), (row.OmittedFolders, row.OmittedExamples));
    }
}
