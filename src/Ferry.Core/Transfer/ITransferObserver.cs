namespace Ferry.Core.Transfer;

/// <summary>Receives per-file events and retries as they happen. Implementations must return quickly and never block.</summary>
public interface ITransferObserver
{
    void OnFileEvent(FileEvent fileEvent);

    /// <summary>A request failed and will be tried again; <paramref name="reason"/> names the object and the error.</summary>
    void OnRetry(string reason);
}
