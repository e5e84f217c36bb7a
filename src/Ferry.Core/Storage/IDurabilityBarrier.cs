namespace Ferry.Core.Storage;

/// <summary>
/// A store whose writes can be put on stable storage in batches. A write made with
/// <see cref="ObjectWriteOptions.DeferDurability"/> is whole and readable when <c>PutAsync</c> returns, but a power cut
/// may still undo it until <see cref="MakeDurableAsync"/> returns. The upload engine calls it before it journals such a
/// write or removes its source, so one flush covers a batch of files instead of one flush per file.
/// </summary>
public interface IDurabilityBarrier
{
    /// <summary>True when writes can be deferred here; false when every write is flushed on its own (the option is then ignored).</summary>
    bool CanDeferDurability { get; }

    /// <summary>Puts every deferred write that returned before this call on stable storage: the bytes and the names they were given.</summary>
    Task MakeDurableAsync(CancellationToken cancellationToken);
}
