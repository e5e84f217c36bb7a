using Ferry.Server.Data;
using Ferry.Testing;
using Microsoft.EntityFrameworkCore;

namespace Ferry.Server.Tests.Data;

/// <summary>Statuses are enums stored as the words the columns, the API and the pages have always held.</summary>
public sealed class StoredStatusTests
{
    [Fact]
    public void Name_EveryStatus_IsTheWordTheColumnHolds()
    {
        Assert.Equal(["queued", "running", "completed", "failed", "cancelled"], Words<JobStatus>());
        Assert.Equal(["active", "completed", "incomplete"], Words<SessionStatus>());
        Assert.Equal(["pending", "uploaded", "skipped", "failed"], Words<FileStatus>());
        Assert.Equal(["running", "delivered", "queued", "ready", "failed"], Words<ExportStatus>());
        Assert.Equal(["s3", "download"], Words<ExportKind>());
        Assert.Equal(["running", "completed", "failed"], Words<DonationStatus>());
        Assert.Equal(["receiving", "processing", "done", "failed"], Words<DonationLinkUploadStatus>());
        Assert.Equal(["running", "succeeded", "failed"], Words<ScheduleRunOutcome>());
    }

    [Theory]
    [InlineData("active", true)]
    [InlineData("Active", false)]
    [InlineData("ACTIVE", false)]
    [InlineData("0", false)]
    [InlineData(" active", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void TryParse_OnlyTheExactWord_IsAStatus(string? word, bool known)
    {
        Assert.Equal(known, StoredNames.TryParse(word, out SessionStatus status));
        Assert.Equal(known ? SessionStatus.Active : default, status);
    }

    [Fact]
    public void Parse_UnknownWord_ThrowsNamingIt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StoredNames.Parse<FileStatus>("lost"));

        Assert.Contains("'lost'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Model_EveryTableWithACompany_IsCompanyOwnedAndFiltered()
    {
        using var home = new TempDirectory("ferry-model");
        await using var db = Sqlite(home.Path);

        foreach (var entity in db.Model.GetEntityTypes().Where(e => e.FindProperty(nameof(CompanyOwned.CompanyId)) is not null))
        {
            // Maintenance runs of no company are every company's: their own filter (FerryDbContext).
            Assert.True(entity.ClrType == typeof(MaintenanceRun) || entity.ClrType.IsSubclassOf(typeof(CompanyOwned)), $"{entity.ClrType.Name} has a company_id but is not CompanyOwned");
            Assert.NotEmpty(entity.GetDeclaredQueryFilters());
        }

        Assert.Null(db.Model.FindEntityType(typeof(CompanyOwned)));
        Assert.All(db.Model.GetEntityTypes().SelectMany(e => e.GetProperties()).Where(p => p.ClrType.IsEnum),
            p => Assert.Equal(typeof(StoredNameConverter<>), p.GetValueConverter()?.GetType().GetGenericTypeDefinition()));
    }

    [Fact]
    public async Task Statuses_Sqlite_StoredAsWordsAndComparedInSql()
    {
        using var home = new TempDirectory("ferry-statuses");
        await FerryServer.MigrateAsync(new Dictionary<string, string?> { ["Ferry:DataDirectory"] = home.Path }, CancellationToken.None);
        await using var db = Sqlite(home.Path);

        await AssertStoredAsWordsAsync(db);
    }

    [Fact]
    public async Task Statuses_Postgres_StoredAsWordsAndComparedInSql()
    {
        var connection = await PostgresServer.Shared.CreateDatabaseAsync();
        await FerryServer.MigrateAsync(new Dictionary<string, string?> { ["Ferry:Database"] = connection }, CancellationToken.None);
        using var home = new TempDirectory("ferry-statuses-pg");
        var settings = DatabaseSettings.Resolve(connection, home.Path);
        await using var db = new FerryDbContext(new DbContextOptionsBuilder<FerryDbContext>().UseNpgsql(connection).Options, settings, Ferry.Server.Tenancy.TenantScope.System);

        await AssertStoredAsWordsAsync(db);
    }

    /// <summary>A run written as an enum is the word in its column; a filter and a conditional update on the enum run as SQL.</summary>
    private static async Task AssertStoredAsWordsAsync(FerryDbContext db)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var (instance, message) in new[] { ("ok", (string?)null), ("broken", "it broke"), ("done", null) })
        {
            db.ScheduleRuns.Add(new ScheduleRun { Schedule = "stored-status", FireInstanceId = instance, Instance = instance, ScheduledFor = now, StartedAt = now, Outcome = ScheduleRunOutcome.Running, Message = message });
        }

        await db.SaveChangesAsync();
        await db.ScheduleRuns.Where(r => r.Instance == "done").ExecuteUpdateAsync(u => u.SetProperty(r => r.Outcome, ScheduleRunOutcome.Succeeded));

        var changed = await db.ScheduleRuns.Where(r => r.Schedule == "stored-status" && r.Outcome == ScheduleRunOutcome.Running)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Outcome, r => r.Message == null ? ScheduleRunOutcome.Succeeded : ScheduleRunOutcome.Failed));

        Assert.Equal(2, changed);
        var columns = await db.Database.SqlQueryRaw<string>("SELECT instance || '=' || outcome AS \"Value\" FROM schedule_runs WHERE schedule = 'stored-status' ORDER BY instance").ToListAsync();
        Assert.Equal(["broken=failed", "done=succeeded", "ok=succeeded"], columns);
        Assert.Equal(["broken"], await db.ScheduleRuns.Where(r => r.Outcome == ScheduleRunOutcome.Failed).Select(r => r.Instance).ToListAsync());
        var wanted = new[] { ScheduleRunOutcome.Succeeded };
        Assert.Equal(2, await db.ScheduleRuns.CountAsync(r => r.Schedule == "stored-status" && wanted.Contains(r.Outcome)));
    }

    private static FerryDbContext Sqlite(string directory)
    {
        var settings = DatabaseSettings.Resolve(null, directory);
        return new FerryDbContext(new DbContextOptionsBuilder<FerryDbContext>().UseSqlite(settings.ConnectionString).Options, settings, Ferry.Server.Tenancy.TenantScope.System);
    }

    private static string[] Words<TEnum>() where TEnum : struct, Enum => Enum.GetValues<TEnum>().Select(v => v.Name()).ToArray();
}
