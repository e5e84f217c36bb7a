using Ferry.Core.Journal;
using Ferry.Core.Storage;
using Polly;

namespace Ferry.Core.Transfer;

/// <summary>What every file upload of one run shares: the store, the options, the memory budget and buffers, retries, counters, journal and clock.</summary>
/// <param name="DeferDurability">True when the engine flushes the store in batches (<see cref="IDurabilityBarrier"/>), so writes need not flush one by one.</param>
internal sealed record UploadContext(
    IWritableObjectStore Store,
    UploadOptions Options,
    MemoryBudget Budget,
    RequestBuffers Buffers,
    ResiliencePipeline Retry,
    TransferProgress Progress,
    TransferJournal? Journal,
    TimeProvider Time,
    Duplicates.DuplicateCheck? Duplicates = null,
    bool DeferDurability = false);
