using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Ferry.Core.Bundles;
using Ferry.Core.Storage;
using Ferry.Server.Sessions;
using Ferry.Server.Storage;

namespace Ferry.Server.Exports;

/// <summary>
/// Audit exports of upload sessions. A request is recorded (<c>session_exports</c>, status running) and queued; the
/// <see cref="SessionExportWorker"/> builds the bundle (manifest, failures, activity log, reports) in the server's
/// outbox and delivers it to the project's bucket under <see cref="FerryServerOptions.ExportPrefix"/> with the
/// verified engine, or, for a download-only export, zips it. When S3 fails the bundle waits in the shared outbox (the
/// database, <see cref="SharedOutbox"/>) and is retried with backoff by whichever replica claims it first, until delivered. Every outcome lands in the row; a zip of every bundle is kept for download.
/// After a crash, <see cref="RecoverAsync"/> settles the rows that were running.
/// </summary>
internal sealed class SessionExportService(IServiceScopeFactory scopes, ProjectStores stores, FerryServerOptions options, TimeProvider time, ILogger<SessionExportService> logger) : IQueuedWork
{
    private const string OwnerPrefix = "export:";
    private readonly Channel<long> _queue = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, ExportProgress> _progress = new();

    /// <summary>This machine's outbox folder: a scratch area where bundles are built and delivered; waiting ones live in <see cref="Shared"/>.</summary>
    public Outbox Outbox { get; } = new(Path.Combine(options.ResolvedDataDirectory, "outbox"));

    private SharedOutbox Shared => field ??= new SharedOutbox(Outbox, time);

    private Outbox DownloadStaging { get; } = new(Path.Combine(options.ResolvedDataDirectory, "exports", "staging"));

    public ChannelReader<long> Queue => _queue.Reader;

    public string ZipPath(long id) => Path.Combine(options.ResolvedDataDirectory, "exports", id.ToString(CultureInfo.InvariantCulture) + ".zip");

    /// <summary>The export's zip to download (the API and the download page alike), or null while it is not built or no longer kept.</summary>
    public string? ReadyZipPath(SessionExport export) => export.Bundle is not null && File.Exists(ZipPath(export.Id)) ? ZipPath(export.Id) : null;

    public ExportProgress? Progress(long id) => _progress.GetValueOrDefault(id);

    /// <summary>Records an export of <paramref name="loaded"/> and queues it.</summary>
    public async Task<SessionExport> StartAsync(FerryDbContext db, Caller caller, Sessions.LoadedSession loaded, ExportKind kind, CancellationToken cancellationToken)
    {
        var export = new SessionExport
        {
            CompanyId = caller.CompanyId,
            SessionId = loaded.Session.Id,
            UserId = caller.UserId,
            Kind = kind,
            Status = ExportStatus.Running,
            CreatedAt = time.GetUtcNow(),
        };
        db.Exports.Add(export);
        await db.SaveChangesAsync(cancellationToken);
        _progress[export.Id] = new ExportProgress();
        _queue.Writer.TryWrite(export.Id);
        return export;
    }

    /// <summary>Builds and delivers (or zips) one queued export; every outcome is written to its row, nothing is thrown.</summary>
    public async Task RunAsync(long id, CancellationToken cancellationToken)
    {
        using var activity = Observability.FerryActivities.Source.StartActivity("ferry.export.run")?.SetTag(Observability.FerryActivities.ExportId, id);
        var progress = _progress.GetOrAdd(id, _ => new ExportProgress());
        var work = Path.Combine(options.ResolvedDataDirectory, "exports", "work-" + id.ToString(CultureInfo.InvariantCulture));
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            var export = await db.Exports.FirstOrDefaultAsync(e => e.Id == id, cancellationToken);
            if (export is null || export.Status != ExportStatus.Running)
            {
                return;
            }

            activity?.SetTag(Observability.FerryActivities.SessionId, export.SessionId);

            try
            {
                await RunAsync(db, export, progress, work, cancellationToken);
            }
            catch (Exception ex) when (ex is BundleException or IOException or UnauthorizedAccessException or System.Data.Common.DbException or StoreException)
            {
                export.Status = ExportStatus.Failed;
                export.Message = FailureShownToCompany(ex);
                Finish(export);
                logger.LogWarning("Export {Id} of session {Session} failed: {Message}", export.Id, export.SessionId, ex.Message);
            }

            await db.SaveChangesAsync(CancellationToken.None);
            activity?.SetTag(Observability.FerryActivities.Status, export.Status.Name());
            if (export.Status == ExportStatus.Failed)
            {
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, export.Message);
            }
        }
        finally
        {
            _progress.TryRemove(id, out _);
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    private async Task RunAsync(FerryDbContext db, SessionExport export, ExportProgress progress, string work, CancellationToken cancellationToken)
    {
        var caller = new Caller(export.UserId, "", export.CompanyId, Roles.User, false);
        var loaded = await Sessions.UploadSessions.LoadAsync(db, caller, export.SessionId, cancellationToken)
            ?? throw new BundleException($"session {export.SessionId} no longer exists");
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }

        var (sections, details) = await SessionBundleWriter.WriteAsync(db, loaded, work, cancellationToken);
        var user = details["uploaded_by"];
        var requester = await db.Users.AsNoTracking().Where(u => u.Id == export.UserId).Select(u => u.Username).FirstOrDefaultAsync(cancellationToken) ?? user;
        var name = $"Session {loaded.Session.Id} {loaded.Project.Name} {loaded.Cycle.Name}";
        var destination = new BundleDestination($"s3://{loaded.Project.BucketName}/{options.ExportPrefix.Trim('/')}", loaded.Project.EndpointUrl, loaded.Project.Region, loaded.Project.AwsProfile, Owner(export.Id));
        var request = new BundleRequest(name, sections, destination, requester, details);
        if (export.Kind == ExportKind.Download)
        {
            var bundle = await Exporter(DownloadStaging).StageAsync(request, cancellationToken);
            progress.Phase = ExportProgress.Zipping;
            await BundleZip.WriteAsync(bundle, ZipPath(export.Id), cancellationToken);
            DownloadStaging.Discard(bundle);
            export.Status = ExportStatus.Ready;
            export.Bundle = bundle.Folder;
            export.Files = bundle.Descriptor.Files;
            export.Bytes = bundle.Descriptor.Bytes;
            Finish(export);
            logger.LogInformation("Export {Id} of session {Session}: zip ready ({Files} files, {Bytes} bytes)", export.Id, export.SessionId, export.Files, export.Bytes);
            return;
        }

        progress.Phase = ExportProgress.Uploading;
        var result = await Exporter(Outbox).ExportAsync(request, progress.Transfer, cancellationToken);
        export.Bundle = result.Folder;
        export.Location = result.Location;
        export.Files = result.Files;
        export.Bytes = result.Bytes;
        export.Attempts++;
        Settle(export, result);
        if (result.Outcome == ExportOutcome.Queued && Outbox.List().FirstOrDefault(b => b.Folder == result.Folder) is { } waiting)
        {
            await BundleZip.WriteAsync(waiting, ZipPath(export.Id), cancellationToken);
            // Into the shared outbox (with the row's new state), so whichever replica retries first delivers it.
            await Shared.ParkAsync(db, export.Id, waiting, cancellationToken);
        }
    }

    /// <summary>
    /// Delivers the shared outbox's bundles whose backoff has passed and records each outcome. Each is claimed with a
    /// lease first (<see cref="SharedOutbox"/>): a bundle another replica is delivering is left to it.
    /// </summary>
    public async Task RetryDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        foreach (var id in await Shared.DueAsync(db, 20, cancellationToken))
        {
            if (await Shared.TryClaimAsync(db, id, cancellationToken) is not { } claim)
            {
                continue;
            }

            var (bundle, lease) = claim;
            var outcome = ExportOutcome.Queued;
            try
            {
                var results = await Exporter(Outbox).FlushAsync(dueOnly: false, b => b.Folder == bundle.Folder, cancellationToken);
                if (results.Count > 0 && results[0] is { } result && result.Outcome != ExportOutcome.Busy
                    && await db.Exports.FirstOrDefaultAsync(e => e.Id == id, cancellationToken) is { } export)
                {
                    outcome = result.Outcome;
                    export.Attempts++;
                    Settle(export, result);
                }
            }
            finally
            {
                if (await Shared.SettleAsync(db, id, lease, bundle.Folder, outcome, CancellationToken.None))
                {
                    await db.SaveChangesAsync(CancellationToken.None);
                }
                else
                {
                    logger.LogWarning("Export {ExportId}: the outbox lease ran out during delivery and another claim took the bundle; this attempt's result was not stored", id);
                }
            }
        }
    }

    /// <summary>
    /// After a restart: an export that was running is queued when its bundle reached the outbox, else started again;
    /// a queued export whose bundle left the outbox was delivered just before the crash (its report is in S3).
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        // Bundles left in this machine's local outbox (by a Ferry before the shared outbox, or by a crash between
        // building and parking) move into the shared one.
        foreach (var local in Outbox.List())
        {
            // Only a bundle of an export still open and not parked yet: a row already parked (perhaps leased by another
            // replica right now) or an export delivered meanwhile must not be parked again, or it would be delivered twice.
            if (ExportId(local.Descriptor.Destination.Owner) is { } owner
                && await db.Exports.AnyAsync(e => e.Id == owner && (e.Status == ExportStatus.Running || e.Status == ExportStatus.Queued), cancellationToken)
                && !await db.ExportOutbox.AnyAsync(o => o.ExportId == owner, cancellationToken))
            {
                await Shared.ParkAsync(db, owner, local, cancellationToken);
            }
        }

        var waiting = (await db.ExportOutbox.Select(o => o.ExportId).ToListAsync(cancellationToken)).ToHashSet();
        var open = await db.Exports.Where(e => e.Status == ExportStatus.Running || e.Status == ExportStatus.Queued).ToListAsync(cancellationToken);
        foreach (var export in open)
        {
            if (waiting.Contains(export.Id))
            {
                export.Status = ExportStatus.Queued;
            }
            else if (export.Status == ExportStatus.Running)
            {
                _queue.Writer.TryWrite(export.Id);
            }
            else
            {
                export.Status = ExportStatus.Delivered;
                export.Message = null;
                Finish(export);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    private void Settle(SessionExport export, ExportResult result)
    {
        if (result.Outcome == ExportOutcome.Delivered)
        {
            export.Status = ExportStatus.Delivered;
            export.Message = null;
            Finish(export);
            logger.LogInformation("Export {Id} of session {Session} delivered to {Location} ({Files} files, {Bytes} bytes, attempt {Attempt})", export.Id, export.SessionId, export.Location, export.Files, export.Bytes, export.Attempts);
        }
        else if (result.Outcome == ExportOutcome.Queued)
        {
            export.Status = ExportStatus.Queued;
            export.Message = QueuedText(result);
            logger.LogWarning("Export {Id} of session {Session} queued in the outbox (attempt {Attempt}): {Message}", export.Id, export.SessionId, export.Attempts, result.Message);
        }
    }

    /// <summary>
    /// What the export's company is told of a failure: the bundle's own words (about the session) without the server's
    /// data folder; a store's, disk's or database's failure by its kind only (<see cref="ServerFailureText"/>), as their
    /// texts name endpoints, buckets, S3's request ids or the server's paths. The whole text is in the server log.
    /// </summary>
    private string FailureShownToCompany(Exception ex) => ex is BundleException
        ? ServerFailureText.WithoutDataFolder(ex.Message, options)
        : $"the export failed: {ServerFailureText.Describe(ex)}; the details are in the server log";

    /// <summary>
    /// Why a bundle waits to be delivered, as its company is told: the store's failure by its kind only, or (a file the
    /// store did not take, another bundle in the way) that it was not delivered. The bundle's own reports keep the store's
    /// answer, as a CLI export's do: they are about the company's own storage.
    /// </summary>
    private static string QueuedText(ExportResult result) =>
        $"the bundle was not delivered{(result.StoreFailure is { } kind ? $": {ServerFailureText.Describe(kind)}" : "")}; it waits on the server and delivery is retried (the details are in the server log)";

    private void Finish(SessionExport export)
    {
        var now = time.GetUtcNow();
        export.FinishedAt = now;
        export.DurationMs = (long)(now - export.CreatedAt).TotalMilliseconds;
    }

    private BundleExporter Exporter(Outbox outbox) => new(outbox, OpenStore, journal: null, time)
    {
        DisposesStores = false,
        RetryBaseDelay = options.ExportRetryDelay,
        OnDelivered = (bundle, cancellationToken) => ExportId(bundle.Descriptor.Destination.Owner) is { } id
            ? BundleZip.WriteAsync(bundle, ZipPath(id), cancellationToken)
            : Task.CompletedTask,
    };

    /// <summary>The project store of the export that owns a bundle; the server's own credentials, never the client's.</summary>
    private IObjectStore OpenStore(BundleDestination destination)
    {
        var id = ExportId(destination.Owner) ?? throw new StoreException(StoreErrorKind.ContainerNotFound, "the bundle does not belong to an export of this server");
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        var project = db.Exports.AsNoTracking().Where(e => e.Id == id)
            .Join(db.Sessions, e => e.SessionId, s => s.Id, (e, s) => s.ProjectId)
            .Join(db.Projects, p => p, p => p.Id, (_, p) => p)
            .FirstOrDefault() ?? throw new StoreException(StoreErrorKind.ContainerNotFound, $"export {id}'s project no longer exists");
        return stores.For(project).Objects;
    }

    private static string Owner(long id) => OwnerPrefix + id.ToString(CultureInfo.InvariantCulture);

    private static long? ExportId(string? owner) =>
        owner is not null && owner.StartsWith(OwnerPrefix, StringComparison.Ordinal) && long.TryParse(owner.AsSpan(OwnerPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
}
