namespace Ferry.Core.Privacy;

/// <summary>
/// Caps on what one donation may hold once decompressed, summed over all its files. A donation that passes any of them
/// is refused whole (<see cref="DonationLimitException"/>) at the moment it passes: a gzip bomb costs at most the cap in
/// decompression work and a fixed buffer in memory, never its inflated size.
/// </summary>
public sealed record DonationLimits
{
    /// <summary>Default cap on decompressed bytes: 2 GiB.</summary>
    public const long DefaultMaximumDecompressedBytes = 2L << 30;

    /// <summary>Default cap on records: 20 million.</summary>
    public const long DefaultMaximumRecords = 20_000_000;

    /// <summary>Default cap on one line: 16 MiB, <see cref="JsonLinesPseudonymizer.MaximumLineBytes"/>.</summary>
    public const int DefaultMaximumLineBytes = JsonLinesPseudonymizer.MaximumLineBytes;

    /// <summary>The smallest <see cref="MaximumLineBytes"/> allowed: 1 KiB.</summary>
    public const int SmallestMaximumLineBytes = 1024;

    /// <summary>The largest <see cref="MaximumLineBytes"/> allowed: 256 MiB (a line is held in memory while it is pseudonymized).</summary>
    public const int LargestMaximumLineBytes = 256 << 20;

    /// <summary>Decompressed bytes of all files together, newlines included. Default 2 GiB; at least 1 KiB.</summary>
    public long MaximumDecompressedBytes { get; init; } = DefaultMaximumDecompressedBytes;

    /// <summary>Records: lines that are not blank, malformed ones included. Default 20 million; at least 1.</summary>
    public long MaximumRecords { get; init; } = DefaultMaximumRecords;

    /// <summary>Bytes in one line, without its newline. Default 16 MiB; 1 KiB to 256 MiB.</summary>
    public int MaximumLineBytes { get; init; } = DefaultMaximumLineBytes;

    /// <summary>Throws <see cref="ArgumentException"/> naming the cap and its valid range.</summary>
    public void Validate()
    {
        if (MaximumDecompressedBytes < 1024)
        {
            throw new ArgumentException("the cap on decompressed bytes must be at least 1 KiB (1,024 bytes)");
        }

        if (MaximumRecords < 1)
        {
            throw new ArgumentException("the cap on records must be at least 1");
        }

        if (MaximumLineBytes is < SmallestMaximumLineBytes or > LargestMaximumLineBytes)
        {
            throw new ArgumentException($"the cap on one line must be from {SmallestMaximumLineBytes:N0} bytes to {LargestMaximumLineBytes:N0} bytes (256 MiB)");
        }
    }
}

/// <summary>Which of the <see cref="DonationLimits"/> a donation passed.</summary>
public enum DonationCap
{
    DecompressedBytes,
    Records,
    LineBytes,
}

/// <summary>A donation passed one of its <see cref="DonationLimits"/>; nothing of it may be kept. The message names the cap and its value.</summary>
public sealed class DonationLimitException(DonationCap cap, long limit, string message) : PrivacyException(message)
{
    public DonationCap Cap { get; } = cap;

    /// <summary>The value of the cap that was passed (bytes or records).</summary>
    public long Limit { get; } = limit;
}
