using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ferry.Server.Donations;

/// <summary>
/// The server's background service for donations: runs queued donations one at a time (the page stays usable), and
/// the scheduled export and retention clean-up at <see cref="FerryServerOptions.DonationExportEvery"/> and
/// <see cref="FerryServerOptions.DonationRetentionEvery"/> when configured.
/// </summary>
internal sealed class DonationWorker(DonationService donations, DonationMaintenance maintenance, FerryServerOptions options, ILogger<DonationWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await donations.RecoverAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError("Could not settle the donations left by the last run: {Message}", ex.Message);
        }

        var schedules = new List<Task>();
        if (options.DonationExportEvery is { } export)
        {
            schedules.Add(EveryAsync(export, maintenance.ExportAsync, stoppingToken));
        }

        if (options.DonationRetentionEvery is { } retention)
        {
            schedules.Add(EveryAsync(retention, maintenance.RetentionAsync, stoppingToken));
        }

        try
        {
            await foreach (var id in donations.Queue.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await donations.RunAsync(id, stoppingToken).ConfigureAwait(false);
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

        await Task.WhenAll(schedules).ConfigureAwait(false);
    }

    private async Task EveryAsync(TimeSpan interval, Func<CancellationToken, Task> task, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await task(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError("Scheduled donation task failed: {Message}", ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
