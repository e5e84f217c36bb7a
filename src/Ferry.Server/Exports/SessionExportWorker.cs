namespace Ferry.Server.Exports;

/// <summary>
/// The background service behind session exports: settles what a crash left running, then runs queued exports one
/// at a time. The outbox's bundles that are due are retried by the <c>export-retry</c> schedule (Schedules/ExportRetryJob),
/// once across all processes, every <see cref="FerryServerOptions.ExportRetryInterval"/>.
/// </summary>
internal sealed class SessionExportWorker(SessionExportService exports, ILogger<SessionExportWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await exports.RecoverAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError("Could not settle the exports left by the last run: {Message}", ex.Message);
        }

        try
        {
            await foreach (var id in exports.Queue.ReadAllAsync(stoppingToken))
            {
                await exports.RunAsync(id, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: a bundle being built is abandoned (removed on the next start), one being delivered stays in the outbox.
        }
    }
}
