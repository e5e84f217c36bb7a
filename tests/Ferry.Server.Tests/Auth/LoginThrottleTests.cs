using Ferry.Server.Auth;
using Ferry.Server.Data;
using Ferry.Testing;
using Microsoft.EntityFrameworkCore;

namespace Ferry.Server.Tests.Auth;

/// <summary>The sign-in throttle over its table (<c>login_failures</c>), on SQLite and PostgreSQL.</summary>
public abstract class LoginThrottleTests : IDisposable
{
    private readonly TempDirectory _home = new("ferry-throttle");
    private readonly ManualTime _time = new();
    private readonly List<FerryDbContext> _contexts = [];

    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    protected abstract Task<string> CreateDatabaseAsync(string directory);

    public void Dispose()
    {
        foreach (var db in _contexts)
        {
            db.Dispose();
        }

        _home.Dispose();
    }

    [Fact]
    public async Task RetryAfter_LimitReached_UntilOldestFailureLeavesWindow()
    {
        var sut = await ThrottleAsync(new FerryServerOptions { LoginAttempts = 3, LoginWindow = TimeSpan.FromMinutes(10) });
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(await sut.RetryAfterAsync("Ann", "10.0.0.1", CancellationToken.None));
            await sut.RecordFailureAsync("ann", "10.0.0.1", CancellationToken.None);
            _time.Now += TimeSpan.FromMinutes(1);
        }

        Assert.Equal(TimeSpan.FromMinutes(7), await sut.RetryAfterAsync("ANN", "10.0.0.1", CancellationToken.None));
        Assert.Null(await sut.RetryAfterAsync("ann", "10.0.0.2", CancellationToken.None));
        _time.Now += TimeSpan.FromMinutes(7);
        Assert.Null(await sut.RetryAfterAsync("ann", "10.0.0.1", CancellationToken.None));
    }

    [Fact]
    public async Task RetryAfter_FailuresRecordedThroughAnotherConnection_Counted()
    {
        var options = new FerryServerOptions { LoginAttempts = 2 };
        var connection = await CreateDatabaseAsync(_home.Path);
        var replicaA = await ThrottleAsync(options, connection);
        var replicaB = await ThrottleAsync(options, connection);

        await replicaA.RecordFailureAsync("cid", "10.0.0.3", CancellationToken.None);
        await replicaB.RecordFailureAsync("cid", "10.0.0.3", CancellationToken.None);

        Assert.NotNull(await replicaA.RetryAfterAsync("cid", "10.0.0.3", CancellationToken.None));
        Assert.NotNull(await replicaB.RetryAfterAsync("cid", "10.0.0.3", CancellationToken.None));
    }

    [Fact]
    public async Task RecordSuccess_ClearsFailures()
    {
        var sut = await ThrottleAsync(new FerryServerOptions { LoginAttempts = 1 });
        await sut.RecordFailureAsync("bob", "a", CancellationToken.None);

        await sut.RecordSuccessAsync("bob", "a", CancellationToken.None);

        Assert.Null(await sut.RetryAfterAsync("bob", "a", CancellationToken.None));
    }

    [Fact]
    public async Task RetryAfter_OneAddressManyUserNames_RefusedAtTenTimesTheLimit()
    {
        var sut = await ThrottleAsync(new FerryServerOptions { LoginAttempts = 2 });
        for (var i = 0; i < 20; i++)
        {
            Assert.Null(await sut.RetryAfterAsync($"user{i}", "10.0.0.9", CancellationToken.None));
            await sut.RecordFailureAsync($"user{i}", "10.0.0.9", CancellationToken.None);
        }

        Assert.NotNull(await sut.RetryAfterAsync("someone-new", "10.0.0.9", CancellationToken.None));
        Assert.Null(await sut.RetryAfterAsync("someone-new", "10.0.0.10", CancellationToken.None));
    }

    [Fact]
    public async Task RecordFailure_ManyDistinctUserNames_RowsStayAtTheCapAndTheAddressLimitHolds()
    {
        var connection = await CreateDatabaseAsync(_home.Path);
        var sut = await ThrottleAsync(new FerryServerOptions { LoginAttempts = 5, LoginTrackedKeys = 100 }, connection);

        for (var i = 0; i < 300; i++)
        {
            await sut.RecordFailureAsync($"name{i}", "10.0.0.7", CancellationToken.None);
        }

        Assert.Equal(100, await Open(connection).LoginFailures.CountAsync());
        Assert.NotNull(await sut.RetryAfterAsync("someone-new", "10.0.0.7", CancellationToken.None));
    }

    [Fact]
    public async Task RecordFailure_AfterTheWindow_ForgetsExpiredKeys()
    {
        var sut = await ThrottleAsync(new FerryServerOptions { LoginWindow = TimeSpan.FromMinutes(15) });
        for (var i = 0; i < 50; i++)
        {
            await sut.RecordFailureAsync($"name{i}", $"10.0.1.{i}", CancellationToken.None);
        }

        _time.Now += TimeSpan.FromMinutes(15);
        await sut.RecordFailureAsync("late", "10.0.2.1", CancellationToken.None);

        Assert.Equal(2, await sut.CountTrackedKeysAsync(CancellationToken.None));
    }

    private async Task<LoginThrottle> ThrottleAsync(FerryServerOptions options, string? connection = null)
    {
        connection ??= await CreateDatabaseAsync(_home.Path);
        return new LoginThrottle(Open(connection), options, _time);
    }

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

        var db = new FerryDbContext(builder.Options, settings, Ferry.Server.Tenancy.TenantScope.System);
        _contexts.Add(db);
        return db;
    }

    /// <summary>A migrated database of its own.</summary>
    protected static async Task<string> MigratedAsync(string connection, string directory)
    {
        await FerryServer.MigrateAsync(new Dictionary<string, string?> { ["Ferry:Database"] = connection, ["Ferry:DataDirectory"] = directory }, CancellationToken.None);
        return connection;
    }
}

public sealed class LoginThrottleTestsOnSqlite : LoginThrottleTests
{
    protected override Task<string> CreateDatabaseAsync(string directory) =>
        MigratedAsync($"Data Source={Path.Combine(directory, $"throttle-{Guid.NewGuid():N}.db")}", directory);
}

public sealed class LoginThrottleTestsOnPostgres : LoginThrottleTests
{
    protected override async Task<string> CreateDatabaseAsync(string directory) =>
        await MigratedAsync(await PostgresServer.Shared.CreateDatabaseAsync(), directory);
}
