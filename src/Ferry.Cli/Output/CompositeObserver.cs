using Ferry.Core.Transfer;

namespace Ferry.Cli.Output;

/// <summary>Passes every event to each of several observers.</summary>
internal sealed class CompositeObserver(params ITransferObserver[] observers) : ITransferObserver
{
    public void OnFileEvent(FileEvent fileEvent)
    {
        foreach (var observer in observers)
        {
            observer.OnFileEvent(fileEvent);
        }
    }

    public void OnRetry(string reason)
    {
        foreach (var observer in observers)
        {
            observer.OnRetry(reason);
        }
    }
}
