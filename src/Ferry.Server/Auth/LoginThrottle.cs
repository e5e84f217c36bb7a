namespace Ferry.Server.Auth;

/// <summary>
/// Counts failed logins (and failed password changes) per (user name, client address) over a sliding window; once the
/// limit is reached, further attempts are refused until the oldest failure leaves the window. One address trying many
/// user names meets a second limit, ten times higher, on the address alone. In memory: a restart forgets.
/// Memory is bounded: keys whose failures all left the window are dropped, and at most
/// <see cref="FerryServerOptions.LoginTrackedKeys"/> keys are kept — past that, the key whose last failure is oldest
/// goes first (an address hammering many names keeps its own key fresh, so its limit holds).
/// </summary>
internal sealed class LoginThrottle(FerryServerOptions options, TimeProvider time)
{
    private sealed class Entry(string key)
    {
        public Queue<DateTimeOffset> Failures { get; } = new();

        /// <summary>This entry's place in the order of last failures.</summary>
        public LinkedListNode<string> Node { get; } = new(key);
    }

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Keys by their last failure, oldest first.</summary>
    private readonly LinkedList<string> _byLastFailure = new();

    /// <summary>How many keys are tracked now (at most <see cref="FerryServerOptions.LoginTrackedKeys"/>).</summary>
    public int TrackedKeys
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>How long the caller must wait before trying again; null when an attempt is allowed now.</summary>
    public TimeSpan? RetryAfter(string username, string address)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            return Wait(Key(username, address), options.LoginAttempts, now) ?? Wait(AddressKey(address), options.LoginAttempts * 10, now);
        }
    }

    public void RecordFailure(string username, string address)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            EvictExpired(now);
            Record(Key(username, address), now);
            Record(AddressKey(address), now);
        }
    }

    public void RecordSuccess(string username, string address)
    {
        lock (_lock)
        {
            if (_entries.Remove(Key(username, address), out var entry))
            {
                _byLastFailure.Remove(entry.Node);
            }
        }
    }

    private TimeSpan? Wait(string key, int limit, DateTimeOffset now)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        Trim(entry.Failures, now);
        return entry.Failures.Count >= limit ? entry.Failures.Peek() + options.LoginWindow - now : null;
    }

    private void Record(string key, DateTimeOffset now)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            _byLastFailure.Remove(entry.Node);
        }
        else
        {
            while (_entries.Count >= options.LoginTrackedKeys && _byLastFailure.First is { } oldest)
            {
                _entries.Remove(oldest.Value);
                _byLastFailure.RemoveFirst();
            }

            entry = new Entry(key);
            _entries[key] = entry;
        }

        Trim(entry.Failures, now);
        entry.Failures.Enqueue(now);
        _byLastFailure.AddLast(entry.Node);
    }

    /// <summary>Drops keys whose last failure left the window (they are at the front of the order).</summary>
    private void EvictExpired(DateTimeOffset now)
    {
        while (_byLastFailure.First is { } oldest && _entries[oldest.Value].Failures.LastOrDefault() + options.LoginWindow <= now)
        {
            _entries.Remove(oldest.Value);
            _byLastFailure.RemoveFirst();
        }
    }

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
