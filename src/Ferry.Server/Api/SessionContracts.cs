namespace Ferry.Server.Api;

internal sealed record CreateSessionRequest(long? ProjectId, long? CycleId, string? LocalDirectory = null, string? Label = null, string? Client = null);

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

internal sealed record RegisterFilesRequest(FileEntryList? Files);

internal sealed record FileEntry(string? Path, long? Size, DateTimeOffset? LastModified = null, FileCaptureEntry? Capture = null);

/// <summary>
/// What a media file's headers say about its capture (optional; the CLI and server jobs send it, the browser does not):
/// captured_at is the device's wall-clock time (yyyy-MM-ddTHH:mm:ss, no zone), utc_offset_minutes its offset when the
/// file says it; texts up to 200 characters, exif up to 40 tags and 2,048 characters of names and values.
/// </summary>
internal sealed record FileCaptureEntry(string? CapturedAt, int? UtcOffsetMinutes = null, string? MediaType = null, string? Make = null,
    string? Model = null, string? Serial = null, Dictionary<string, string>? Exif = null);

internal sealed record RegisterFilesResponse(List<RegisteredFileResponse> Files);

internal sealed record RegisteredFileResponse(string Path, string Key, string Status, string? Etag, string? Checksum);

internal sealed record PresignRequest(PathList? Paths, string? Method = null);

internal sealed record PresignResponse(List<PresignedUpload> Uploads);

internal sealed record PresignedUpload(string Path, string Key, string Method, string Url, IReadOnlyDictionary<string, string> Headers, DateTimeOffset ExpiresAt, Dictionary<string, string>? Fields);

internal sealed record CompleteFilesRequest(CompletedFileList? Files);

internal sealed record CompletedFile(string? Path, string? Etag = null, string? Md5 = null, string? Sha256 = null);

internal sealed record CompleteFilesResponse(List<CompletedFileResult> Files);

internal sealed record CompletedFileResult(string Path, string Status, string? Error, string? Etag);

internal sealed record SessionFileResponse(long Id, string Path, string Key, long Size, DateTimeOffset? LastModified, string Status, string? Etag,
    string? Checksum, int Attempts, string? LastError, DateTimeOffset RegisteredAt, DateTimeOffset UpdatedAt, DateTimeOffset? UploadedAt);

internal sealed record SessionFilesPage(List<SessionFileResponse> Files, long? NextAfter);
