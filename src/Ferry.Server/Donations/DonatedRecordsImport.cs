using System.IO.Compression;

namespace Ferry.Server.Donations;

/// <summary>
/// Inserts a pseudonymized (or re-keyed) part's records, one JSON line each, in batches, so a million rows never sit
/// in memory. The web donation and the donation-link intake both store their parts through it.
/// </summary>
internal static class DonatedRecordsImport
{
    private const int InsertBatch = 1_000;

    public static async Task InsertAsync(FerryDbContext db, Donation donation, string part, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(part);
        await using var unzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(unzip);
        var batch = new List<DonatedRecord>(InsertBatch);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            batch.Add(new DonatedRecord { CompanyId = donation.CompanyId, DonationId = donation.Id, Donor = donation.Donor, RecordedAt = now, Data = line });
            if (batch.Count == InsertBatch)
            {
                await FlushAsync(db, batch, cancellationToken);
            }
        }

        await FlushAsync(db, batch, cancellationToken);
    }

    private static async Task FlushAsync(FerryDbContext db, List<DonatedRecord> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        db.DonatedRecords.AddRange(batch);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var record in batch)
        {
            db.Entry(record).State = EntityState.Detached;
        }

        batch.Clear();
    }
}
