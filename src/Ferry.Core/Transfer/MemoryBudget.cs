namespace Ferry.Core.Transfer;

/// <summary>
/// Bounds the bytes held in request buffers at once. A request larger than the whole budget is
/// let through alone (it waits until nothing else is held), so it can never deadlock.
/// </summary>
public sealed class MemoryBudget
{
    private readonly long _capacity;
    private readonly Lock _lock = new();
    private readonly LinkedList<(long Bytes, TaskCompletionSource Signal)> _waiters = new();
    private long _held;

    public MemoryBudget(long capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityBytes, 1);
        _capacity = capacityBytes;
    }

    public long Held => Interlocked.Read(ref _held);

    /// <summary>Waits until <paramref name="bytes"/> fit, in arrival order, and holds them until <see cref="Release"/>.</summary>
    public async Task AcquireAsync(long bytes, CancellationToken cancellationToken)
    {
        TaskCompletionSource signal;
        LinkedListNode<(long, TaskCompletionSource)> node;
        lock (_lock)
        {
            if (_waiters.Count == 0 && Fits(bytes))
            {
                _held += bytes;
                return;
            }

            signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiters.AddLast((bytes, signal));
        }

        await QueuedWaiter.WaitAsync(_lock, node, signal, cancellationToken).ConfigureAwait(false);
    }

    public void Release(long bytes)
    {
        lock (_lock)
        {
            _held -= bytes;
            while (_waiters.First is { } first && Fits(first.Value.Bytes))
            {
                _waiters.RemoveFirst();
                _held += first.Value.Bytes;
                first.Value.Signal.TrySetResult();
            }
        }
    }

    private bool Fits(long bytes) => _held == 0 || _held + bytes <= _capacity;
}
