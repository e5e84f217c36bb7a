namespace Ferry.Core.Journal;

/// <summary>The counters of a session.</summary>
public sealed record SessionCounts(
    long FilesTotal,
    long FilesUploaded,
    long FilesPresent,
    long FilesSkipped,
    long FilesFailed,
    long FilesMoved,
    long BytesTotal,
    long BytesUploaded,
    long Retries,
    long DurationMs);
