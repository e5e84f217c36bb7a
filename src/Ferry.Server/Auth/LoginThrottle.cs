using System.Collections.Concurrent;

namespace Ferry.Server.Auth;

/// <summary>
/// Counts failed logins per (user name, client address) over a sliding window; once the limit is reached,
/// further attempts are refused until the oldest failure leaves the window. In memory: a restart forgets.
/// </summary>
internal sealed class LoginThrottle(FerryServerOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);

    /// <summary>How long the caller must wait before trying again; null when an attempt is allowed now.</summary>
    public TimeSpan? RetryAfter(string username, string address)
    {
        if (!_failures.TryGetValue(Key(username, address), out var failures))
        {
            return null;
        }

        lock (failures)
        {
            var now = time.GetUtcNow();
            Trim(failures, now);
            return failures.Count >= options.LoginAttempts ? failures.Peek() + options.LoginWindow - now : null;
        }
    }

    public void RecordFailure(string username, string address)
    {
        var failures = _failures.GetOrAdd(Key(username, address), _ => new Queue<DateTimeOffset>());
        lock (failures)
        {
            var now = time.GetUtcNow();
            Trim(failures, now);
            failures.Enqueue(now);
        }
    }

    public void RecordSuccess(string username, string address) => _failures.TryRemove(Key(username, address), out _);

    private void Trim(Queue<DateTimeOffset> failures, DateTimeOffset now)
    {
        while (failures.Count > 0 && failures.Peek() + options.LoginWindow <= now)
        {
            failures.Dequeue();
        }
    }

    private static string Key(string username, string address) => username.ToLowerInvariant() + "\n" + address;
}
