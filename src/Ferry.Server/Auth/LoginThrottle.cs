namespace Ferry.Server.Auth;

/// <summary>
/// Counts failed logins (and failed password changes) per (user name, client address) over a sliding window; once the
/// limit is reached, further attempts are refused until the oldest failure leaves the window. One address trying many
/// user names meets a second limit, ten times higher, on the address alone.
/// <para>
/// The failures are rows in the database (<c>login_failures</c>), so every replica of the server counts the same
/// attempts and a restart forgets nothing. Two attempts racing on two replicas may both pass the check, so a burst can
/// get one failure past the limit per concurrent request; the next attempt is refused.
/// </para>
/// <para>
/// Bounded: each failure deletes the rows that left the window, and at most <see cref="FerryServerOptions.LoginTrackedKeys"/>
/// rows are kept — past that the oldest go first (an address hammering many names keeps adding fresh rows of its own
/// key, so its limit holds).
/// </para>
/// </summary>
internal sealed class LoginThrottle(FerryDbContext db, FerryServerOptions options, TimeProvider time)
{
    /// <summary>How many distinct keys have failures recorded now (for tests and operators).</summary>
    public Task<int> CountTrackedKeysAsync(CancellationToken cancellationToken) =>
        db.LoginFailures.AsNoTracking().Select(f => f.ThrottleKey).Distinct().CountAsync(cancellationToken);

    /// <summary>How long the caller must wait before trying again; null when an attempt is allowed now.</summary>
    public async Task<TimeSpan?> RetryAfterAsync(string username, string address, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await WaitAsync(Key(username, address), options.LoginAttempts, now, cancellationToken)
            ?? await WaitAsync(AddressKey(address), options.LoginAttempts * 10, now, cancellationToken);
    }

    public async Task RecordFailureAsync(string username, string address, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var expired = now - options.LoginWindow;
        await db.LoginFailures.Where(f => f.FailedAt <= expired).ExecuteDeleteAsync(cancellationToken);
        // Raw SQL, not the change tracker: the caller's unit of work may hold changes this must not save.
        var at = db.Timestamp(now);
        await db.Database.ExecuteSqlAsync($"INSERT INTO login_failures (throttle_key, failed_at) VALUES ({Key(username, address)}, {at}), ({AddressKey(address)}, {at})", cancellationToken);
        var rows = await db.LoginFailures.CountAsync(cancellationToken);
        if (rows > options.LoginTrackedKeys)
        {
            var keepFrom = await db.LoginFailures.OrderBy(f => f.Id).Skip(rows - options.LoginTrackedKeys).Select(f => f.Id).FirstAsync(cancellationToken);
            await db.LoginFailures.Where(f => f.Id < keepFrom).ExecuteDeleteAsync(cancellationToken);
        }
    }

    public Task RecordSuccessAsync(string username, string address, CancellationToken cancellationToken)
    {
        var key = Key(username, address);
        return db.LoginFailures.Where(f => f.ThrottleKey == key).ExecuteDeleteAsync(cancellationToken);
    }

    private async Task<TimeSpan?> WaitAsync(string key, int limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var since = now - options.LoginWindow;
        var recent = db.LoginFailures.AsNoTracking().Where(f => f.ThrottleKey == key && f.FailedAt > since);
        if (await recent.CountAsync(cancellationToken) < limit)
        {
            return null;
        }

        var oldest = await recent.OrderBy(f => f.FailedAt).Select(f => f.FailedAt).FirstAsync(cancellationToken);
        return oldest + options.LoginWindow - now;
    }

    private static string Key(string username, string address) => username.ToLowerInvariant() + "\n" + address;

    private static string AddressKey(string address) => "\n" + address;
}
