namespace Ferry.Server.Donations;

/// <summary>
/// The server's background service for donations: runs queued donations one at a time (the page stays usable). The
/// scheduled export and retention clean-up are Quartz jobs (Schedules/, <c>Ferry:Schedules:*</c>).
/// </summary>
internal sealed class DonationWorker(DonationService donations, ILogger<DonationWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await donations.RecoverAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError("Could not settle the donations left by the last run: {Message}", ex.Message);
        }

        try
        {
            await foreach (var id in donations.Queue.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await donations.RunAsync(id, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError("Donation {Id} stopped: {Message}", id, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
