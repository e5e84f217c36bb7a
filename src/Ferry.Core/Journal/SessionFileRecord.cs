namespace Ferry.Core.Journal;

/// <summary>What happened to one file in one session.</summary>
/// <param name="Outcome">One of <see cref="FileOutcomes"/>.</param>
public sealed record SessionFileRecord(
    long SessionId,
    string Path,
    string? Key,
    long? Size,
    string? Sha256,
    string? ETag,
    string Outcome,
    string? Reason,
    DateTimeOffset At);
