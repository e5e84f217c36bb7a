namespace Ferry.Core.Journal;

/// <summary>A ranged download in progress: the object version it belongs to and where its bytes go.</summary>
public sealed record JournalPartialDownload(string Source, string Key, string? ETag, long Size, long ChunkSize, string TemporaryPath);
