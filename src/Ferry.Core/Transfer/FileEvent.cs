namespace Ferry.Core.Transfer;

/// <summary>Something that happened to one file; <see cref="Outcome"/> is one of <see cref="Journal.FileOutcomes"/> or <see cref="WouldUpload"/>.</summary>
public sealed record FileEvent(string Outcome, string Path, string? Key, long Size, string? Sha256, string? ETag, string? Reason, DateTimeOffset At)
{
    /// <summary>The outcome reported by a dry run for a file that a real run would upload.</summary>
    public const string WouldUpload = "would_upload";

    /// <summary>The outcome reported by a dry run for an object that a real download would fetch.</summary>
    public const string WouldDownload = "would_download";
}
