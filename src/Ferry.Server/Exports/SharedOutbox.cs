using System.IO.Compression;
using Ferry.Core.Bundles;

namespace Ferry.Server.Exports;

/// <summary>
/// The export outbox every replica shares: a bundle S3 refused is parked in the database (<c>export_outbox</c>, the
/// bundle folder zipped whole), and the replica that retries it first claims it with a lease, unpacks it into its own
/// local outbox folder (a scratch area), delivers it with the verified engine and settles the row. A lease a dead
/// replica held expires after <see cref="LeaseDuration"/>; then another replica delivers the bundle.
/// </summary>
internal sealed class SharedOutbox(Outbox local, TimeProvider time)
{
    /// <summary>How long a claim holds; a bundle's delivery (reports and manifests, not data) takes far less.</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromMinutes(15);

    /// <summary>This process, as lease owners name it (each claim adds its own token).</summary>
    public static string Owner { get; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>Stores <paramref name="bundle"/> (waiting in the local outbox) for export <paramref name="exportId"/>, saving <paramref name="db"/>'s changes with it, then removes the local copy.</summary>
    public async Task ParkAsync(FerryDbContext db, long exportId, OutboxBundle bundle, CancellationToken cancellationToken)
    {
        var entry = await db.ExportOutbox.FirstOrDefaultAsync(o => o.ExportId == exportId, cancellationToken);
        if (entry is null)
        {
            entry = new ExportOutboxEntry { ExportId = exportId, Folder = bundle.Folder, Bundle = [], CreatedAt = time.GetUtcNow() };
            db.ExportOutbox.Add(entry);
        }

        entry.Folder = bundle.Folder;
        entry.Bundle = Pack(bundle.Directory);
        entry.NextAttemptAt = bundle.Descriptor.NextAttemptAt ?? time.GetUtcNow();
        entry.LeaseOwner = null;
        entry.LeaseUntil = null;
        await db.SaveChangesAsync(cancellationToken);
        local.Discard(bundle);
    }

    /// <summary>The exports whose bundles are due and not claimed, oldest due first (at most <paramref name="limit"/>).</summary>
    public Task<List<long>> DueAsync(FerryDbContext db, int limit, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return db.ExportOutbox.AsNoTracking()
            .Where(o => o.NextAttemptAt <= now && (o.LeaseUntil == null || o.LeaseUntil < now))
            .OrderBy(o => o.NextAttemptAt).Select(o => o.ExportId).Take(limit).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Claims export <paramref name="exportId"/>'s bundle and unpacks it into the local outbox; null when another replica
    /// claimed it first (one conditional UPDATE: on PostgreSQL the second replica's re-check sees the first's lease).
    /// The claim's lease owner is unique to this claim: <see cref="SettleAsync"/> changes the row only while the lease
    /// is still this claim's, so a replica whose lease ran out cannot undo or repeat what the next claimant did.
    /// </summary>
    public async Task<(OutboxBundle Bundle, string Lease)?> TryClaimAsync(FerryDbContext db, long exportId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        DateTimeOffset? until = now + LeaseDuration;
        var lease = $"{Owner}:{Guid.NewGuid():N}";
        var claimed = await db.ExportOutbox
            .Where(o => o.ExportId == exportId && o.NextAttemptAt <= now && (o.LeaseUntil == null || o.LeaseUntil < now))
            .ExecuteUpdateAsync(set => set.SetProperty(o => o.LeaseOwner, lease).SetProperty(o => o.LeaseUntil, until), cancellationToken);
        if (claimed != 1)
        {
            return null;
        }

        var entry = await db.ExportOutbox.AsNoTracking().FirstAsync(o => o.ExportId == exportId, cancellationToken);
        var folder = Path.Combine(local.Directory, entry.Folder);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(local.Directory);
        using (var zip = new MemoryStream(entry.Bundle))
        {
            ZipFile.ExtractToDirectory(zip, folder);
        }

        return local.List().FirstOrDefault(b => b.Folder == entry.Folder) is { } bundle ? (bundle, lease) : null;
    }

    /// <summary>
    /// Settles a claimed bundle after a delivery attempt: delivered → the row goes; otherwise it is stored again as it is
    /// now (attempts, next attempt) and the lease is released. Both only while <paramref name="lease"/> still holds the
    /// row (returns false, changing nothing, when it ran out and another claim took it). The local copy is removed either way.
    /// </summary>
    public async Task<bool> SettleAsync(FerryDbContext db, long exportId, string lease, string folder, ExportOutcome outcome, CancellationToken cancellationToken)
    {
        var waiting = local.List().FirstOrDefault(b => b.Folder == folder);
        var mine = db.ExportOutbox.Where(o => o.ExportId == exportId && o.LeaseOwner == lease);
        int settled;
        if (outcome == ExportOutcome.Delivered)
        {
            settled = await mine.ExecuteDeleteAsync(cancellationToken);
        }
        else if (waiting is not null)
        {
            var bundle = Pack(waiting.Directory);
            var next = waiting.Descriptor.NextAttemptAt ?? time.GetUtcNow();
            settled = await mine.ExecuteUpdateAsync(set => set.SetProperty(o => o.Bundle, bundle).SetProperty(o => o.NextAttemptAt, next)
                .SetProperty(o => o.LeaseOwner, (string?)null).SetProperty(o => o.LeaseUntil, (DateTimeOffset?)null), cancellationToken);
        }
        else
        {
            settled = await mine.ExecuteUpdateAsync(set => set.SetProperty(o => o.LeaseOwner, (string?)null).SetProperty(o => o.LeaseUntil, (DateTimeOffset?)null), cancellationToken);
        }

        if (waiting is not null)
        {
            local.Discard(waiting);
        }

        return settled == 1;
    }

    private static byte[] Pack(string directory)
    {
        using var zip = new MemoryStream();
        ZipFile.CreateFromDirectory(directory, zip, CompressionLevel.Fastest, includeBaseDirectory: false);
        return zip.ToArray();
    }
}
