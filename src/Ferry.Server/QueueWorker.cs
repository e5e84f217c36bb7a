namespace Ferry.Server;

/// <summary>
/// The background service behind one kind of <see cref="IQueuedWork"/>: settles what the last run left, then runs the
/// queued ids one at a time (pages and the API stay usable meanwhile). A failure of one id, or of the recovery, is
/// logged and the queue goes on; stopping the server stops the loop.
/// </summary>
/// <param name="work">The service whose queue this worker runs.</param>
/// <param name="item">What one queued id is, in words for the log ("donation", "export").</param>
/// <param name="logger">Where failures are logged.</param>
internal abstract class QueueWorker(IQueuedWork work, string item, ILogger logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await work.RecoverAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError("Could not settle the {Item}s left by the last run: {Message}", item, ex.Message);
        }

        try
        {
            await foreach (var id in work.Queue.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await work.RunAsync(id, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError("The {Item} {Id} stopped: {Message}", item, id, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what runs is abandoned here and settled by RecoverAsync on the next start.
        }
    }
}
