using System.Collections.Concurrent;

namespace Ferry.Server.Sessions;

/// <summary>
/// Counts the open server-sent event streams of each user in this server process, so one user cannot hold more than
/// <see cref="FerryServerOptions.EventStreamsPerUser"/> connections (and their database polls) open at once.
/// </summary>
internal sealed class EventStreamLimiter(FerryServerOptions options)
{
    private readonly ConcurrentDictionary<long, int> _open = new();

    /// <summary>The user's streams open now.</summary>
    public int OpenFor(long userId) => _open.GetValueOrDefault(userId);

    /// <summary>A lease on one more stream for <paramref name="userId"/>, released when disposed; null when the user is at the cap.</summary>
    public IDisposable? TryOpen(long userId)
    {
        while (true)
        {
            var open = _open.GetOrAdd(userId, 0);
            if (open >= options.EventStreamsPerUser)
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

    private sealed class Lease(EventStreamLimiter limiter, long userId) : IDisposable
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
