using System.Threading.Channels;

namespace Ferry.Server.Jobs;

/// <summary>
/// Wakes this process's idle job worker when a job is queued here (<c>ferry serve --worker</c>), so that the job starts
/// at once instead of at the worker's next poll (<see cref="FerryServerOptions.WorkerPollInterval"/>, 2 s by default).
/// Workers in other processes still find the job by polling: the queue is the database, this is only a shortcut.
/// </summary>
internal sealed class JobWakeUp
{
    // One pending signal at most: notifications while one is pending are the same wake-up (the worker claims every
    // queued job before it waits again).
    private readonly Channel<bool> _queued = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>A job was queued: an idle worker waiting in <see cref="WaitAsync"/> claims it now.</summary>
    public void Notify() => _queued.Writer.TryWrite(true);

    /// <summary>Waits until a job is queued in this process or <paramref name="interval"/> has passed.</summary>
    public async Task WaitAsync(TimeSpan interval, TimeProvider time, CancellationToken cancellationToken)
    {
        if (_queued.Reader.TryRead(out _))
        {
            return;
        }

        using var poll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(interval, time, poll.Token);
        var signal = _queued.Reader.WaitToReadAsync(poll.Token).AsTask();
        await Task.WhenAny(delay, signal);
        await poll.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        _queued.Reader.TryRead(out _);
    }
}
