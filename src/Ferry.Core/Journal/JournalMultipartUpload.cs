namespace Ferry.Core.Journal;

/// <summary>A multipart upload Ferry started and has not completed, with what the file looked like then.</summary>
public sealed record JournalMultipartUpload(
    string Destination,
    string Key,
    string UploadId,
    long Size,
    long MtimeTicks,
    long PartSize,
    string Sha256);
