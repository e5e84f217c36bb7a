using Ferry.Core.Transfer;

namespace Ferry.Cli.Server;

/// <summary>
/// <c>ferry upload --server URL --project NAME --cycle NAME SOURCE</c>: finds the project and cycle on the server, opens
/// an upload session for SOURCE, registers every file the scan finds (batches of 10,000; the server answers which
/// it already holds verified), and offers the session as the store the engine uploads into.
/// </summary>
internal sealed class ServerUploadTarget : IDisposable
{
    public const int RegisterBatch = 10_000;

    private ServerUploadTarget(FerryApiClient api, ApiSession session, ServerSessionStore store, long registered)
    {
        Api = api;
        Session = session;
        Store = store;
        Registered = registered;
    }

    public FerryApiClient Api { get; }

    public ApiSession Session { get; }

    public ServerSessionStore Store { get; }

    public long Registered { get; }

    public string Prefix => Session.Prefix;

    public string Describe() => $"s3://{Session.Bucket}/{Session.Prefix} (session {Session.Id} on {Api.Server.GetLeftPart(UriPartial.Authority)})";

    public static async Task<ServerUploadTarget> OpenAsync(Uri server, string project, string cycle, string source, UploadOptions options, CancellationToken cancellationToken)
    {
        var api = new FerryApiClient(server, ServerTokenStore.Find(server, TimeProvider.System));
        try
        {
            var (chosen, chosenCycle) = await ServerProjects.FindAsync(api, project, cycle, cancellationToken).ConfigureAwait(false);
            if (options.DryRun)
            {
                throw CliException.Usage("--dry-run is not available with --server (a session would be recorded); leave out --server to preview against the bucket");
            }

            var session = await api.CreateSessionAsync(chosen.Id, chosenCycle.Id, source, cancellationToken).ConfigureAwait(false);
            var registered = await RegisterAsync(api, session.Id, source, options, cancellationToken).ConfigureAwait(false);
            var store = new ServerSessionStore(api, session.Id, session.Bucket, session.Prefix, registered);
            return new ServerUploadTarget(api, session, store, registered.Count);
        }
        catch (FerryApiException ex)
        {
            api.Dispose();
            throw CliException.Usage(ex.Message);
        }
        catch
        {
            api.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Store.Dispose();
        Api.Dispose();
    }

    private static async Task<List<(ApiRegisteredFile File, long Size, DateTimeOffset LastModified)>> RegisterAsync(FerryApiClient api, long sessionId, string source, UploadOptions options, CancellationToken cancellationToken)
    {
        var scanner = new SourceScanner(source, new ScanOptions
        {
            Filter = options.Filter,
            FollowSymlinks = options.FollowSymlinks,
            ExcludedPath = options.ArchiveTo,
        });
        var registered = new List<(ApiRegisteredFile, long, DateTimeOffset)>();
        var batch = new List<(string Path, long Size, DateTimeOffset LastModified)>(RegisterBatch);
        await foreach (var file in scanner.ScanAsync(cancellationToken).ConfigureAwait(false))
        {
            batch.Add((file.RelativePath, file.Size, file.LastWriteUtc));
            if (batch.Count == RegisterBatch)
            {
                await SendAsync().ConfigureAwait(false);
            }
        }

        if (batch.Count > 0)
        {
            await SendAsync().ConfigureAwait(false);
        }

        return registered;

        async Task SendAsync()
        {
            var answers = await api.RegisterAsync(sessionId, batch, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < answers.Count; i++)
            {
                registered.Add((answers[i], batch[i].Size, batch[i].LastModified));
            }

            batch.Clear();
        }
    }
}
