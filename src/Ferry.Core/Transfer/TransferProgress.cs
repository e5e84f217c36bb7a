namespace Ferry.Core.Transfer;

/// <summary>
/// Live counters of a run, updated by the engine with atomic increments and sampled by displays
/// (terminal, plain log lines, NDJSON, the web UI). Reading never blocks the engine.
/// </summary>
public sealed class TransferProgress
{
    private long _filesFound;
    private long _bytesFound;
    private long _filesTransferred;
    private long _filesPresent;
    private long _filesSkipped;
    private long _filesFailed;
    private long _filesMoved;
    private long _bytesSent;
    private long _bytesDone;
    private long _retries;
    private int _scanComplete;
    private int _concurrencyLimit;
    private int _concurrencyBackoffs;

    /// <summary>Requests the run allows in flight right now (adaptive concurrency moves it); 0 before the run starts.</summary>
    public int ConcurrencyLimit => Volatile.Read(ref _concurrencyLimit);

    /// <summary>How often congestion (SlowDown, timeouts, resets) made the run lower <see cref="ConcurrencyLimit"/>.</summary>
    public int ConcurrencyBackoffs => Volatile.Read(ref _concurrencyBackoffs);

    public void SetConcurrency(int limit, int backoffs)
    {
        Volatile.Write(ref _concurrencyLimit, limit);
        Volatile.Write(ref _concurrencyBackoffs, backoffs);
    }

    public void AddFound(long bytes)
    {
        Interlocked.Increment(ref _filesFound);
        Interlocked.Add(ref _bytesFound, bytes);
    }

    public void MarkScanComplete() => Volatile.Write(ref _scanComplete, 1);

    /// <summary>Bytes that reached the store (counted per request body, so partial progress of large files shows).</summary>
    public void AddBytesSent(long bytes) => Interlocked.Add(ref _bytesSent, bytes);

    public void AddTransferred(long bytes)
    {
        Interlocked.Increment(ref _filesTransferred);
        Interlocked.Add(ref _bytesDone, bytes);
    }

    public void AddPresent(long bytes)
    {
        Interlocked.Increment(ref _filesPresent);
        Interlocked.Add(ref _bytesDone, bytes);
    }

    public void AddSkipped() => Interlocked.Increment(ref _filesSkipped);

    public void AddFailed(long bytes)
    {
        Interlocked.Increment(ref _filesFailed);
        Interlocked.Add(ref _bytesDone, bytes);
    }

    public void AddMoved() => Interlocked.Increment(ref _filesMoved);

    public void AddRetry() => Interlocked.Increment(ref _retries);

    public TransferSnapshot Snapshot() => new(
        Interlocked.Read(ref _filesFound),
        Interlocked.Read(ref _bytesFound),
        Volatile.Read(ref _scanComplete) == 1,
        Interlocked.Read(ref _filesTransferred),
        Interlocked.Read(ref _filesPresent),
        Interlocked.Read(ref _filesSkipped),
        Interlocked.Read(ref _filesFailed),
        Interlocked.Read(ref _filesMoved),
        Interlocked.Read(ref _bytesSent),
        Interlocked.Read(ref _bytesDone),
        Interlocked.Read(ref _retries));
}
