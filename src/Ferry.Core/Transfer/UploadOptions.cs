namespace Ferry.Core.Transfer;

/// <summary>How an upload runs. <see cref="Validate"/> names the first option out of range.</summary>
public sealed record UploadOptions : TransferOptions
{
    public const long MiB = 1024 * 1024;

    /// <summary>Files in flight at the start (and always, when <see cref="MaxConcurrency"/> is not above it). Default 16; 1 to 256.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>
    /// The cap adaptive concurrency may grow to while throughput rises (see <see cref="ConcurrencyController"/>);
    /// at or below <see cref="Concurrency"/> the number in flight is fixed. Default 64; 1 to 256.
    /// </summary>
    public int MaxConcurrency { get; init; } = 64;

    /// <summary>The cap actually used: never below <see cref="Concurrency"/>.</summary>
    public int ConcurrencyCap => Math.Max(Concurrency, MaxConcurrency);

    /// <summary>Bytes per multipart part. Default 8 MiB; 5 MiB to 5 GiB (raised as needed to stay within 10,000 parts).</summary>
    public long PartSize { get; init; } = 8 * MiB;

    /// <summary>Files larger than this go in parts, sent in parallel. Default 16 MiB; at least 5 MiB.</summary>
    public long MultipartThreshold { get; init; } = 16 * MiB;

    /// <summary>Bytes of request bodies held in memory at once. Default 64 MiB; at least one part.</summary>
    public long MemoryBudget { get; init; } = 64 * MiB;

    /// <summary>Delete each local file once its upload is verified.</summary>
    public bool Move { get; init; }

    /// <summary>Move each local file to this folder (same relative path) once its upload is verified.</summary>
    public string? ArchiveTo { get; init; }

    /// <summary>Write a JSON Lines manifest of every file of the run here.</summary>
    public string? ManifestPath { get; init; }

    /// <summary>Also upload the manifest under this key (relative to the store, not the prefix).</summary>
    public string? ManifestKey { get; init; }

    /// <summary>Follow symbolic links, with loop detection. Default: skip and report them.</summary>
    public bool FollowSymlinks { get; init; }

    /// <summary>
    /// Do not upload a file whose bytes (SHA-256 and size) the destination already holds under another key; record it
    /// as a duplicate naming that key. Without it, such a file is uploaded and its record still names the copy.
    /// </summary>
    public bool SkipDuplicates { get; init; }

    /// <summary>
    /// Called by the plan for every file it hands on to be uploaded or compared (every file but those the journal proves
    /// present), before that happens: <c>ferry upload --check warn</c> checks the files here, so the source is walked
    /// once. The plan waits for it; it must not throw, except <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    public Func<SourceFile, CancellationToken, ValueTask>? OnPlanned { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the option and its valid range.</summary>
    public void Validate()
    {
        Require(Concurrency is >= 1 and <= 256, "--concurrency must be between 1 and 256");
        Require(MaxConcurrency is >= 1 and <= 256, "--max-concurrency must be between 1 and 256");
        Require(PartSize is >= 5 * MiB and <= 5L * 1024 * MiB, "--part-size must be between 5 MiB and 5 GiB");
        Require(MultipartThreshold >= 5 * MiB, "--multipart-threshold must be at least 5 MiB");
        Require(Retries is >= 0 and <= 20, "--retries must be between 0 and 20");
        Require(MemoryBudget >= PartSize, "the memory budget must hold at least one part");
        Require(!(Move && ArchiveTo is not null), "--move and --archive-to exclude each other; pick one");
    }
}
