namespace Ferry.Core.Bundles;

/// <summary>How an export or a delivery from the outbox ended.</summary>
public enum ExportOutcome
{
    /// <summary>Every file and both reports are at the destination, verified; the bundle left the outbox.</summary>
    Delivered,

    /// <summary>The bundle is complete in the outbox, waiting for the destination (unreachable, refused, or failed part-way).</summary>
    Queued,

    /// <summary>Another process is delivering this bundle right now; nothing was done.</summary>
    Busy,
}
