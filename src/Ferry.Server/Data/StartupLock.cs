namespace Ferry.Server.Data;

/// <summary>
/// Serializes start-up work across processes that share one PostgreSQL database — <c>ferry db migrate</c>, and a server's
/// schema check, first company and administrator, token-signing key and data-protection key — with a session-level
/// advisory lock held on the context's connection until disposed. Two replicas started at the same moment on a fresh
/// database thus run these one after the other: the second finds what the first created. PostgreSQL releases the lock
/// by itself when a holder's connection ends (a replica killed mid-start blocks nobody). On SQLite, a single-node
/// database, this does nothing.
/// </summary>
internal sealed class StartupLock : IAsyncDisposable
{
    /// <summary>The advisory lock's key, "Ferry" in ASCII (302349709945; in pg_locks: classid 70, objid 1701999225).</summary>
    public const long Key = 0x46_65_72_72_79;

    private readonly FerryDbContext? _db;

    private StartupLock(FerryDbContext? db) => _db = db;

    /// <summary>Waits until no other process holds the lock, then holds it on <paramref name="db"/>'s connection.</summary>
    public static async Task<StartupLock> AcquireAsync(FerryDbContext db, CancellationToken cancellationToken)
    {
        if (db.Provider != DatabaseProvider.PostgreSql)
        {
            return new StartupLock(null);
        }

        // The lock belongs to the session: keep the one connection open until it is released.
        await db.Database.OpenConnectionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({Key})", cancellationToken);
        return new StartupLock(db);
    }

    public async ValueTask DisposeAsync()
    {
        if (_db is null)
        {
            return;
        }

        try
        {
            await _db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({Key})", CancellationToken.None);
        }
        finally
        {
            await _db.Database.CloseConnectionAsync();
        }
    }
}
