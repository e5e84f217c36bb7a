using System.Collections.Concurrent;

namespace Ferry.Server.Sessions;

/// <summary>
/// Counts what each user holds open at once in this server process (streams, relay requests), so that one user cannot
/// hold more than <c>cap</c>: <see cref="EventStreamLimiter"/>, <see cref="RelayLimiter"/>.
/// </summary>
internal abstract class UserLeases(int cap)
{
    private readonly ConcurrentDictionary<long, int> _open = new();

    /// <summary>The user's leases open now.</summary>
    public int OpenFor(long userId) => _open.GetValueOrDefault(userId);

    /// <summary>A lease on one more for <paramref name="userId"/>, released when disposed; null when the user is at the cap.</summary>
    public IDisposable? TryOpen(long userId)
    {
        while (true)
        {
            var open = _open.GetOrAdd(userId, 0);
            if (open >= cap)
            {
                return null;
            }

            if (_open.TryUpdate(userId, open + 1, open))
            {
                return new Lease(this, userId);
            }
        }
    }

    private void Close(long userId)
    {
        while (true)
        {
            var open = _open.GetValueOrDefault(userId);
            if (open <= 1 ? _open.TryRemove(new KeyValuePair<long, int>(userId, open)) : _open.TryUpdate(userId, open - 1, open))
            {
                return;
            }
        }
    }

    private sealed class Lease(UserLeases limiter, long userId) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                limiter.Close(userId);
            }
        }
    }
}
