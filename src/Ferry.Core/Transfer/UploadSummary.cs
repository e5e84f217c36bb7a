namespace Ferry.Core.Transfer;

/// <summary>What a run did, for people and for scripts.</summary>
public sealed record UploadSummary(
    long SessionId,
    UploadOutcome Outcome,
    string? Message,
    TransferSnapshot Counts,
    TimeSpan Duration,
    IReadOnlyList<FileEvent> Failures,
    IReadOnlyDictionary<string, long> SkippedReasons)
{
    /// <summary>The most failures kept in memory for the summary; all of them are in the journal.</summary>
    public const int MaximumFailuresListed = 1000;

    /// <summary>Bytes sent per second over the run.</summary>
    public double BytesPerSecond => Duration.TotalSeconds > 0 ? Counts.BytesSent / Duration.TotalSeconds : 0;
}
