using Ferry.Core.Journal;
using Ferry.Core.Storage;
using Polly;

namespace Ferry.Core.Transfer;

/// <summary>What every file upload of one run shares: the store, the options, the memory budget and buffers, retries, counters, journal and clock.</summary>
internal sealed record UploadContext(
    IWritableObjectStore Store,
    UploadOptions Options,
    MemoryBudget Budget,
    RequestBuffers Buffers,
    ResiliencePipeline Retry,
    TransferProgress Progress,
    TransferJournal? Journal,
    TimeProvider Time,
    Duplicates.DuplicateCheck? Duplicates = null);
