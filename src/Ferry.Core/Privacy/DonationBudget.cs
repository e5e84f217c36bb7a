using System.Buffers;

namespace Ferry.Core.Privacy;

/// <summary>
/// One donation's running totals against its <see cref="DonationLimits"/>, over all its files in turn. Each method
/// throws <see cref="DonationLimitException"/> the moment a cap is passed. Not thread-safe: one donation, one reader.
/// </summary>
public sealed class DonationBudget
{
    public DonationBudget(DonationLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        limits.Validate();
        Limits = limits;
    }

    public DonationLimits Limits { get; }

    /// <summary>Decompressed bytes counted so far.</summary>
    public long DecompressedBytes { get; private set; }

    /// <summary>Records (non-blank lines) counted so far.</summary>
    public long Records { get; private set; }

    /// <summary>Counts <paramref name="count"/> more decompressed bytes.</summary>
    public void AddBytes(long count)
    {
        DecompressedBytes += count;
        if (DecompressedBytes > Limits.MaximumDecompressedBytes)
        {
            throw new DonationLimitException(DonationCap.DecompressedBytes, Limits.MaximumDecompressedBytes,
                $"the donation inflates to more than {Limits.MaximumDecompressedBytes:N0} bytes, the cap on decompressed bytes per donation; nothing of it was kept, donate in smaller parts");
        }
    }

    /// <summary>Counts one more record.</summary>
    public void AddRecord()
    {
        Records++;
        if (Records > Limits.MaximumRecords)
        {
            throw new DonationLimitException(DonationCap.Records, Limits.MaximumRecords,
                $"the donation holds more than {Limits.MaximumRecords:N0} records, the cap on records per donation; nothing of it was kept, donate in smaller parts");
        }
    }

    /// <summary>Throws when a line of <paramref name="length"/> bytes (so far) is longer than the cap.</summary>
    public void CheckLine(long length)
    {
        if (length > Limits.MaximumLineBytes)
        {
            throw new DonationLimitException(DonationCap.LineBytes, Limits.MaximumLineBytes,
                $"a line of the donation is longer than {Limits.MaximumLineBytes:N0} bytes, the cap on one line; nothing of it was kept");
        }
    }

    /// <summary>
    /// Reads decompressed JSON Lines to the end, counting bytes, records and line lengths without parsing them: the cheap
    /// check a server makes before it accepts a donation. Memory: one 64 KiB buffer. A line that is only spaces, tabs
    /// and carriage returns is blank.
    /// </summary>
    public async Task ScanAsync(Stream decompressed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decompressed);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            long line = 0;
            var content = false;
            int read;
            while ((read = await decompressed.ReadAsync(buffer.AsMemory(0, 1 << 16), cancellationToken).ConfigureAwait(false)) > 0)
            {
                AddBytes(read);
                var span = buffer.AsSpan(0, read);
                while (span.Length > 0)
                {
                    var newline = span.IndexOf((byte)'\n');
                    var chunk = newline < 0 ? span : span[..newline];
                    line += chunk.Length;
                    content |= chunk.IndexOfAnyExcept(" \t\r"u8) >= 0;
                    CheckLine(line);
                    if (newline < 0)
                    {
                        break;
                    }

                    EndLine(ref line, ref content);
                    span = span[(newline + 1)..];
                }
            }

            EndLine(ref line, ref content);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        void EndLine(ref long length, ref bool hasContent)
        {
            if (hasContent)
            {
                AddRecord();
            }

            length = 0;
            hasContent = false;
        }
    }
}
