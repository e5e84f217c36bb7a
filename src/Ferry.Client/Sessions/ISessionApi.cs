using Ferry.Core.Checks;
using Ferry.Client.Contracts;

namespace Ferry.Client.Sessions;

/// <summary>
/// The session protocol's calls as a port (docs/architecture.md, "One session upload"): what <see cref="SessionUpload"/>
/// and <see cref="SessionObjectStore"/> need from a Ferry server. <see cref="FerryApiClient"/> implements it over HTTP.
/// A refusal is a <see cref="FerryApiException"/> carrying the HTTP status the API would answer (404 no such session,
/// 409 finished, 400 bad input), so every implementation fails the same way.
/// </summary>
public interface ISessionApi
{
    /// <summary>The server, for people and for the session store's identity.</summary>
    Uri Server { get; }

    Task<SessionResponse> CreateSessionAsync(long projectId, long cycleId, string localDirectory, CancellationToken cancellationToken);

    /// <summary>
    /// Starts a session with the client's check results per sensor folder (stored with it, shown on its page). An
    /// implementation that cannot carry them starts the session without them (this default).
    /// </summary>
    Task<SessionResponse> CreateSessionAsync(long projectId, long cycleId, string localDirectory, List<SensorFolderCheck>? checks, CancellationToken cancellationToken) =>
        CreateSessionAsync(projectId, cycleId, localDirectory, cancellationToken);

    Task<SessionResponse> SessionAsync(long sessionId, CancellationToken cancellationToken);

    /// <summary>Registers up to <see cref="ApiLimits.MaximumRegisterBatch"/> files; the answers come in the order given.</summary>
    Task<List<RegisteredFileResponse>> RegisterAsync(long sessionId, IEnumerable<(string Path, long Size, DateTimeOffset LastModified, FileCapture? Capture)> files, CancellationToken cancellationToken);

    /// <summary>Registers files again with their SHA-256 (the project's content index decides); with <paramref name="skipDuplicates"/> a duplicate comes back <c>duplicate</c>.</summary>
    Task<List<RegisteredFileResponse>> RegisterHashedAsync(long sessionId, IEnumerable<(string Path, long Size, DateTimeOffset LastModified, string Sha256)> files, bool skipDuplicates, CancellationToken cancellationToken);

    /// <summary>Presigned PUT URLs for up to <see cref="ApiLimits.MaximumPresignBatch"/> registered paths.</summary>
    Task<List<PresignedUpload>> PresignAsync(long sessionId, IReadOnlyList<string> paths, CancellationToken cancellationToken);

    /// <summary>Reports up to <see cref="ApiLimits.MaximumCompleteBatch"/> uploads; the verdicts come in the order given.</summary>
    Task<List<CompletedFileResult>> CompleteAsync(long sessionId, IEnumerable<CompletedFile> files, CancellationToken cancellationToken);

    /// <summary>
    /// Reports uploads with what each one's PUT sent. Over HTTP this is <see cref="CompleteAsync"/>: the server checks
    /// every object in S3. Inside the server (its job worker, whose PUTs the server made) S3's answer to a PUT whose
    /// ETag is the MD5 sent is taken as that proof.
    /// </summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="files">Each report with the bytes sent by a single PUT that carried the reported MD5 as Content-MD5; null for any other upload (multipart).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<List<CompletedFileResult>> CompleteWitnessedAsync(long sessionId, IEnumerable<(CompletedFile File, long? SentBytes)> files, CancellationToken cancellationToken) =>
        CompleteAsync(sessionId, files.Select(f => f.File), cancellationToken);

    Task<SessionResponse> FinishAsync(long sessionId, CancellationToken cancellationToken);

    Task<string> CreateMultipartAsync(long sessionId, string path, string? sha256, CancellationToken cancellationToken);

    Task<List<SignedPart>> SignPartsAsync(long sessionId, string uploadId, IReadOnlyList<int> partNumbers, CancellationToken cancellationToken);

    /// <summary>The parts S3 holds; a 501 <see cref="FerryApiException"/> where the storage server cannot list parts.</summary>
    Task<List<PartResponse>> ListPartsAsync(long sessionId, string uploadId, CancellationToken cancellationToken);

    /// <summary>Joins the parts; returns the object's ETag.</summary>
    Task<string?> CompleteMultipartAsync(long sessionId, string uploadId, IEnumerable<(int PartNumber, string ETag)> parts, CancellationToken cancellationToken);

    Task AbortMultipartAsync(long sessionId, string uploadId, CancellationToken cancellationToken);
}
