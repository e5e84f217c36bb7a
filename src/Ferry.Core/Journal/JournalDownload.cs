namespace Ferry.Core.Journal;

/// <summary>The last verified download of one object: the object as listed and the local file it became.</summary>
public sealed record JournalDownload(
    string Source,
    string Key,
    string? ETag,
    long Size,
    string LocalPath,
    long MtimeTicks,
    string? Sha256,
    DateTimeOffset VerifiedAt);
