using System.Collections.Concurrent;

namespace Ferry.Server.Camtrap;

/// <summary>
/// One running Camtrap DP export per company (per server process, like the other in-memory limits): from the moment
/// the package is built until its zip has been sent (or the client went away), since each export writes a zip to the
/// temp directory. A second export of the company in that time is refused with 409.
/// </summary>
internal sealed class CamtrapExportGate
{
    private readonly ConcurrentDictionary<long, byte> _running = new();

    /// <summary>A lease to dispose when the company's export is over, or null when one is running.</summary>
    public IDisposable? TryEnter(long companyId) => _running.TryAdd(companyId, 0) ? new Lease(this, companyId) : null;

    private sealed class Lease(CamtrapExportGate gate, long companyId) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate._running.TryRemove(companyId, out _);
            }
        }
    }
}
