namespace Ferry.Core.Journal;

/// <summary>The last verified upload of one object: the local file it came from and what the store reported.</summary>
public sealed record JournalObject(
    string Destination,
    string Key,
    string SourcePath,
    long Size,
    long MtimeTicks,
    string Sha256,
    string? Md5,
    string? ETag,
    DateTimeOffset VerifiedAt);
