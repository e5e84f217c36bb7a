using System.Threading.Channels;
using Ferry.Core.Transfer;

namespace Ferry.Core.Checks;

/// <summary>
/// A check (<see cref="CheckRunner.Start"/>) fed by a scan someone else runs: <c>ferry upload --check warn</c> hands it
/// every file its upload sends or compares, so the source is walked once, not once for the check and again for the
/// upload. Files are inspected as they arrive, through a bounded queue (a full queue makes the feeder wait);
/// <see cref="CompleteAsync"/> ends the feed and returns the report.
/// </summary>
public sealed class CheckFeed : IAsyncDisposable
{
    private readonly ChannelWriter<SourceFile> _writer;
    private readonly CancellationTokenSource _stop;
    private readonly Task<CheckReport> _report;
    private readonly CancellationTokenRegistration _stopped;
    private bool _completed;
    private int _disposed;

    /// <param name="stop">Cancels the check's workers (linked to the caller's token); the feed disposes it.</param>
    internal CheckFeed(ChannelWriter<SourceFile> writer, CancellationTokenSource stop, Task<CheckReport> report)
    {
        _writer = writer;
        _stop = stop;
        _report = report;
        // A cancelled check reads no more, even where a worker never started: its feeder's writes end at once.
        _stopped = stop.Token.UnsafeRegister(_ => writer.TryComplete(), null);
    }

    /// <summary>Hands one file to the check. Once the check has failed or been stopped this returns at once: the feeder is never held up by a dead check.</summary>
    public async ValueTask AddAsync(SourceFile file, CancellationToken cancellationToken)
    {
        try
        {
            await _writer.WriteAsync(file, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // The check stopped on an error (CompleteAsync throws it) or was stopped.
        }
    }

    /// <summary>Ends the feed and waits for the report; throws what stopped the check, if anything did.</summary>
    public Task<CheckReport> CompleteAsync()
    {
        _completed = true;
        _writer.TryComplete();
        return _report;
    }

    /// <summary>Stops the check without its report (the upload it followed did not finish) and waits for its workers.</summary>
    public async Task StopAsync() => await DisposeAsync().ConfigureAwait(false);

    /// <summary>
    /// Ends the feed and waits for the check's workers, whatever became of them; a check nobody asked to complete (its
    /// upload threw) is cancelled first, so disposing it does not wait for its queued files and sidecar checksums.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _writer.TryComplete();
        if (!_completed)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await _report.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Reported by CompleteAsync to a caller that asked; a caller that did not ask has already failed or stopped.
        }

        await _stopped.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
