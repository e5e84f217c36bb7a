using System.Globalization;
using System.Text.RegularExpressions;
using Ferry.Core.Storage;

namespace Ferry.Core.Privacy;

/// <summary>
/// The right to erasure for one donor pseudonym, leaving nothing: waits for donations running on this machine (then
/// erases what they wrote), removes staging left by crashed donations, aborts multipart uploads the journal knows of,
/// deletes every object under <c>PREFIX/donations/PSEUDONYM/</c> and, on a versioned store, every version and delete
/// marker there, rewrites every export under <c>PREFIX/exports/</c> without the donor's lines (and drops the exports'
/// old versions), deletes the archive copies and ledger entries and the journal's rows, and checks that nothing is
/// left. Returns an <see cref="ErasureReport"/> of every place checked; the ledger keeps an audit entry with counts
/// and a random id — no pseudonym, no personal data.
/// </summary>
public static partial class DonorErasure
{
    /// <summary>Whether <paramref name="pseudonym"/> has the form Ferry gives pseudonyms (so an erasure can never widen to other donors).</summary>
    public static bool IsPseudonym(string? pseudonym) => pseudonym is not null && PseudonymForm().IsMatch(pseudonym);

    public static async Task<ErasureReport> EraseAsync(ErasureRequest request, CancellationToken cancellationToken)
    {
        var pseudonym = request.Pseudonym;
        if (!IsPseudonym(pseudonym))
        {
            throw new PrivacyException($"'{pseudonym}' is not a donor pseudonym (p_ and 32 hex digits, as shown after a donation)");
        }

        var places = new List<ErasurePlace>();
        var store = request.Store;
        var donorPrefix = request.Prefix + "donations/" + pseudonym + "/";
        var shownPrefix = store.Description + "/" + request.Prefix + "donations/<donor>/";

        // Running donations finish first (they hold the lock shared); none starts until this erasure is done.
        using var exclusive = request.StagingFolder is { } stagingRoot ? await DonationLock.ExclusiveAsync(stagingRoot, request.WaitForDonations, cancellationToken).ConfigureAwait(false) : null;
        if (request.StagingFolder is { } staging)
        {
            var folders = Directory.Exists(staging) ? Directory.EnumerateDirectories(staging).Count() : 0;
            var removed = DonationStaging.CleanAbandoned(staging);
            places.Add(new ErasurePlace("local.staging", request.StagingName ?? staging, folders, removed, removed == 0 ? "no staging left by an interrupted donation" : $"{removed} staging folder(s) left by interrupted donations deleted"));
        }

        // The donor's unfinished multipart uploads: those the journal knows of, and those the store lists under the prefix
        // (ListMultipartUploads; another machine's, or a crashed server's). Each is aborted once.
        var uploads = new HashSet<(string Key, string UploadId)>();
        foreach (var known in request.Journal?.FindMultipartContaining(donorPrefix) ?? [])
        {
            uploads.Add((known.Key, known.UploadId));
        }

        var listing = "";
        if (store is IMultipartListingObjectStore lister)
        {
            try
            {
                await foreach (var pending in lister.ListMultipartUploadsAsync(donorPrefix, cancellationToken).ConfigureAwait(false))
                {
                    uploads.Add((pending.Key, pending.UploadId));
                }

                listing = "; the store's listing (ListMultipartUploads) checked";
            }
            catch (StoreException ex) when (ex.Kind == StoreErrorKind.NotSupported)
            {
                listing = "; the store does not list multipart uploads";
            }
        }

        var aborted = 0;
        if (store is IMultipartObjectStore multipart)
        {
            foreach (var (key, uploadId) in uploads)
            {
                try
                {
                    await multipart.AbortMultipartAsync(key, uploadId, cancellationToken).ConfigureAwait(false);
                    aborted++;
                }
                catch (StoreException ex) when (ex.Kind == StoreErrorKind.NotSupported)
                {
                }
            }
        }

        places.Add(new ErasurePlace("storage.multipart_uploads", shownPrefix, uploads.Count, aborted,
            (request.Journal is null ? $"{aborted} unfinished multipart upload(s) aborted (no journal here)" : $"{aborted} unfinished multipart upload(s) aborted") + listing));

        var objects = 0;
        await foreach (var item in store.ListAsync(donorPrefix, cancellationToken).ConfigureAwait(false))
        {
            await store.DeleteAsync(item.Key, cancellationToken).ConfigureAwait(false);
            objects++;
        }

        places.Add(new ErasurePlace("storage.donor_objects", shownPrefix, objects, objects, $"{objects} object(s) deleted"));
        var versions = await VersionPurge.RemoveAllVersionsAsync(store, donorPrefix, cancellationToken).ConfigureAwait(false);
        places.Add(new ErasurePlace("storage.donor_versions", shownPrefix, versions ?? 0, versions ?? 0,
            versions is null ? "the store keeps no versions Ferry can list" : $"{versions} version(s) and delete marker(s) deleted"));

        await foreach (var left in store.ListAsync(donorPrefix, cancellationToken).ConfigureAwait(false))
        {
            throw new PrivacyException($"{left.Key} is still in {store.Description} after deleting it; run the erasure again");
        }

        if (versions is not null && store is IVersionedObjectStore versioned)
        {
            await foreach (var left in versioned.ListVersionsAsync(donorPrefix, cancellationToken).ConfigureAwait(false))
            {
                throw new PrivacyException($"version {left.VersionId} of {left.Key} is still in {store.Description} after deleting it; run the erasure again");
            }
        }

        var exports = await DonationExports.RemoveLinesAsync(store, request.Prefix + "exports/", line => line.Contains(pseudonym, StringComparison.Ordinal), request.TemporaryFolder, cancellationToken).ConfigureAwait(false);
        places.Add(ExportsPlace(store.Description + "/" + request.Prefix + "exports/", exports));
        if (exports.VersionsRemoved is { } exportVersions)
        {
            places.Add(new ErasurePlace("storage.export_versions", store.Description + "/" + request.Prefix + "exports/", exportVersions, exportVersions, $"{exportVersions} older version(s) and delete marker(s) of exports deleted"));
        }

        var id = Guid.NewGuid().ToString("N");
        var now = request.Time.GetUtcNow();
        if (request.Ledger is { } ledger)
        {
            var archived = ledger.ReadAll().Where(e => e.Donor == pseudonym && e.Archived is not null).SelectMany(e => e.Archived!).ToList();
            var files = 0;
            foreach (var file in archived.Where(File.Exists))
            {
                File.Delete(file);
                files++;
            }

            places.Add(new ErasurePlace("local.archive", "the archive copies listed in " + ledger.Path, archived.Count, files, $"{files} archived original(s) deleted"));
            var total = ledger.ReadAll().Count;
            var objectsDeleted = (int)places.Where(p => p.Place.StartsWith("storage.", StringComparison.Ordinal)).Sum(p => p.Removed);
            var entries = ledger.Erase(pseudonym, removed => new LedgerEntry
            {
                Type = LedgerEntry.ErasureType, At = now, ErasureId = id, ObjectsDeleted = objectsDeleted, FilesDeleted = files, EntriesDeleted = removed,
            });
            places.Add(new ErasurePlace("local.ledger", ledger.Path, total, entries, $"{entries} ledger entr(ies) deleted; an audit entry without the pseudonym added"));
        }

        if (request.Journal is { } journal)
        {
            var rows = journal.Forget(pseudonym);
            var removed = rows.Values.Sum();
            var detail = removed == 0 ? "no row names the donor" : string.Join(", ", rows.Where(r => r.Value > 0).Select(r => $"{r.Value} {r.Key}"));
            places.Add(new ErasurePlace("local.journal", journal.Path, removed, removed, detail + "; file compacted (VACUUM, WAL truncated)"));
        }

        return new ErasureReport(id, now, places);
    }

    /// <summary>The report line for <see cref="DonationExports.RemoveLinesAsync"/>.</summary>
    public static ErasurePlace ExportsPlace(string where, ExportRewrite exports) =>
        new("storage.exports", where, exports.Checked, exports.Rewritten + exports.Deleted,
            string.Create(CultureInfo.InvariantCulture, $"{exports.Checked} export(s) read; {exports.Rewritten} rewritten and {exports.Deleted} deleted (left empty); {exports.LinesRemoved} line(s) removed"));

    [GeneratedRegex("^p_[0-9a-f]{32}$")]
    private static partial Regex PseudonymForm();
}
