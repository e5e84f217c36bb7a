using System.Threading.Channels;
using Ferry.Core.Storage;

namespace Ferry.Core.Transfer;

/// <summary>
/// Holds verified files until one flush of the destination covers them (<see cref="IDurabilityBarrier"/>), then hands
/// them on in the order they came, a batch at a time: the upload journals a file and removes its source only after its
/// copy would survive a power cut, and a local folder pays one syncfs per batch instead of one fsync per file.
/// A batch closes at <see cref="MaximumBatch"/> files or <see cref="MaximumWait"/> after its first, so workers never wait for it.
/// </summary>
/// <typeparam name="T">What is held per file.</typeparam>
internal sealed class DurabilityBatcher<T>
{
    /// <summary>The most files one flush covers.</summary>
    public const int MaximumBatch = 2048;

    /// <summary>How long a batch stays open after its first file.</summary>
    public static readonly TimeSpan MaximumWait = TimeSpan.FromMilliseconds(500);

    private readonly Channel<T> _pending = Channel.CreateBounded<T>(new BoundedChannelOptions(2 * MaximumBatch) { SingleReader = true });
    private readonly IDurabilityBarrier _barrier;
    private readonly Func<IReadOnlyList<T>, Exception?, Task> _finish;
    private readonly Task _pump;

    /// <param name="barrier">The destination's flush.</param>
    /// <param name="finish">
    /// Called once per batch after the flush, with the flush's failure when it failed (the batch is then not durable);
    /// it must not throw: a throw ends the batcher, and later adds fail.
    /// </param>
    public DurabilityBatcher(IDurabilityBarrier barrier, Func<IReadOnlyList<T>, Exception?, Task> finish)
    {
        _barrier = barrier;
        _finish = finish;
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Queues a file whose write has returned; waits only when <c>2 × MaximumBatch</c> are already waiting.</summary>
    public ValueTask AddAsync(T item, CancellationToken cancellationToken) => _pending.Writer.WriteAsync(item, cancellationToken);

    /// <summary>Flushes and hands on what is still held, then stops; rethrows a failure of the hand-on.</summary>
    public async Task CompleteAsync()
    {
        _pending.Writer.TryComplete();
        await _pump.ConfigureAwait(false);
    }

    private async Task PumpAsync()
    {
        var batch = new List<T>(MaximumBatch);
        try
        {
            while (await _pending.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                await GatherAsync(batch).ConfigureAwait(false);
                Exception? failure = null;
                try
                {
                    await _barrier.MakeDurableAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    failure = ex; // whatever it was, the batch is not known to be durable
                }

                await _finish(batch, failure).ConfigureAwait(false);
                batch.Clear();
            }
        }
        catch (Exception ex)
        {
            // Nothing more can be finished: make further adds fail instead of waiting on a full queue forever.
            _pending.Writer.TryComplete(ex);
            throw;
        }
    }

    /// <summary>Fills the batch until it is full, the window closes or no more files will come.</summary>
    private async Task GatherAsync(List<T> batch)
    {
        using var window = new CancellationTokenSource(MaximumWait);
        try
        {
            while (batch.Count < MaximumBatch)
            {
                if (_pending.Reader.TryRead(out var item))
                {
                    batch.Add(item);
                }
                else if (!await _pending.Reader.WaitToReadAsync(window.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (window.IsCancellationRequested)
        {
            // The window closed: flush what came.
        }
    }
}
