namespace Ferry.Core.Datasets;

/// <summary>How <see cref="DatasetReader"/> fetches shards.</summary>
public sealed record DatasetReaderOptions
{
    /// <summary>Where a shard is staged while it is fetched and verified. Default: the system temp folder.</summary>
    public string? TemporaryDirectory { get; init; }

    /// <summary>Retries per request on transient failures. Default 5.</summary>
    public int Retries { get; init; } = 5;

    /// <summary>The first retry's delay. Default 250 ms.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Shards larger than this are fetched as parallel ranged GETs. Default 32 MiB.</summary>
    public long RangeThreshold { get; init; } = 32 * 1024 * 1024;
}
