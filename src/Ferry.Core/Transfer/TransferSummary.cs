using Ferry.Core.Storage;

namespace Ferry.Core.Transfer;

/// <summary>What an upload or download run did, for people and for scripts.</summary>
public sealed record TransferSummary(
    long SessionId,
    TransferOutcome Outcome,
    string? Message,
    TransferSnapshot Counts,
    TimeSpan Duration,
    IReadOnlyList<FileEvent> Failures,
    IReadOnlyDictionary<string, long> SkippedReasons)
{
    /// <summary>The most failures kept in memory for the summary; all of them are in the journal.</summary>
    public const int MaximumFailuresListed = 1000;

    /// <summary>
    /// Ends a run: decides the outcome from how it stopped and what failed, records the session's
    /// counts in <paramref name="journal"/> (when given) and builds the summary.
    /// </summary>
    internal static TransferSummary Conclude(long sessionId, StoreException? fatal, string? message, bool interrupted, TransferSnapshot snapshot, TimeSpan duration,
        IReadOnlyList<FileEvent> failures, IReadOnlyDictionary<string, long> skippedReasons, Journal.TransferJournal? journal, DateTimeOffset now)
    {
        var outcome = fatal is not null ? TransferOutcome.Aborted
            : interrupted ? TransferOutcome.Interrupted
            : snapshot.FilesFailed > 0 ? TransferOutcome.CompletedWithFailures
            : TransferOutcome.Completed;
        if (outcome == TransferOutcome.CompletedWithFailures)
        {
            message = $"{snapshot.FilesFailed} file(s) failed; run the same command again to retry them";
        }

        journal?.FinishSession(sessionId, OutcomeName(outcome), message, new Journal.SessionCounts(snapshot.FilesFound, snapshot.FilesTransferred, snapshot.FilesPresent,
            snapshot.FilesSkipped, snapshot.FilesFailed, snapshot.FilesMoved, snapshot.BytesFound, snapshot.BytesSent, snapshot.Retries, (long)duration.TotalMilliseconds), now);
        return new TransferSummary(sessionId, outcome, message, snapshot, duration, failures, skippedReasons);
    }

    /// <summary>The outcome as the journal's <c>sessions.outcome</c> spells it.</summary>
    public static string OutcomeName(TransferOutcome outcome) => outcome switch
    {
        TransferOutcome.Completed => "completed",
        TransferOutcome.CompletedWithFailures => "completed_with_failures",
        TransferOutcome.Aborted => "aborted",
        _ => "interrupted",
    };

    /// <summary>Bytes moved per second over the run.</summary>
    public double BytesPerSecond => Duration.TotalSeconds > 0 ? Counts.BytesSent / Duration.TotalSeconds : 0;
}
