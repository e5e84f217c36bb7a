namespace Ferry.Client.Contracts;

// The session protocol's shapes (docs/api.md): register → presign → upload → complete → finish. JSON names are the
// properties in snake_case; the browser's TypeScript types are generated from the OpenAPI document these produce.

/// <summary>The body of <c>POST /api/sessions</c>.</summary>
/// <param name="Checks">What the client's checks found before the upload, per sensor folder (up to 1,000), stored with the session and shown on its page.</param>
public sealed record CreateSessionRequest(long? ProjectId, long? CycleId, string? LocalDirectory = null, string? Label = null, string? Client = null, List<SensorFolderCheck>? Checks = null);

/// <summary>A session with its counters, rate (bytes per second) and ETA (seconds; null until there is a rate).</summary>
public sealed record SessionResponse(
    long Id, long ProjectId, long CycleId, long UserId, string? Label, string? LocalDirectory, string Client, string Status,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, long TotalFiles, long UploadedFiles, long SkippedFiles, long FailedFiles,
    long PendingFiles, long TotalBytes, long UploadedBytes, long SkippedBytes, double BytesPerSecond, double? EtaSeconds, string Bucket, string Prefix);

/// <summary>The body of <c>POST /api/sessions/{id}/files</c>.</summary>
/// <param name="SkipDuplicates">Files given with a sha256 whose bytes the project already holds under another key are not to be uploaded: they come back <c>duplicate</c>.</param>
public sealed record RegisterFilesRequest(FileEntryList? Files, bool? SkipDuplicates = null);

/// <summary>One file to register: its path relative to the session's folder, its size and modification time, and what its headers say about its capture.</summary>
/// <param name="Sha256">Optional SHA-256 of the file (64 hex digits): looked up in the project's content index (duplicates by content).</param>
public sealed record FileEntry(string? Path, long? Size, DateTimeOffset? LastModified = null, FileCaptureEntry? Capture = null, string? Sha256 = null);

/// <summary>
/// What a media file's headers say about its capture (optional; the CLI, server jobs and the upload page send it):
/// captured_at is the device's wall-clock time (yyyy-MM-ddTHH:mm:ss, no zone), utc_offset_minutes its offset when the
/// file says it; texts up to 200 characters, exif up to 40 tags and 2,048 characters of names and values.
/// </summary>
public sealed record FileCaptureEntry(string? CapturedAt, int? UtcOffsetMinutes = null, string? MediaType = null, string? Make = null,
    string? Model = null, string? Serial = null, Dictionary<string, string>? Exif = null);

public sealed record RegisterFilesResponse(List<RegisteredFileResponse> Files);

/// <summary>A registered file: <c>pending</c> (upload it) or <c>uploaded</c> (already verified), with its key.</summary>
/// <param name="Status">pending (upload it), uploaded (already verified at this key) or duplicate (not to be uploaded: the project holds the bytes under <paramref name="DuplicateOf"/>).</param>
/// <param name="DuplicateOf">The key under which the project already holds this file's bytes; null when none is known.</param>
public sealed record RegisteredFileResponse(string Path, string Key, string Status, string? Etag, string? Checksum, string? DuplicateOf = null);

/// <summary>The body of <c>POST /api/sessions/{id}/presign</c>; method PUT (default) or POST (browser form upload).</summary>
public sealed record PresignRequest(PathList? Paths, string? Method = null);

public sealed record PresignResponse(List<PresignedUpload> Uploads);

/// <summary>One presigned upload: the URL, the headers to send with it, and (POST) the form fields.</summary>
public sealed record PresignedUpload(string Path, string Key, string Method, string Url, IReadOnlyDictionary<string, string> Headers, DateTimeOffset ExpiresAt, Dictionary<string, string>? Fields);

/// <summary>The body of <c>POST /api/sessions/{id}/complete</c>.</summary>
public sealed record CompleteFilesRequest(CompletedFileList? Files);

/// <summary>One upload to check: the path, and what the client knows of the object (ETag, hex MD5, hex SHA-256).</summary>
public sealed record CompletedFile(string? Path, string? Etag = null, string? Md5 = null, string? Sha256 = null);

public sealed record CompleteFilesResponse(List<CompletedFileResult> Files);

/// <summary>
/// The first field of <c>POST /api/sessions/{id}/relay</c> (a multipart form), named <c>files</c>: the registered paths
/// whose bytes follow, one file field each, in this order.
/// </summary>
public sealed record RelayRequest(RelayedFileList? Files);

/// <summary>One relayed file: its registered path and, optionally, the SHA-256 the client computed (hex), which the server checks.</summary>
public sealed record RelayedFile(string? Path, string? Sha256 = null);

/// <summary>The server's verdict on one reported upload: <c>uploaded</c>, or <c>failed</c> with the reason.</summary>
public sealed record CompletedFileResult(string Path, string Status, string? Error, string? Etag);

public sealed record SessionFileResponse(long Id, string Path, string Key, long Size, DateTimeOffset? LastModified, string Status, string? Etag,
    string? Checksum, int Attempts, string? LastError, DateTimeOffset RegisteredAt, DateTimeOffset UpdatedAt, DateTimeOffset? UploadedAt, string? DuplicateOf = null);

public sealed record SessionFilesPage(List<SessionFileResponse> Files, long? NextAfter);
