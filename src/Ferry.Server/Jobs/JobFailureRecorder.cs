using System.Threading.Channels;
using Ferry.Core.Journal;
using Ferry.Core.Transfer;
using Ferry.Server.Sessions;

namespace Ferry.Server.Jobs;

/// <summary>
/// Records the files a job's engine gave up on (read errors, retries exhausted) as failed in the job's session, with
/// the reason, in batches off the engine's threads; and counts the engine's retries. Verified uploads reach the
/// session through the session store itself (<see cref="Ferry.Client.Sessions.SessionObjectStore"/>), not through here.
/// </summary>
internal sealed class JobFailureRecorder(IServiceScopeFactory scopes, long sessionId, Observability.FerryMetrics metrics) : ITransferObserver
{
    private const int Batch = 200;

    private readonly Channel<FileEvent> _failures = Channel.CreateUnbounded<FileEvent>(new UnboundedChannelOptions { SingleReader = true });

    public void OnFileEvent(FileEvent fileEvent)
    {
        if (fileEvent.Outcome == FileOutcomes.Failed)
        {
            _failures.Writer.TryWrite(fileEvent);
        }
    }

    public void OnRetry(string reason) => metrics.CountRetry(reason);

    /// <summary>No more events: <see cref="RunAsync"/> ends once it has written what it holds.</summary>
    public void Complete() => _failures.Writer.TryComplete();

    /// <summary>Writes the failures as they come, until <see cref="Complete"/>; even while the run is being cancelled, since they are true.</summary>
    public async Task RunAsync()
    {
        var batch = new List<FileEvent>(Batch);
        while (await _failures.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < Batch && _failures.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            await using var scope = scopes.CreateAsyncScope();
            var files = scope.ServiceProvider.GetRequiredService<SessionFileService>();
            var byPath = await files.FindAsync(sessionId, batch.Select(e => e.Path).Distinct(StringComparer.Ordinal).ToList(), CancellationToken.None);
            var failed = batch.Where(e => byPath.ContainsKey(e.Path)).Select(e => (byPath[e.Path], e.Reason ?? "failed")).ToList();
            if (failed.Count > 0)
            {
                await files.RecordFailuresAsync(sessionId, failed, CancellationToken.None);
            }

            batch.Clear();
        }
    }
}
