using System.Net;
using Ferry.Client;
using Ferry.Client.Sessions;
using Ferry.Core.Checks;
using Ferry.Core.Storage;

namespace Ferry.Server.Sessions;

/// <summary>
/// The session protocol's port (<see cref="ISessionApi"/>) in process, for the server's own job worker: each call runs
/// the same Sessions service an HTTP call to <c>/api/sessions</c> runs, in a scope of its own (the upload store calls
/// from several workers at once), as <paramref name="caller"/> — the job's user in the job's company — so the same
/// company filters and the same checks apply. A refusal is a <see cref="FerryApiException"/> with the status the API
/// would answer; an unexpected failure is one with 500, as an HTTP client would see it. Storage errors pass as they are.
/// </summary>
internal sealed class InProcessSessionApi(IServiceScopeFactory scopes, Caller caller, ILogger logger) : ISessionApi
{
    /// <summary>Not a network address: names the server's own session calls in descriptions and the journal's store identity.</summary>
    public Uri Server { get; } = new("ferry://in-process/");

    public Task<SessionResponse> CreateSessionAsync(long projectId, long cycleId, string localDirectory, CancellationToken cancellationToken) =>
        CallAsync<SessionService, SessionResponse>((s, ct) => s.CreateAsync(caller, new CreateSessionRequest(projectId, cycleId, localDirectory, Client: "api"), ct), cancellationToken);

    public Task<SessionResponse> SessionAsync(long sessionId, CancellationToken cancellationToken) =>
        CallAsync<SessionService, SessionResponse>((s, ct) => s.GetAsync(caller, sessionId, ct), cancellationToken);

    public async Task<List<RegisteredFileResponse>> RegisterAsync(long sessionId, IEnumerable<(string Path, long Size, DateTimeOffset LastModified, FileCapture? Capture)> files, CancellationToken cancellationToken) =>
        (await CallAsync<SessionUploadService, RegisterFilesResponse>((s, ct) => s.RegisterAsync(caller, sessionId, SessionRequests.Register(files), ct), cancellationToken)).Files;

    public async Task<List<RegisteredFileResponse>> RegisterHashedAsync(long sessionId, IEnumerable<(string Path, long Size, DateTimeOffset LastModified, string Sha256)> files, bool skipDuplicates, CancellationToken cancellationToken) =>
        (await CallAsync<SessionUploadService, RegisterFilesResponse>((s, ct) => s.RegisterAsync(caller, sessionId, SessionRequests.RegisterHashed(files, skipDuplicates), ct), cancellationToken)).Files;

    public async Task<List<PresignedUpload>> PresignAsync(long sessionId, IReadOnlyList<string> paths, CancellationToken cancellationToken) =>
        (await CallAsync<SessionUploadService, PresignResponse>((s, ct) => s.PresignAsync(caller, sessionId, SessionRequests.Presign(paths), notAfter: null, ct), cancellationToken)).Uploads;

    public async Task<List<CompletedFileResult>> CompleteAsync(long sessionId, IEnumerable<CompletedFile> files, CancellationToken cancellationToken) =>
        (await CallAsync<SessionUploadService, CompleteFilesResponse>((s, ct) => s.CompleteAsync(caller, sessionId, SessionRequests.Complete(files), ct), cancellationToken)).Files;

    /// <summary>The job worker's own PUTs: S3's answers to them are the server's own observations (<see cref="SessionUploadService.CompleteWitnessedAsync"/>).</summary>
    public async Task<List<CompletedFileResult>> CompleteWitnessedAsync(long sessionId, IEnumerable<(CompletedFile File, long? SentBytes)> files, CancellationToken cancellationToken)
    {
        var reported = files.ToList();
        return (await CallAsync<SessionUploadService, CompleteFilesResponse>(
            (s, ct) => s.CompleteWitnessedAsync(caller, sessionId, SessionRequests.Complete(reported.Select(f => f.File)), reported.Select(f => f.SentBytes).ToList(), ct), cancellationToken)).Files;
    }

    public Task<SessionResponse> FinishAsync(long sessionId, CancellationToken cancellationToken) =>
        CallAsync<SessionService, SessionResponse>((s, ct) => s.FinishAsync(caller, sessionId, stoppedEarly: false, ct), cancellationToken);

    public async Task<string> CreateMultipartAsync(long sessionId, string path, string? sha256, CancellationToken cancellationToken) =>
        (await CallAsync<SessionMultipartService, MultipartResponse>((s, ct) => s.CreateAsync(caller, sessionId, new CreateMultipartRequest(path, sha256), ct), cancellationToken)).UploadId;

    public async Task<List<SignedPart>> SignPartsAsync(long sessionId, string uploadId, IReadOnlyList<int> partNumbers, CancellationToken cancellationToken) =>
        (await CallAsync<SessionMultipartService, SignPartsResponse>((s, ct) => s.SignPartsAsync(caller, sessionId, uploadId, SessionRequests.SignParts(partNumbers), ct), cancellationToken)).Parts;

    public async Task<List<PartResponse>> ListPartsAsync(long sessionId, string uploadId, CancellationToken cancellationToken) =>
        (await CallAsync<SessionMultipartService, ListPartsResponse>((s, ct) => s.ListPartsAsync(caller, sessionId, uploadId, ct), cancellationToken)).Parts;

    public async Task<string?> CompleteMultipartAsync(long sessionId, string uploadId, IEnumerable<(int PartNumber, string ETag)> parts, CancellationToken cancellationToken) =>
        (await CallAsync<SessionMultipartService, CompleteMultipartResponse>((s, ct) => s.CompleteAsync(caller, sessionId, uploadId, SessionRequests.CompleteMultipart(parts), ct), cancellationToken)).Etag;

    public Task AbortMultipartAsync(long sessionId, string uploadId, CancellationToken cancellationToken) =>
        CallAsync<SessionMultipartService, string>(async (s, ct) => await s.AbortAsync(caller, sessionId, uploadId, ct) is { } refusal ? (null, refusal) : (uploadId, null), cancellationToken);

    /// <summary>One call in a scope of its own: the service's answer, or its refusal as the API's status.</summary>
    private async Task<TResult> CallAsync<TService, TResult>(Func<TService, CancellationToken, Task<(TResult? Result, SessionRefusal? Refusal)>> call, CancellationToken cancellationToken)
        where TService : notnull
        where TResult : class
    {
        await using var scope = scopes.CreateAsyncScope();
        (TResult? Result, SessionRefusal? Refusal) answer;
        try
        {
            answer = await call(scope.ServiceProvider.GetRequiredService<TService>(), cancellationToken);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or StoreException or FerryApiException))
        {
            // As an HTTP client would be told (ApiExceptionHandler): the text, which can name the server's paths or database, goes to the log.
            logger.LogError(ex, "A job's session call as user {User} failed", caller.UserId);
            throw new FerryApiException(HttpStatusCode.InternalServerError, "the server failed to handle this request; the error is in its log", ex);
        }

        return answer switch
        {
            ({ } result, _) => result,
            (_, { } refusal) => throw new FerryApiException(Status(refusal.Kind), refusal.Detail),
            _ => throw new FerryApiException(HttpStatusCode.InternalServerError, "the session call gave no answer"),
        };
    }

    private static HttpStatusCode Status(SessionRefusalKind kind) => kind switch
    {
        SessionRefusalKind.NotFound => HttpStatusCode.NotFound,
        SessionRefusalKind.Finished => HttpStatusCode.Conflict,
        SessionRefusalKind.Unsupported => HttpStatusCode.NotImplemented,
        _ => HttpStatusCode.BadRequest,
    };
}
