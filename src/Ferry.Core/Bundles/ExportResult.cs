using Ferry.Core.Storage;

namespace Ferry.Core.Bundles;

/// <summary>What an export (or one bundle of an outbox flush) did.</summary>
/// <param name="Outcome">Delivered, queued in the outbox, or busy elsewhere.</param>
/// <param name="Folder">The bundle's folder name.</param>
/// <param name="Location">Where it is (delivered) or will be (queued): the destination base plus the folder.</param>
/// <param name="OutboxPath">The bundle's folder in the outbox while it waits; null once delivered.</param>
/// <param name="Message">Why it was queued (the destination's error), or null.</param>
/// <param name="Files">Files in the bundle, reports not counted.</param>
/// <param name="Bytes">Their bytes.</param>
/// <param name="Duration">Time spent in this call.</param>
public sealed record ExportResult(ExportOutcome Outcome, string Folder, string Location, string? OutboxPath, string? Message, long Files, long Bytes, TimeSpan Duration)
{
    /// <summary>When the destination store failed (queued): the kind of failure, for a text that does not repeat the store's own.</summary>
    public StoreErrorKind? StoreFailure { get; init; }

    public bool Delivered => Outcome == ExportOutcome.Delivered;
}
