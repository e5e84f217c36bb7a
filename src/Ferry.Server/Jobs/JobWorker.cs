namespace Ferry.Server.Jobs;

/// <summary>
/// A worker: claims one job at a time from the shared queue and runs it, polling every
/// <see cref="FerryServerOptions.WorkerPollInterval"/> when idle, or at once when a job is queued in its own process
/// (<see cref="JobWakeUp"/>). Runs in <c>ferry worker</c>, or inside
/// <c>ferry serve --worker</c>. Its name (host:pid:random) marks the jobs it holds.
/// </summary>
internal sealed class JobWorker(IServiceScopeFactory scopes, JobRunner runner, JobWakeUp wakeUp, FerryServerOptions options, TimeProvider time, ILogger<JobWorker> logger) : BackgroundService
{
    public string Name { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Worker {Worker} started; the operator's allowed roots (each company's server folders must lie inside them): {Roots}", Name, options.AllowedRoots.Count == 0 ? "(none)" : string.Join(", ", options.AllowedRoots));
        while (!stoppingToken.IsCancellationRequested)
        {
            long? claimed = null;
            try
            {
                await using (var scope = scopes.CreateAsyncScope())
                {
                    claimed = await new JobQueue(scope.ServiceProvider.GetRequiredService<FerryDbContext>(), time).ClaimAsync(Name, options.WorkerTimeout, stoppingToken);
                }

                if (claimed is { } id)
                {
                    logger.LogInformation("Worker {Worker} claimed job {Job}", Name, id);
                    await runner.RunAsync(id, Name, stoppingToken);
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or IOException or Core.Storage.StoreException)
            {
                logger.LogError("Worker {Worker}: job {Job} stopped: {Message}", Name, claimed, ex.Message);
            }

            try
            {
                await wakeUp.WaitAsync(options.WorkerPollInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
