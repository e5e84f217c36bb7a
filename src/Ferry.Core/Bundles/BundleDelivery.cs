using System.Diagnostics;
using System.Text.Json;
using Ferry.Core.Journal;
using Ferry.Core.Storage;
using Ferry.Core.Transfer;

namespace Ferry.Core.Bundles;

/// <summary>
/// Delivers one claimed outbox bundle with the verified upload engine: first every section file (a rerun after a
/// kill skips what is verified and resumes multipart uploads from the journal), then, only when all of them are
/// verified, the two reports, rendered with the delivery's facts. A report at the destination therefore means the
/// whole bundle is there. Then the bundle leaves the outbox. A failure anywhere leaves it in the outbox with the
/// attempt and error recorded.
/// </summary>
internal static class BundleDelivery
{
    private static readonly PathFilter Sections = new([], ["/" + Outbox.StateFolder + "/", "/" + BundleReports.JsonName, "/" + BundleReports.TextName]);
    private static readonly PathFilter Reports = new(["/" + BundleReports.JsonName, "/" + BundleReports.TextName], []);

    public static async Task<ExportResult> DeliverAsync(Outbox outbox, OutboxBundle bundle, OutboxClaim claim, IObjectStore store, StoreLocation location,
        TransferJournal? journal, UploadOptions options, TransferProgress progress, TimeProvider time, TimeSpan retryBase,
        Func<OutboxBundle, CancellationToken, Task>? onDelivered, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var descriptor = bundle.Descriptor;
        var prefix = location.Prefix + descriptor.Folder + "/";
        string? error;
        StoreErrorKind? failure = null;
        try
        {
            var refused = await CheckAccessAsync(store, cancellationToken).ConfigureAwait(false);
            failure = refused?.Kind;
            error = refused?.Error ?? await CheckNotAnotherBundleAsync(store, prefix, descriptor, cancellationToken).ConfigureAwait(false);
            if (error is null)
            {
                var engine = new UploadEngine(journal, time);
                var files = await engine.RunAsync(new UploadRequest(bundle.Directory, store, prefix), options with { Filter = Sections, Move = false, ArchiveTo = null, ManifestPath = null, ManifestKey = null, DryRun = false },
                    progress, null, cancellationToken).ConfigureAwait(false);
                error = Failure(files);
                if (error is null)
                {
                    var delivered = descriptor with { DeliveredAt = time.GetUtcNow(), DeliveryMilliseconds = clock.ElapsedMilliseconds };
                    BundleReports.Write(bundle.Directory, delivered);
                    var reports = await engine.RunAsync(new UploadRequest(bundle.Directory, store, prefix), options with { Filter = Reports, Move = false, ArchiveTo = null, ManifestPath = null, ManifestKey = null, DryRun = false },
                        new TransferProgress(), null, cancellationToken).ConfigureAwait(false);
                    error = Failure(reports);
                    if (error is null)
                    {
                        bundle = Outbox.Save(bundle, delivered);
                        if (onDelivered is not null)
                        {
                            await onDelivered(bundle, cancellationToken).ConfigureAwait(false);
                        }

                        outbox.Remove(bundle, claim);
                        return new ExportResult(ExportOutcome.Delivered, descriptor.Folder, descriptor.Location, null, null, descriptor.Files, descriptor.Bytes, clock.Elapsed);
                    }
                }
            }
        }
        catch (StoreException ex)
        {
            error = ex.Message;
            failure = ex.Kind;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var attempts = descriptor.Attempts + 1;
        var now = time.GetUtcNow();
        var backoff = TimeSpan.FromTicks(Math.Min(retryBase.Ticks * (1L << Math.Min(attempts - 1, 16)), TimeSpan.FromHours(1).Ticks));
        var queued = descriptor with { Attempts = attempts, LastAttemptAt = now, LastError = error, NextAttemptAt = now + backoff, DeliveredAt = null, DeliveryMilliseconds = null };
        Outbox.Save(bundle, queued);
        BundleReports.Write(bundle.Directory, queued);
        return new ExportResult(ExportOutcome.Queued, descriptor.Folder, descriptor.Location, bundle.Directory, error, descriptor.Files, descriptor.Bytes, clock.Elapsed) { StoreFailure = failure };
    }

    private static string? Failure(TransferSummary summary) => summary.Outcome switch
    {
        TransferOutcome.Completed => null,
        TransferOutcome.Interrupted => throw new OperationCanceledException(),
        _ when summary.Failures.Count > 0 => $"{summary.Counts.FilesFailed} file(s) failed, first {summary.Failures[0].Path}: {summary.Failures[0].Reason}",
        _ => summary.Message ?? "the upload did not complete",
    };

    private static async Task<(string Error, StoreErrorKind Kind)?> CheckAccessAsync(IObjectStore store, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await store.CheckAccessAsync(timeout.Token).ConfigureAwait(false);
            return null;
        }
        catch (StoreException ex)
        {
            return (ex.Message, ex.Kind);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ($"{store.Description} did not answer within 30 seconds", StoreErrorKind.Transient);
        }
    }

    /// <summary>Refuses to write into a folder that holds another bundle's report (same name, same second, other machine).</summary>
    private static async Task<string?> CheckNotAnotherBundleAsync(IObjectStore store, string prefix, BundleDescriptor descriptor, CancellationToken cancellationToken)
    {
        var key = prefix + BundleReports.JsonName;
        if (await store.HeadAsync(key, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        var content = await store.ReadAsync(key, 0, null, cancellationToken).ConfigureAwait(false);
        await using var contentDisposal = content.ConfigureAwait(false);
        try
        {
            using var report = await JsonDocument.ParseAsync(content.Content, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (report.RootElement.TryGetProperty("bundle_id", out var id) && id.GetString() == descriptor.BundleId)
            {
                return null;
            }
        }
        catch (JsonException)
        {
            // Not a Ferry report: treat as another bundle's.
        }

        return $"{store.Description}/{prefix} already holds another bundle; it was left untouched, the bundle stays in the outbox";
    }
}
