namespace Ferry.Core.Transfer;

/// <summary>What uploads and downloads share: retries, dry runs and which paths a run covers.</summary>
public abstract record TransferOptions
{
    /// <summary>Retries per request after the first attempt. Default 5; 0 to 20.</summary>
    public int Retries { get; init; } = 5;

    /// <summary>The first retry's delay before backoff and jitter. Default 250 ms.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Plan only: list, compare and report; write nothing (no transfer, no journal, no manifest).</summary>
    public bool DryRun { get; init; }

    /// <summary>Which relative paths to transfer (files below the source folder, or keys below the prefix).</summary>
    public PathFilter Filter { get; init; } = PathFilter.All;

    /// <summary>Throws <see cref="ArgumentException"/> with <paramref name="message"/> (naming the option and its valid range) unless <paramref name="condition"/> holds.</summary>
    protected static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
