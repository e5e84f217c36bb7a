namespace Ferry.Core.Journal;

/// <summary>One run as the journal keeps it.</summary>
public sealed record SessionRecord(
    long Id,
    string Command,
    string Source,
    string Destination,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    string Outcome,
    string? Message,
    SessionCounts Counts);
