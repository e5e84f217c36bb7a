using System.Text;
using System.Text.Json;
using Ferry.Core;
using Ferry.Core.Csv;

namespace Ferry.Server.Donations;

/// <summary>
/// Streams a company's donated records of the last N days as JSON Lines (<c>{"id","donation_id","donor","recorded_at","record"}</c>)
/// or CSV (<c>id,donation_id,donor,recorded_at,record</c>, the record as JSON text; written by <see cref="SpreadsheetCsv"/>), straight from the database to the
/// output: a million rows never sit in memory.
/// </summary>
internal static class DonationRecordsWriter
{
    public static bool IsFormat(string? format) => format is "jsonl" or "csv";

    /// <summary>The <c>donation_id</c> of one JSON Lines export line (a top-level property), or null when the line has none or is not JSON.</summary>
    public static long? DonationIdOf(string line)
    {
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(line));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isDonation = reader.ValueTextEquals("donation_id");
                reader.Read();
                if (isDonation)
                {
                    return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var id) ? id : null;
                }

                reader.Skip();
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static async Task<long> WriteAsync(FerryDbContext db, long companyId, int days, string format, DateTimeOffset now, Stream output, CancellationToken cancellationToken)
    {
        var since = now - TimeSpan.FromDays(days);
        var rows = db.DonatedRecords.AsNoTracking().Where(r => r.CompanyId == companyId && r.RecordedAt >= since).OrderBy(r => r.Id)
            .Select(r => new { r.Id, r.DonationId, r.Donor, r.RecordedAt, r.Data });
        long count = 0;
        if (format == "csv")
        {
            await using var csv = SpreadsheetCsv.Create(output);
            await csv.WriteRecordAsync(["id", "donation_id", "donor", "recorded_at", "record"], cancellationToken);
            await foreach (var r in rows.AsAsyncEnumerable().WithCancellation(cancellationToken))
            {
                csv.WriteField(r.Id);
                csv.WriteField(r.DonationId);
                csv.WriteField(r.Donor);
                csv.WriteField(Timestamps.Iso(r.RecordedAt));
                csv.WriteField(r.Data);
                await csv.EndRecordAsync(cancellationToken);
                if (++count % 10_000 == 0)
                {
                    await csv.FlushAsync(cancellationToken);
                }
            }

            await csv.FlushAsync(cancellationToken);
            return count;
        }

        await using var text = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        await foreach (var r in rows.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            await text.WriteLineAsync($"{{\"id\":{r.Id},\"donation_id\":{r.DonationId},\"donor\":{JsonSerializer.Serialize(r.Donor)},\"recorded_at\":\"{Timestamps.Iso(r.RecordedAt)}\",\"record\":{r.Data}}}");
            if (++count % 10_000 == 0)
            {
                await text.FlushAsync(cancellationToken);
            }
        }

        await text.FlushAsync(cancellationToken);
        return count;
    }
}
