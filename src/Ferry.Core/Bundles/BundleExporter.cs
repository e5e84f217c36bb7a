using Ferry.Core.Journal;
using Ferry.Core.Storage;
using Ferry.Core.Transfer;

namespace Ferry.Core.Bundles;

/// <summary>
/// Audit exports in one call: <see cref="ExportAsync"/> builds a timestamped bundle in the durable outbox, then
/// delivers it with the verified engine; when the destination is unreachable, refuses or fails part-way, the
/// bundle stays in the outbox and <see cref="FlushAsync"/> (a command, or the server's background service) delivers
/// it later. Every bundle leaves the outbox only after its delivery was verified.
/// </summary>
/// <param name="outbox">Where bundles wait.</param>
/// <param name="openStore">Opens the store of a destination (credentials come from the caller's environment). May throw <see cref="StoreException"/> or <see cref="FormatException"/>: the bundle is then queued with that message.</param>
/// <param name="journal">The transfer journal that lets an interrupted delivery resume; null for none.</param>
public sealed class BundleExporter(Outbox outbox, Func<BundleDestination, IObjectStore> openStore, TransferJournal? journal = null, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Upload settings for deliveries (concurrency, part size, retries). Default: the engine's defaults.</summary>
    public UploadOptions UploadOptions { get; init; } = new();

    /// <summary>The first delay before a background retry; doubled per failed attempt, at most one hour. Default 1 minute.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMinutes(1);

    public Outbox Outbox => outbox;

    /// <summary>Whether the exporter disposes each store it opened once a delivery is done. Default true; false when <c>openStore</c> hands out shared stores.</summary>
    public bool DisposesStores { get; init; } = true;

    /// <summary>
    /// Called after a delivery was verified, with the bundle still in the outbox and its reports final (saying
    /// "delivered"), before it leaves; for a front door that keeps a copy (the server zips it for download).
    /// </summary>
    public Func<OutboxBundle, CancellationToken, Task>? OnDelivered { get; init; }

    /// <summary>
    /// Builds the bundle in the outbox without delivering it (for a download-only export). Throws
    /// <see cref="BundleException"/> for bad input. Remove it with <see cref="Outbox.Discard"/> when done.
    /// </summary>
    public Task<OutboxBundle> StageAsync(BundleRequest request, CancellationToken cancellationToken)
    {
        ParseDestination(request.Destination);
        return BundleStager.StageAsync(outbox, request, _time.GetUtcNow(), cancellationToken);
    }

    /// <summary>
    /// Builds the bundle and tries to deliver it. Throws <see cref="BundleException"/> for bad input (missing folder,
    /// bad section name, unparsable destination) before anything is written. When an identical bundle (same name,
    /// destination and content) already waits in the outbox, from a run that was killed, that one is delivered
    /// instead of a second copy.
    /// </summary>
    public async Task<ExportResult> ExportAsync(BundleRequest request, TransferProgress? progress, CancellationToken cancellationToken)
    {
        var location = ParseDestination(request.Destination);
        var staged = await BundleStager.StageAsync(outbox, request, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var bundle = staged;
        foreach (var waiting in outbox.List())
        {
            if (waiting.Folder != staged.Folder && waiting.Descriptor.Name == request.Name && waiting.Descriptor.Destination == request.Destination
                && waiting.Descriptor.ContentFingerprint == staged.Descriptor.ContentFingerprint && outbox.TryClaim(staged) is { } duplicate)
            {
                outbox.Remove(staged, duplicate);
                duplicate.Dispose();
                bundle = waiting;
                break;
            }
        }

        return await DeliverOneAsync(bundle, location, progress ?? new TransferProgress(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Delivers the bundles waiting in the outbox, oldest first. With <paramref name="dueOnly"/>, only those whose
    /// backoff has passed (the server's retry loop); otherwise all. Bundles another process is delivering are
    /// reported as <see cref="ExportOutcome.Busy"/>.
    /// </summary>
    public async Task<IReadOnlyList<ExportResult>> FlushAsync(bool dueOnly, Func<OutboxBundle, bool>? select, CancellationToken cancellationToken)
    {
        var results = new List<ExportResult>();
        var now = _time.GetUtcNow();
        foreach (var bundle in outbox.List())
        {
            // A bundle never tried yet is due one base delay after it was made: the export that made it is delivering it now.
            var due = bundle.Descriptor.NextAttemptAt ?? bundle.Descriptor.CreatedAt + RetryBaseDelay;
            if ((dueOnly && due > now) || (select is not null && !select(bundle)))
            {
                continue;
            }

            StoreLocation location;
            try
            {
                location = ParseDestination(bundle.Descriptor.Destination);
            }
            catch (BundleException ex)
            {
                results.Add(new ExportResult(ExportOutcome.Queued, bundle.Folder, bundle.Descriptor.Location, bundle.Directory, ex.Message, bundle.Descriptor.Files, bundle.Descriptor.Bytes, TimeSpan.Zero));
                continue;
            }

            results.Add(await DeliverOneAsync(bundle, location, new TransferProgress(), cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    private async Task<ExportResult> DeliverOneAsync(OutboxBundle bundle, StoreLocation location, TransferProgress progress, CancellationToken cancellationToken)
    {
        using var claim = outbox.TryClaim(bundle);
        if (claim is null)
        {
            return new ExportResult(ExportOutcome.Busy, bundle.Folder, bundle.Descriptor.Location, bundle.Directory, "another process is delivering it", bundle.Descriptor.Files, bundle.Descriptor.Bytes, TimeSpan.Zero);
        }

        // Claimed: re-read, another process may have delivered it between the listing and the claim.
        if (Outbox.ReadDescriptor(bundle.Directory) is not { } current)
        {
            return new ExportResult(ExportOutcome.Delivered, bundle.Folder, bundle.Descriptor.Location, null, null, bundle.Descriptor.Files, bundle.Descriptor.Bytes, TimeSpan.Zero);
        }

        bundle = bundle with { Descriptor = current };
        IObjectStore store;
        try
        {
            store = openStore(current.Destination);
        }
        catch (Exception ex) when (ex is StoreException or FormatException or ArgumentException)
        {
            Outbox.Save(bundle, current with { Attempts = current.Attempts + 1, LastAttemptAt = _time.GetUtcNow(), LastError = ex.Message });
            return new ExportResult(ExportOutcome.Queued, bundle.Folder, current.Location, bundle.Directory, ex.Message, current.Files, current.Bytes, TimeSpan.Zero) { StoreFailure = (ex as StoreException)?.Kind };
        }

        try
        {
            return await BundleDelivery.DeliverAsync(outbox, bundle, claim, store, location, journal, UploadOptions, progress, _time, RetryBaseDelay, OnDelivered, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (DisposesStores)
            {
                (store as IDisposable)?.Dispose();
            }
        }
    }

    private static StoreLocation ParseDestination(BundleDestination destination)
    {
        try
        {
            var location = StoreLocation.Parse(destination.Location);
            if (location.Prefix.Length > 0 && ObjectKey.FindProblem(location.Prefix + "x") is { } problem)
            {
                throw new BundleException($"the destination {destination.Location} cannot hold bundles: {problem}");
            }

            return location;
        }
        catch (FormatException ex)
        {
            throw new BundleException(ex.Message);
        }
    }
}
