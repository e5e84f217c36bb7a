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
    private readonly Task<CheckReport> _report;

    internal CheckFeed(ChannelWriter<SourceFile> writer, Task<CheckReport> report)
    {
        _writer = writer;
        _report = report;
    }

    /// <summary>Hands one file to the check. Once the check has failed this returns at once: the feeder is never held up by it.</summary>
    public async ValueTask AddAsync(SourceFile file, CancellationToken cancellationToken)
    {
        try
        {
            await _writer.WriteAsync(file, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // The check stopped on an error; CompleteAsync throws it.
        }
    }

    /// <summary>Ends the feed and waits for the report; throws what stopped the check, if anything did.</summary>
    public Task<CheckReport> CompleteAsync()
    {
        _writer.TryComplete();
        return _report;
    }

    /// <summary>Ends the feed and waits for the check's workers, whatever became of them.</summary>
    public async ValueTask DisposeAsync()
    {
        _writer.TryComplete();
        try
        {
            await _report.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Reported by CompleteAsync to a caller that asked; a caller that did not ask has already failed or stopped.
        }
    }
}
