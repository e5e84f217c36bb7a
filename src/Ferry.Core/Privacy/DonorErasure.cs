using System.Text.RegularExpressions;
using Ferry.Core.Storage;

namespace Ferry.Core.Privacy;

/// <summary>
/// The right to erasure for one donor pseudonym: deletes every object under <c>PREFIX/donations/PSEUDONYM/</c>
/// (and checks that none is left), the archive copies the ledger knows of, and the donor's ledger entries, then
/// records an audit entry that holds only counts and a random id — no pseudonym, no personal data.
/// </summary>
public static partial class DonorErasure
{
    /// <summary>Whether <paramref name="pseudonym"/> has the form Ferry gives pseudonyms (so an erasure can never widen to other donors).</summary>
    public static bool IsPseudonym(string? pseudonym) => pseudonym is not null && PseudonymForm().IsMatch(pseudonym);

    public static async Task<ErasureResult> EraseAsync(IObjectStore store, string prefix, string pseudonym, DonationLedger? ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!IsPseudonym(pseudonym))
        {
            throw new PrivacyException($"'{pseudonym}' is not a donor pseudonym (p_ and 32 hex digits, as shown after a donation)");
        }

        var donorPrefix = prefix + "donations/" + pseudonym + "/";
        var objects = 0;
        await foreach (var item in store.ListAsync(donorPrefix, cancellationToken).ConfigureAwait(false))
        {
            await store.DeleteAsync(item.Key, cancellationToken).ConfigureAwait(false);
            objects++;
        }

        await foreach (var left in store.ListAsync(donorPrefix, cancellationToken).ConfigureAwait(false))
        {
            throw new PrivacyException($"{left.Key} is still in {store.Description} after deleting it; run the erasure again");
        }

        var files = 0;
        var entries = 0;
        var id = Guid.NewGuid().ToString("N");
        if (ledger is not null)
        {
            foreach (var archived in ledger.ReadAll().Where(e => e.Donor == pseudonym && e.Archived is not null).SelectMany(e => e.Archived!))
            {
                if (File.Exists(archived))
                {
                    File.Delete(archived);
                    files++;
                }
            }

            entries = ledger.Erase(pseudonym, removed => new LedgerEntry
            {
                Type = LedgerEntry.ErasureType, At = time.GetUtcNow(), ErasureId = id, ObjectsDeleted = objects, FilesDeleted = files, EntriesDeleted = removed,
            });
        }

        return new ErasureResult(id, objects, files, entries);
    }

    [GeneratedRegex("^p_[0-9a-f]{32}$")]
    private static partial Regex PseudonymForm();
}

/// <summary>What an erasure deleted; <see cref="Id"/> is the audit entry's random id.</summary>
public sealed record ErasureResult(string Id, int ObjectsDeleted, int FilesDeleted, int EntriesDeleted);
