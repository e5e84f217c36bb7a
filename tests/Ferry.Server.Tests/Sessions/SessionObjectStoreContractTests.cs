using Ferry.Client;
using Ferry.Client.Sessions;
using Ferry.Core.Storage;
using Ferry.Testing;

namespace Ferry.Server.Tests.Sessions;

/// <summary>
/// The write half of the store contract run against Ferry.Client's <see cref="SessionObjectStore"/> over a real server:
/// each store is a new session of a new company's project (cycle prefix C1/), its files registered with the sizes the
/// test will write; PUTs go to s3rver with the server's presigned URLs and count only after the server checked them.
/// </summary>
public abstract class SessionObjectStoreContractTests<TFixture>(TFixture fixture) : WritableObjectStoreContractTests, IClassFixture<TFixture>, IDisposable
    where TFixture : ServerFixture
{
    private readonly List<IDisposable> _owned = [];
    private string _prefix = "";

    protected override string Key(string name) => _prefix + name;

    protected override async Task<IWritableObjectStore> CreateWritableStoreAsync(IReadOnlyList<(string Name, long Size)> writes)
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var api = new FerryApiClient(tenant.User);
        _owned.Add(api);
        var session = await api.CreateSessionAsync(projectId, cycleId, "/media/contract", CancellationToken.None);
        List<Ferry.Client.Contracts.RegisteredFileResponse> registered = writes.Count == 0
            ? []
            : await api.RegisterAsync(session.Id, writes.Select(w => (w.Name, w.Size, new DateTimeOffset(2025, 9, 9, 9, 20, 0, TimeSpan.Zero), (Ferry.Core.Checks.FileCapture?)null)), CancellationToken.None);
        Assert.All(registered, r => Assert.Equal("pending", r.Status));
        var store = new SessionObjectStore(api, session.Id, session.Bucket, session.Prefix, registered.Select((r, i) => (r, writes[i].Size, new DateTimeOffset(2025, 9, 9, 9, 20, 0, TimeSpan.Zero))));
        _owned.Add(store);
        _prefix = session.Prefix;
        return store;
    }

    public void Dispose()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            owned.Dispose();
        }
    }
}

public sealed class SessionObjectStoreContractTestsOnSqlite(SqliteServerFixture fixture) : SessionObjectStoreContractTests<SqliteServerFixture>(fixture);

public sealed class SessionObjectStoreContractTestsOnPostgres(PostgresServerFixture fixture) : SessionObjectStoreContractTests<PostgresServerFixture>(fixture);
