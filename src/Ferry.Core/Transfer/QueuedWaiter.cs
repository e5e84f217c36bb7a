namespace Ferry.Core.Transfer;

/// <summary>
/// The wait of a caller queued in arrival order behind a lock (<see cref="ConcurrencyController"/>, <see cref="MemoryBudget"/>):
/// the owner adds <c>node</c> to its queue under <c>gate</c> and later completes <c>signal</c> as it dequeues the node.
/// Cancellation takes the node out of the queue, if it is still there, and cancels the wait; a node already dequeued
/// (its signal completed) is left alone, so a granted slot is never lost to a late cancellation.
/// </summary>
internal static class QueuedWaiter
{
    public static async Task WaitAsync<T>(Lock gate, LinkedListNode<T> node, TaskCompletionSource signal, CancellationToken cancellationToken)
    {
        using (cancellationToken.Register(() =>
        {
            lock (gate)
            {
                if (node.List is { } queue)
                {
                    queue.Remove(node);
                    signal.TrySetCanceled(cancellationToken);
                }
            }
        }))
        {
            await signal.Task.ConfigureAwait(false);
        }
    }
}
