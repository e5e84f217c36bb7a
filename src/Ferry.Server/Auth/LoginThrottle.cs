using System.Collections.Concurrent;

namespace Ferry.Server.Auth;

/// <summary>
/// Counts failed logins per (user name, client address) over a sliding window; once the limit is reached,
/// further attempts are refused until the oldest failure leaves the window. One address trying many user names
/// meets a second limit, ten times higher, on the address alone. In memory: a restart forgets.
/// </summary>
internal sealed class LoginThrottle(FerryServerOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);

    /// <summary>How long the caller must wait before trying again; null when an attempt is allowed now.</summary>
    public TimeSpan? RetryAfter(string username, string address) =>
        Wait(Key(username, address), options.LoginAttempts) ?? Wait(AddressKey(address), options.LoginAttempts * 10);

    public void RecordFailure(string username, string address)
    {
        Record(Key(username, address));
        Record(AddressKey(address));
    }

    private TimeSpan? Wait(string key, int limit)
    {
        if (!_failures.TryGetValue(key, out var failures))
        {
            return null;
        }

        lock (failures)
        {
            var now = time.GetUtcNow();
            Trim(failures, now);
            return failures.Count >= limit ? failures.Peek() + options.LoginWindow - now : null;
        }
    }

    private void Record(string key)
    {
        var failures = _failures.GetOrAdd(key, _ => new Queue<DateTimeOffset>());
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

    private static string AddressKey(string address) => "\n" + address;
}
