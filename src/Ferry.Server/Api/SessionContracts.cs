using Ferry.Server.Checks;

namespace Ferry.Server.Api;

/// <param name="Checks">What the client's checks found before the upload, per sensor folder (up to 1,000), stored with the session and shown on its page.</param>
internal sealed record CreateSessionRequest(long? ProjectId, long? CycleId, string? LocalDirectory = null, string? Label = null, string? Client = null, List<SensorFolderCheck>? Checks = null);


internal sealed record SessionResponse(
    long Id, long ProjectId, long CycleId, long UserId, string? Label, string? LocalDirectory, string Client, string Status,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, long TotalFiles, long UploadedFiles, long SkippedFiles, long FailedFiles,
    long PendingFiles, long TotalBytes, long UploadedBytes, long SkippedBytes, double BytesPerSecond, double? EtaSeconds, string Bucket, string Prefix)
{
    /// <summary>
    /// The session as clients see it. The rate is uploaded bytes over the time from the first verified upload to the
    /// last activity; the ETA divides the bytes still to go by it (null until there is a rate).
    /// </summary>
    public static SessionResponse From(UploadSession s, string bucket, string prefix)
    {
        var seconds = s.FirstUploadAt is { } first ? (s.LastActivityAt - first).TotalSeconds : 0;
        var rate = seconds > 0.5 ? s.UploadedBytes / seconds : 0;
        var remaining = Math.Max(0, s.TotalBytes - s.UploadedBytes - s.SkippedBytes);
        double? eta = rate > 0 ? remaining / rate : remaining == 0 && s.TotalFiles > 0 ? 0 : null;
        return new SessionResponse(s.Id, s.ProjectId, s.CycleId, s.UserId, s.Label, s.LocalDirectory, s.Client, s.Status, s.StartedAt, s.FinishedAt,
            s.TotalFiles, s.UploadedFiles, s.SkippedFiles, s.FailedFiles, Math.Max(0, s.TotalFiles - s.UploadedFiles - s.SkippedFiles - s.FailedFiles),
            s.TotalBytes, s.UploadedBytes, s.SkippedBytes, Math.Round(rate, 1), eta is { } e ? Math.Round(e, 1) : null, bucket, prefix);
    }
}

/// <param name="SkipDuplicates">Files given with a sha256 whose bytes the project already holds under another key are not to be uploaded: they come back <c>duplicate</c>.</param>
internal sealed record RegisterFilesRequest(FileEntryList? Files, bool? SkipDuplicates = null);

/// <param name="Sha256">Optional SHA-256 of the file (64 hex digits): looked up in the project's content index (duplicates by content).</param>
internal sealed record FileEntry(string? Path, long? Size, DateTimeOffset? LastModified = null, string? Sha256 = null);

internal sealed record RegisterFilesResponse(List<RegisteredFileResponse> Files);

/// <param name="Status">pending (upload it), uploaded (already verified at this key) or duplicate (not to be uploaded: the project holds the bytes under <paramref name="DuplicateOf"/>).</param>
/// <param name="DuplicateOf">The key under which the project already holds this file's bytes; null when none is known.</param>
internal sealed record RegisteredFileResponse(string Path, string Key, string Status, string? Etag, string? Checksum, string? DuplicateOf = null);

internal sealed record PresignRequest(PathList? Paths, string? Method = null);

internal sealed record PresignResponse(List<PresignedUpload> Uploads);

internal sealed record PresignedUpload(string Path, string Key, string Method, string Url, IReadOnlyDictionary<string, string> Headers, DateTimeOffset ExpiresAt, Dictionary<string, string>? Fields);

internal sealed record CompleteFilesRequest(CompletedFileList? Files);

internal sealed record CompletedFile(string? Path, string? Etag = null, string? Md5 = null, string? Sha256 = null);

internal sealed record CompleteFilesResponse(List<CompletedFileResult> Files);

internal sealed record CompletedFileResult(string Path, string Status, string? Error, string? Etag);

internal sealed record SessionFileResponse(long Id, string Path, string Key, long Size, DateTimeOffset? LastModified, string Status, string? Etag,
    string? Checksum, int Attempts, string? LastError, DateTimeOffset RegisteredAt, DateTimeOffset UpdatedAt, DateTimeOffset? UploadedAt, string? DuplicateOf = null);

internal sealed record SessionFilesPage(List<SessionFileResponse> Files, long? NextAfter);
