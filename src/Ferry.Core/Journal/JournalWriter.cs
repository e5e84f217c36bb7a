using System.Threading.Channels;

namespace Ferry.Core.Journal;

/// <summary>
/// Funnels journal writes from many workers into one background task that commits them in
/// batches (one transaction per batch), so that recording 300,000 files costs seconds, not minutes.
/// What was posted but not yet committed when the process dies is simply re-checked on the next run.
/// </summary>
public sealed class JournalWriter : IAsyncDisposable
{
    private const int BatchSize = 2000;

    private readonly TransferJournal _journal;
    private readonly Channel<object> _queue = Channel.CreateBounded<object>(new BoundedChannelOptions(4096) { SingleReader = true });
    private readonly Task _pump;

    public JournalWriter(TransferJournal journal)
    {
        _journal = journal;
        _pump = Task.Run(PumpAsync);
    }

    public ValueTask PostAsync(JournalObject verified, CancellationToken cancellationToken) => _queue.Writer.WriteAsync(verified, cancellationToken);

    public ValueTask PostAsync(SessionFileRecord record, CancellationToken cancellationToken) => _queue.Writer.WriteAsync(record, cancellationToken);

    public ValueTask PostAsync(JournalDownload download, CancellationToken cancellationToken) => _queue.Writer.WriteAsync(download, cancellationToken);

    /// <summary>Commits everything posted so far and stops.</summary>
    public async Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        await _pump.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await CompleteAsync().ConfigureAwait(false);

    private async Task PumpAsync()
    {
        var objects = new List<JournalObject>();
        var files = new List<SessionFileRecord>();
        var downloads = new List<JournalDownload>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (objects.Count + files.Count + downloads.Count < BatchSize && _queue.Reader.TryRead(out var item))
            {
                switch (item)
                {
                    case JournalObject o:
                        objects.Add(o);
                        break;
                    case JournalDownload d:
                        downloads.Add(d);
                        break;
                    default:
                        files.Add((SessionFileRecord)item);
                        break;
                }
            }

            _journal.SaveDownloads(downloads);
            _journal.WriteBatch(objects, files);
            objects.Clear();
            files.Clear();
            downloads.Clear();
        }
    }
}
