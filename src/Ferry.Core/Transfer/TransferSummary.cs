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
