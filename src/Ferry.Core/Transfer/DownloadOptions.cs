namespace Ferry.Core.Transfer;

/// <summary>How a download runs. <see cref="Validate"/> names the first option out of range.</summary>
public sealed record DownloadOptions : TransferOptions
{
    /// <summary>Objects in flight at the start (and always, when <see cref="MaxConcurrency"/> is not above it). Default 16; 1 to 256.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>
    /// The cap adaptive concurrency may grow to while throughput rises (see <see cref="ConcurrencyController"/>);
    /// at or below <see cref="Concurrency"/> the number in flight is fixed. Default 64; 1 to 256.
    /// </summary>
    public int MaxConcurrency { get; init; } = 64;

    /// <summary>The cap actually used: never below <see cref="Concurrency"/>.</summary>
    public int ConcurrencyCap => Math.Max(Concurrency, MaxConcurrency);

    /// <summary>
    /// Bytes per ranged GET of a large object. Default 32 MiB (8 MiB ranges cost every object a request and a round
    /// trip per 8 MiB, and ran 1.06–1.30× rclone's time on 200 MiB objects where 32 MiB ran 1.01–1.08×:
    /// docs/benchmarks.md, session 8); 1 MiB to 1 GiB. It is also how much a resumed download may fetch again.
    /// </summary>
    public long ChunkSize { get; init; } = 32 * UploadOptions.MiB;

    /// <summary>Objects larger than this are fetched as parallel ranged GETs, resumable per chunk. Default 32 MiB.</summary>
    public long RangeThreshold { get; init; } = 32 * UploadOptions.MiB;

    /// <summary>Ranged GETs in flight for one object. Default 4; 1 to 64.</summary>
    public int ChunkConcurrency { get; init; } = 4;

    /// <summary>Replace local files that differ from the object. Default: report them and leave them alone.</summary>
    public bool Overwrite { get; init; }

    /// <summary>
    /// Flush each file (and each chunk of a ranged download) to disk before renaming or recording it.
    /// Default off: a killed process never leaves a bad file under a final name either way; this
    /// also covers power loss, at the price of one fsync per file.
    /// </summary>
    public bool Fsync { get; init; }

    public void Validate()
    {
        Require(Concurrency is >= 1 and <= 256, "--concurrency must be between 1 and 256");
        Require(MaxConcurrency is >= 1 and <= 256, "--max-concurrency must be between 1 and 256");
        Require(ChunkSize is >= UploadOptions.MiB and <= 1024 * UploadOptions.MiB, "--chunk-size must be between 1 MiB and 1 GiB");
        Require(RangeThreshold >= ChunkSize, "the range threshold must be at least one chunk");
        Require(ChunkConcurrency is >= 1 and <= 64, "the chunk concurrency must be between 1 and 64");
        Require(Retries is >= 0 and <= 20, "--retries must be between 0 and 20");
    }
}
