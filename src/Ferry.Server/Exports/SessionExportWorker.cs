using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ferry.Server.Exports;

/// <summary>
/// The background service behind session exports: settles what a crash left running, then runs queued exports one
/// at a time and, every <see cref="FerryServerOptions.ExportRetryInterval"/>, retries the outbox's bundles that are due.
/// </summary>
internal sealed class SessionExportWorker(SessionExportService exports, FerryServerOptions options, ILogger<SessionExportWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await exports.RecoverAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError("Could not settle the exports left by the last run: {Message}", ex.Message);
        }

        var retries = RetryLoopAsync(stoppingToken);
        try
        {
            await foreach (var id in exports.Queue.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await exports.RunAsync(id, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: a bundle being built is abandoned (removed on the next start), one being delivered stays in the outbox.
        }

        await retries.ConfigureAwait(false);
    }

    private async Task RetryLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.ExportRetryInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await exports.RetryDueAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError("Retrying exports from the outbox failed: {Message}", ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
