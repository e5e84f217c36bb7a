using Ferry.Core.Checks;
using Ferry.Client.Contracts;
using Ferry.Core.Transfer;

namespace Ferry.Client.Sessions;

/// <summary>
/// One folder going through an upload session on a Ferry server, in the protocol's steps: <see cref="OpenAsync(ISessionApi, long, long, string, ScanOptions, CancellationToken)"/> starts
/// the session and registers every file the scan finds (batches of <see cref="RegisterBatch"/>; the server answers which
/// it already holds verified); <see cref="Store"/> is the store the engine uploads into (presign → PUT to S3 → complete);
/// <see cref="FinishAsync"/> closes the session. The caller owns <see cref="Api"/>.
/// </summary>
public sealed class SessionUpload : IDisposable
{
    /// <summary>Files per registration call (the server's limit, <see cref="ApiLimits.MaximumRegisterBatch"/>).</summary>
    public const int RegisterBatch = ApiLimits.MaximumRegisterBatch;

    /// <summary>Files in flight at the start of an upload through a session (see <see cref="WithSessionConcurrency"/>).</summary>
    public const int StartingConcurrency = 64;

    /// <summary>The cap adaptive concurrency may grow to through a session.</summary>
    public const int ConcurrencyCap = 128;

    /// <summary>
    /// <paramref name="options"/> with the concurrency an upload through a session starts at and may grow to. After its
    /// PUT every file waits for the server's verdict, which comes in batches (a listing page per folder and one
    /// transaction per batch), so a slot mostly waits rather than sends, and more files in flight make larger batches,
    /// not more load on S3. The engine's direct defaults (16, growing when throughput rises) left a session at
    /// 0.5-0.66x the direct rate on 5,000 small files; starting at 64 it reached 0.7-0.9x (medians 0.83x through the
    /// CLI, 0.87x as a job) with less server CPU (docs/benchmarks.md, session 7). It stays adaptive: congestion still
    /// halves it.
    /// </summary>
    public static UploadOptions WithSessionConcurrency(UploadOptions options) =>
        options with { Concurrency = StartingConcurrency, MaxConcurrency = ConcurrencyCap };

    private SessionUpload(ISessionApi api, SessionResponse session, SessionObjectStore store, long registered, int refused, HashSet<string> pending)
    {
        Api = api;
        Session = session;
        Store = store;
        Registered = registered;
        Refused = refused;
        Pending = pending;
    }

    /// <summary>The server's session calls (owned by the caller).</summary>
    public ISessionApi Api { get; }

    /// <summary>The session as the server answered when it started.</summary>
    public SessionResponse Session { get; }

    /// <summary>The session as a write-only store: the engine's destination.</summary>
    public SessionObjectStore Store { get; }

    /// <summary>How many files were registered.</summary>
    public long Registered { get; }

    /// <summary>How many files the scan found that <see cref="SessionUploadOptions.Accept"/> refused (not registered, not to be uploaded).</summary>
    public int Refused { get; }

    /// <summary>The paths (relative to the folder) the server answered are still to be uploaded: neither verified nor duplicates.</summary>
    public IReadOnlySet<string> Pending { get; }

    /// <summary>The key prefix of the session's cycle; the engine's prefix.</summary>
    public string Prefix => Session.Prefix;

    public string Describe() => $"s3://{Session.Bucket}/{Session.Prefix} (session {Session.Id} on {Api.Server.GetLeftPart(UriPartial.Authority)})";

    /// <summary>
    /// Starts a session of <paramref name="api"/> for <paramref name="source"/> in a project's cycle and registers the
    /// files <paramref name="scan"/> selects. Server errors are <see cref="FerryApiException"/>.
    /// </summary>
    public static Task<SessionUpload> OpenAsync(ISessionApi api, long projectId, long cycleId, string source, ScanOptions scan, CancellationToken cancellationToken) =>
        OpenAsync(api, projectId, cycleId, source, scan, null, cancellationToken);

    /// <summary>As the other overload, with the check results of the source (per sensor folder) stored with the session.</summary>
    public static async Task<SessionUpload> OpenAsync(ISessionApi api, long projectId, long cycleId, string source, ScanOptions scan, List<SensorFolderCheck>? checks, CancellationToken cancellationToken)
    {
        var session = await api.CreateSessionAsync(projectId, cycleId, source, checks, cancellationToken).ConfigureAwait(false);
        return await RegisterAsync(api, session, source, scan, new SessionUploadOptions(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Continues the session <paramref name="sessionId"/>, started elsewhere (a server job's, queued with its folder):
    /// registers the files <paramref name="scan"/> selects again, so that what the session already verified is not
    /// uploaded twice. Server errors are <see cref="FerryApiException"/>.
    /// </summary>
    public static async Task<SessionUpload> ResumeAsync(ISessionApi api, long sessionId, string source, ScanOptions scan, SessionUploadOptions options, CancellationToken cancellationToken)
    {
        var session = await api.SessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return await RegisterAsync(api, session, source, scan, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the session: completed, or incomplete when files are pending or failed.</summary>
    public Task<SessionResponse> FinishAsync(CancellationToken cancellationToken) => Api.FinishAsync(Session.Id, cancellationToken);

    public void Dispose() => Store.Dispose();

    /// <summary>Files whose headers are read at once for their capture metadata.</summary>
    private const int CaptureReaders = 8;

    private static async Task<SessionUpload> RegisterAsync(ISessionApi api, SessionResponse session, string source, ScanOptions scan, SessionUploadOptions options, CancellationToken cancellationToken)
    {
        var scanner = new SourceScanner(source, scan);
        var registered = new List<(RegisteredFileResponse, long, DateTimeOffset)>();
        var pending = new HashSet<string>(StringComparer.Ordinal);
        var refused = 0;
        var batch = new List<(string Path, long Size, DateTimeOffset LastModified, FileCapture? Capture)>(RegisterBatch);
        await foreach (var file in scanner.ScanAsync(cancellationToken).ConfigureAwait(false))
        {
            if (options.Accept is { } accept && !accept(file.RelativePath))
            {
                refused++;
                continue;
            }

            batch.Add((file.RelativePath, file.Size, file.LastWriteUtc, null));
            if (batch.Count == RegisterBatch)
            {
                await SendAsync().ConfigureAwait(false);
            }
        }

        if (batch.Count > 0)
        {
            await SendAsync().ConfigureAwait(false);
        }

        var store = new SessionObjectStore(api, session.Id, session.Bucket, session.Prefix, registered, s3: options.S3);
        return new SessionUpload(api, session, store, registered.Count, refused, pending);

        async Task SendAsync()
        {
            // What each file's headers say about its capture, read as 'ferry check' reads them (a few small reads per
            // file, several files at once), so the server can export the session as Camtrap DP without reading objects.
            await Parallel.ForAsync(0, batch.Count, new ParallelOptions { MaxDegreeOfParallelism = CaptureReaders, CancellationToken = cancellationToken }, (i, _) =>
            {
                var (path, size, modified, _) = batch[i];
                batch[i] = (path, size, modified, FileCaptureReader.Read(Path.Combine(source, path)));
                return ValueTask.CompletedTask;
            }).ConfigureAwait(false);
            var answers = await api.RegisterAsync(session.Id, batch, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < answers.Count; i++)
            {
                registered.Add((answers[i], batch[i].Size, batch[i].LastModified));
                if (answers[i].Status is not ("uploaded" or "duplicate"))
                {
                    pending.Add(batch[i].Path);
                }
            }

            batch.Clear();
        }
    }
}
